// The station's bar on partner sites: back to the station's home, call an agent, finish.
// In a shadow root, so that no site's CSS restyles it.
(async function () {
  "use strict";
  if (window.top !== window) return;  // once per page, not in frames
  const station = await (await fetch(chrome.runtime.getURL("station.json"))).json();
  const host = document.createElement("div");
  host.id = "guichet-barre";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      nav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483647; display: flex; gap: 12px; justify-content: center;
            padding: 10px; background: #f0f0f5; border-top: 4px solid #000091; font: bold 20px/1.3 "DejaVu Sans", Arial, sans-serif; }
      button { font: inherit; min-height: 60px; padding: 8px 22px; border-radius: 8px; border: 3px solid #000091; background: #fff; color: #000091; cursor: pointer; }
      button.help { color: #b3261e; border-color: #b3261e; }
      button.end { color: #161616; border-color: #161616; }
      button:focus-visible { outline: 4px solid #ffbf47; outline-offset: 3px; }
      p { position: fixed; left: 0; right: 0; bottom: 84px; margin: 0; padding: 12px; background: #e6feda; border-top: 4px solid #18753c;
          font: 20px/1.3 "DejaVu Sans", Arial, sans-serif; color: #161616; text-align: center; z-index: 2147483647; }
    </style>
    <p role="status" hidden></p>
    <nav aria-label="${station.labels.bar}">
      <button type="button" class="help">${station.labels.callAgent}</button>
      <button type="button" class="home">${station.labels.home}</button>
      <button type="button" class="end">${station.labels.end}</button>
    </nav>`;
  const status = root.querySelector("p");
  root.querySelector(".home").addEventListener("click", () => { window.location.href = station.base + "/accueil"; });
  root.querySelector(".end").addEventListener("click", () => { window.location.href = station.base + "/terminer"; });
  root.querySelector(".help").addEventListener("click", () => {
    chrome.runtime.sendMessage({ help: true }, (answer) => {
      status.textContent = answer && answer.ok ? station.labels.helpComing : station.labels.helpFailed;
      status.hidden = false;
    });
  });
  document.documentElement.appendChild(host);
  // Leave room for the bar at the bottom of the page.
  document.documentElement.style.setProperty("padding-bottom", "90px", "important");
})();
