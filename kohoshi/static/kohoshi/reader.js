// A page the service worker answers from マイ切り抜き was rendered with the settings of the day it
// was saved: take the reader's settings of today from the cookies that /settings/ sets.
(function () {
  "use strict";
  // cookie: [class prefix, allowed values] (kohoshi.reading.context_processors.READER_SETTINGS)
  var SETTINGS = {
    kh_font: ["font", ["s", "m", "l", "xl"]],
    kh_contrast: ["contrast", ["normal", "high"]],
    kh_spacing: ["spacing", ["normal", "wide", "wider"]],
    kh_theme: ["theme", ["auto", "light", "dark"]]
  };
  var root = document.documentElement;
  document.cookie.split("; ").forEach(function (pair) {
    var eq = pair.indexOf("="), setting = SETTINGS[pair.slice(0, eq)], value = pair.slice(eq + 1);
    if (!setting || setting[1].indexOf(value) < 0) return;
    if (setting[0] === "theme" && root.hasAttribute("data-kh-theme-fixed")) return;  // staff pages
    var prefix = "kh-" + setting[0] + "-";
    root.className = root.className.replace(new RegExp("\\b" + prefix + "\\w+"), prefix + value);
  });
})();

// Reader settings without a page load. Without JavaScript the same buttons submit a form
// to /settings/, which sets the same cookie; this only saves the round trip.
(function () {
  "use strict";
  var YEAR = 365 * 24 * 3600;
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".kh-fontsize button[name=font]");
    if (!button) return;
    event.preventDefault();
    var size = button.value;
    document.cookie = "kh_font=" + size + "; max-age=" + YEAR + "; path=/; samesite=lax";
    var root = document.documentElement;
    root.className = root.className.replace(/\bkh-font-\w+/, "kh-font-" + size);
    document.querySelectorAll(".kh-fontsize button[name=font]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  });
})();

// Behind nginx, which may answer from its cache without asking kohoshi, an article page counts
// its view here (the page names the beacon's URL only then).
(function () {
  "use strict";
  var beacon = document.querySelector('meta[name="kh-view-beacon"]');
  if (!beacon || !navigator.sendBeacon) return;
  navigator.sendBeacon(beacon.getAttribute("content"));
})();
