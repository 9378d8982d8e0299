// The station's keyboard guard, on its own pages and (through the station's extension) on
// every partner site: the browser shortcuts that would save a page outside the session's
// folder, open a file, or reach the browser's own pages do nothing. Chromium's policy
// blocks those pages too; this stops the dialogs the policy cannot (Save as, Open file).
(function () {
  "use strict";
  if (window.__guichetKeyGuard) return;
  window.__guichetKeyGuard = true;
  var blockedWithCtrl = { s: 1, o: 1, p: 1, j: 1, h: 1, u: 1, d: 1, e: 1, g: 1, f: 0 };
  var blockedWithCtrlShift = { o: 1, i: 1, j: 1, c: 1, b: 1, delete: 1, m: 1, a: 1 };
  window.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    var ctrl = event.ctrlKey || event.metaKey;
    var blocked =
      key === "f12" || (event.shiftKey && key === "escape") ||
      (ctrl && event.shiftKey && blockedWithCtrlShift[key]) ||
      (ctrl && !event.shiftKey && blockedWithCtrl[key]) ||
      (event.altKey && (key === "f" || key === "e"));
    if (blocked) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
})();
