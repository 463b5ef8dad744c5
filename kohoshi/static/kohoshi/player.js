// Speed buttons for the read-aloud player (reading_aids/_tools.html). Without JavaScript the
// group stays hidden and the browser's own controls remain.
(function () {
  "use strict";
  document.querySelectorAll(".kh-listen").forEach(function (section) {
    var audio = section.querySelector("audio");
    var group = section.querySelector(".kh-listen__speed");
    if (!audio || !group) return;
    group.hidden = false;
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-rate]");
      if (!button) return;
      audio.playbackRate = parseFloat(button.dataset.rate);
      group.querySelectorAll("button[data-rate]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    });
  });
})();
