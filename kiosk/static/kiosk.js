// The station's only script: reports activity (so the daemon knows the usager is there),
// shows the inactivity warning with its countdown, and leaves the page when the session ends.
// Everything works without it except the warning, which the daemon enforces anyway.
(function () {
  "use strict";
  var body = document.body;
  var base = body.dataset.base, session = body.dataset.session;
  if (!base || !session) return;
  var dialog = document.getElementById("avertissement");
  var count = document.getElementById("compte");
  var lastSent = 0, deadline = null, previousFocus = null;

  function post(path) {
    var data = new URLSearchParams();
    data.set("_k", session);
    return fetch(base + path, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" });
  }
  function activity() {
    var now = Date.now();
    if (dialog && !dialog.hidden) return;   // only the button extends the session during the warning
    if (now - lastSent < 10000) return;
    lastSent = now;
    post("/activite");
  }
  ["pointerdown", "keydown", "touchstart", "wheel"].forEach(function (type) {
    window.addEventListener(type, activity, { passive: true });
  });

  // The warning is said aloud when it opens (title, countdown, how to continue), and its
  // countdown again at 30 and 10 seconds: a usager who cannot read it hears it.
  var spokenAt = null;
  function speak(items, after) { if (window.guichetSpeech) window.guichetSpeech[after ? "add" : "say"](items); }
  function textOf(element) { return { text: element.textContent.replace(/\s+/g, " ").trim(), lang: document.documentElement.lang }; }
  function countdown() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    count.textContent = left;
    if ((left === 30 || left === 10) && spokenAt !== left) {
      spokenAt = left;
      speak([textOf(count), textOf(count.nextElementSibling)], true);
    }
  }
  function showWarning(until) {
    deadline = until;
    if (dialog.hidden) {
      previousFocus = document.activeElement;
      dialog.hidden = false;
      document.getElementById("continuer").focus();
      count.textContent = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      var texts = dialog.querySelectorAll("h2, #avertissement-texte span, p:not(#avertissement-texte)");
      speak(Array.prototype.map.call(texts, textOf));
    }
    countdown();
  }
  function hideWarning() {
    deadline = null;
    spokenAt = null;
    if (!dialog.hidden) {
      dialog.hidden = true;
      if (previousFocus) previousFocus.focus();
    }
  }
  function extend() { post("/prolonger").then(hideWarning); }
  if (dialog) {
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      extend();
    });
    // A modal dialog keeps the focus (Tab cycles inside it) and Escape means "Continuer".
    document.addEventListener("keydown", function (event) {
      if (dialog.hidden) return;
      if (event.key === "Escape") { event.preventDefault(); extend(); return; }
      if (event.key !== "Tab") return;
      // Controls only: not a pictogram's <use href>, not the form's hidden fields.
      var focusable = dialog.querySelectorAll("button, a[href], input:not([type=hidden]), [tabindex]:not([tabindex='-1'])");
      var first = focusable[0], last = focusable[focusable.length - 1];
      if (!dialog.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
      else if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }, true);
    document.addEventListener("focusin", function (event) {
      if (!dialog.hidden && !dialog.contains(event.target)) document.getElementById("continuer").focus();
    });
  }

  function poll() {
    fetch(base + "/etat", { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (status) {
        if (status.session !== session) { window.location.href = base + "/?fin=1"; return; }
        if (status.state === "warning") showWarning(Date.parse(status.warningDeadline)); else hideWarning();
      })
      .catch(function () {});
  }
  setInterval(poll, 2000);
  setInterval(function () { if (deadline) countdown(); }, 250);
  poll();
})();
