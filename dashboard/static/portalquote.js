// Portalquote's page script, linked by the page shell (dashboard/server.py) from the app's
// own origin, so that a Content-Security-Policy of script-src 'self' allows it.

// Vollbild: the Sitzungsmodus button (key "vollbild") puts the page into the browser's full
// screen and back. Only a page's own click handler may ask for it; the keys of the slides
// are Streamlit's own button shortcuts.
document.addEventListener(
  "click",
  (event) => {
    if (!event.target.closest(".st-key-vollbild button")) return;
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  },
  true,
);
