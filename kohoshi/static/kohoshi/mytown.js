// わたしのまち: suggestions while typing in the municipality search, and the state of the
// "わたしのまちにする" button on a municipality page. Without JavaScript the same forms work
// through /my-town/ and ?town= (server-rendered); this only saves round trips.
(function () {
  "use strict";

  function chosenCodes() {
    var match = document.cookie.match(/(?:^|;\s*)kh_towns=([^;]*)/);
    return match ? decodeURIComponent(match[1]).split(".") : [];
  }

  // A municipality page: say so when the town is already chosen.
  document.querySelectorAll("form[data-kh-town]").forEach(function (form) {
    if (chosenCodes().indexOf(form.getAttribute("data-kh-town")) === -1) return;
    form.querySelector("button").hidden = true;
    form.querySelector(".kh-help").hidden = true;
    form.querySelector(".kh-mytown-add__chosen").hidden = false;
  });

  var input = document.querySelector("[data-kh-town-search]");
  var box = document.getElementById("kh-town-results");
  if (!input || !box || !window.fetch) return;
  var endpoint = input.getAttribute("data-kh-town-search");
  var timer = null;
  var asked = "";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function render(data) {
    box.textContent = "";
    if (!data.query) return;
    if (!data.results.length) {
      box.appendChild(element("p", "", "「" + data.query + "」: " + box.getAttribute("data-label-none")));
      return;
    }
    var chosen = chosenCodes();
    var form = element("form");
    form.action = box.getAttribute("data-action");
    form.method = "get";
    var next = element("input");
    next.type = "hidden";
    next.name = "next";
    next.value = box.getAttribute("data-next");
    form.appendChild(next);
    var list = element("ul", "kh-townlist");
    data.results.forEach(function (town) {
      var item = element("li");
      var name = element("span", "kh-townlist__name", town.name);
      name.lang = "ja";
      name.appendChild(element("span", "kh-kana", town.kana));
      item.appendChild(name);
      if (town.publishing) item.appendChild(element("span", "kh-tag", box.getAttribute("data-label-publishing")));
      if (chosen.indexOf(town.code) !== -1) {
        item.appendChild(element("span", "kh-townlist__chosen", box.getAttribute("data-label-chosen")));
      } else {
        var button = element("button", "kh-button", box.getAttribute("data-label-add"));
        button.type = "submit";
        button.name = "add";
        button.value = town.code;
        button.appendChild(element("span", "kh-visually-hidden", ": " + town.name));
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    form.appendChild(list);
    box.appendChild(form);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = input.value.trim();
      if (query === asked) return;
      asked = query;
      if (!query) { render({ query: "", results: [] }); return; }
      fetch(endpoint + "?town=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && data.query === input.value.trim()) render(data); })
        .catch(function () { /* offline: the form still submits */ });
    }, 250);
  });
})();
