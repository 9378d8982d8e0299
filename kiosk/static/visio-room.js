// The confidential room's screen: reload when the call's state changes (the page itself
// works without script; this only keeps it current).
'use strict';
(() => {
  const url = document.body.dataset.state;
  let seen = null;
  setInterval(async () => {
    try {
      const response = await fetch(url, { cache: 'no-store' });
      const state = await response.json();
      if (seen !== null && state.version !== seen) location.reload();
      seen = state.version;
    } catch (e) { /* the daemon restarts: try again at the next tick */ }
  }, 1000);
})();
