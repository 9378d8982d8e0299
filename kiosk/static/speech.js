// The station reads aloud (EN 301 549 §5.1): "Écouter" reads the screen — its title, its
// texts, its choices, in order; a button or a link says its label when the keyboard (or a
// switch) reaches it, or when a finger holds it for a second; the inactivity warning says its
// countdown. The voice is the station's own (espeak-ng behind `…/parole`), which answers only
// for texts the station shows by itself: a typed name, a file's name, a document are never
// sent for synthesis by the server, whatever this script asks.
(function () {
  "use strict";
  var listen = document.getElementById("ecouter");
  if (!listen) return;
  var endpoint = listen.dataset.speech;
  var pageLang = document.documentElement.lang;
  var audio = new Audio();
  var queue = [];
  var reading = false;
  // What was really played, for the station's end-to-end test (texts of the UI only).
  var played = [];
  window.guichetSpeech = { played: played, say: say, stop: stop };

  function clean(text) { return text.replace(/\s+/g, " ").trim(); }
  function langOf(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var marked = element && element.closest("[lang]");
    return marked ? marked.getAttribute("lang") : pageLang;
  }
  function setReading(on) {
    reading = on;
    listen.setAttribute("aria-pressed", on ? "true" : "false");
    listen.querySelector("span").textContent = on ? listen.dataset.stop : listen.dataset.listen;
  }
  function stop() {
    queue = [];
    audio.pause();
    audio.removeAttribute("src");
    setReading(false);
  }
  function next() {
    var item = queue.shift();
    if (!item) { setReading(false); return; }
    audio.src = endpoint + "?lang=" + encodeURIComponent(item.lang) + "&text=" + encodeURIComponent(item.text);
    audio.dataset.text = item.text;
    audio.play().catch(next);
  }
  audio.addEventListener("playing", function () { played.push(audio.dataset.text); });
  audio.addEventListener("ended", next);
  audio.addEventListener("error", next);   // a text the station does not say: the next one
  function say(items, asReading) {
    stop();
    queue = items.filter(function (item) { return item.text; });
    if (asReading) setReading(true);
    next();
  }

  function visible(element) {
    return !element.closest("[hidden], [aria-hidden=true], script, style, template, .languages, #ecouter, [data-private]");
  }
  // The texts of a part of the page, in reading order: its text nodes, and the labels of its
  // controls (never an input's value: that is what the usager typed).
  function pieces(root) {
    var items = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || !visible(node.parentElement)) continue;
      var text = clean(node.textContent);
      // Punctuation alone ("(", "—") has nothing to say.
      if (/[\p{L}\p{N}]/u.test(text)) items.push({ text: text, lang: langOf(node) });
    }
    return items;
  }
  function label(element) {
    if (element.id) {
      var labelled = document.querySelector("label[for='" + element.id + "']");
      if (labelled) return pieces(labelled);
    }
    var wrapping = element.closest("label");
    return pieces(wrapping || element);
  }

  listen.addEventListener("click", function () {
    if (reading) { stop(); return; }
    var dialog = document.getElementById("avertissement");
    var root = dialog && !dialog.hidden ? dialog : null;
    say(root ? pieces(root) : pieces(document.querySelector("main")).concat(pieces(document.querySelector("footer"))), true);
  });

  // Keyboard and switch users hear where they are; a pointer's focus stays silent.
  var byKeyboard = false;
  document.addEventListener("keydown", function () { byKeyboard = true; }, true);
  document.addEventListener("pointerdown", function () { byKeyboard = false; }, true);
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!byKeyboard || target === listen || !target.matches("a, button, input, select, textarea")) return;
    if (target.closest(".languages")) { say([{ text: clean(target.textContent), lang: target.getAttribute("lang") || pageLang }]); return; }
    say(label(target));
  });

  // Held for a second, a button or a link says its label instead of acting.
  var holdTimer = null, held = null;
  document.addEventListener("pointerdown", function (event) {
    var target = event.target.closest("a, button, label");
    if (!target || target === listen) return;
    holdTimer = setTimeout(function () { held = target; say(label(target)); }, 1000);
  }, true);
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (type) {
    document.addEventListener(type, function () { clearTimeout(holdTimer); }, true);
  });
  document.addEventListener("click", function (event) {
    if (held && held.contains(event.target)) { event.preventDefault(); event.stopPropagation(); }
    held = null;
  }, true);
  // The usager moves on: the reading stops with the page.
  window.addEventListener("pagehide", stop);
})();
