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
  window.guichetSpeech = { played: played, say: say, add: add, stop: stop };

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

  // After what is being said (the warning's countdown does not cut its own explanation).
  function add(items) {
    var idle = audio.paused && !queue.length;
    queue = queue.concat(items.filter(function (item) { return item.text; }));
    if (idle) next();
  }

  function visible(element) {
    return !element.closest("[hidden], [aria-hidden=true], script, style, template, .languages, #ecouter, [data-private]");
  }
  // The texts of a part of the page, in reading order: its text nodes, and the labels of its
  // controls (never an input's value: that is what the usager typed).
  function pieces(root, skip) {
    var items = [];
    if (!root) return items;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || !visible(node.parentElement) || (skip && skip.contains(node))) continue;
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

  // The screen, as "Écouter" reads it: the warning when it is open; else the page's title
  // first, then its texts and choices in order, then the actions at the bottom.
  function screen() {
    var dialog = document.getElementById("avertissement");
    if (dialog && !dialog.hidden) return pieces(dialog);
    var main = document.querySelector("main");
    var title = main && main.querySelector("h1");
    return pieces(title).concat(pieces(main, title), pieces(document.querySelector("footer")));
  }
  window.guichetSpeech.screen = screen;
  listen.addEventListener("click", function () {
    if (reading) { stop(); return; }
    say(screen(), true);
  });

  // Keyboard and switch users hear where they are; a pointer's focus stays silent.
  var byKeyboard = false;
  document.addEventListener("keydown", function () { byKeyboard = true; }, true);
  document.addEventListener("pointerdown", function () { byKeyboard = false; }, true);
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!byKeyboard || !target.matches("a, button, input, select, textarea")) return;
    // The language links each say their name in their own voice; "Écouter" says itself.
    if (target === listen || target.closest(".languages")) { say([{ text: clean(target.textContent), lang: langOf(target) }]); return; }
    say(label(target));
  });

  // Tab and Enter alone (a keyboard, a switch device): Enter on a choice moves to the group's
  // next choice, which says itself, where a form would otherwise be sent with the first one.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.matches("input[type=radio]")) return;
    event.preventDefault();
    var group = Array.prototype.filter.call(target.form ? target.form.elements : [], function (e) { return e.type === "radio" && e.name === target.name; });
    var next = group[(group.indexOf(target) + 1) % group.length];
    next.checked = true;
    next.focus();
  }, true);

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
