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
