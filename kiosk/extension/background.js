// Calls the daemon for the bar (the extension may reach the station's own origin; a page may not).
chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (!message.help) return false;
  fetch(chrome.runtime.getURL("station.json"))
    .then((r) => r.json())
    .then((station) => fetch(station.base + "/aide", {
      method: "POST", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _k: station.session, back: station.base + "/accueil" }),
    }))
    .then((r) => reply({ ok: r.status === 0 || r.status < 400 || r.type === "opaqueredirect" }))
    .catch(() => reply({ ok: false }));
  return true;
});

// One window only: a new normal window (Ctrl+N) is closed at once; a site's pop-up (a
// sign-in window) is left alone.
chrome.windows.onCreated.addListener((created) => {
  if (created.type !== "normal") return;
  chrome.windows.getAll({ windowTypes: ["normal"] }, (windows) => {
    if (windows.length > 1) chrome.windows.remove(created.id);
  });
});

// The browser's own pages (downloads, history, settings, a file…) are blocked by policy, but
// a shortcut still opens a tab on the refusal, with no way back in kiosk mode: such a tab is
// closed, or sent to the station's home when it is the only one.
const browserPage = /^(chrome|chrome-untrusted|chrome-search|devtools|view-source|file|filesystem):/;
function leaveBrowserPage(tab) {
  const url = tab.pendingUrl || tab.url || "";
  if (!browserPage.test(url)) return;
  chrome.tabs.query({ windowId: tab.windowId }, (tabs) => {
    if (tabs.length > 1) { chrome.tabs.remove(tab.id); return; }
    fetch(chrome.runtime.getURL("station.json")).then((r) => r.json())
      .then((station) => chrome.tabs.update(tab.id, { url: station.base + "/accueil" }));
  });
}
chrome.tabs.onCreated.addListener(leaveBrowserPage);
chrome.tabs.onUpdated.addListener((id, change, tab) => { if (change.url || change.status === "loading") leaveBrowserPage(tab); });
