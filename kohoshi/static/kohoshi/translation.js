// The "preparing the translation" page (newsletters/article_translation.html): asks for the same
// page every few seconds and shows it once the translation is there. Without JavaScript the
// page's own link does the same.
(function () {
  "use strict";
  var status = document.querySelector("[data-kh-translation-pending]");
  if (!status || !window.fetch) return;
  var every = (parseInt(status.dataset.refresh, 10) || 5) * 1000;
  var tries = 0;
  function poll() {
    if (++tries > 60) return; // five minutes: the link stays for whoever is still here
    fetch(location.pathname, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        if (text && text.indexOf("data-kh-translation-pending") === -1) location.reload();
        else setTimeout(poll, every);
      })
      .catch(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
