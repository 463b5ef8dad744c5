// The app side of kohoshi: registers the service worker (/sw.js) and keeps マイ切り抜き
// (saved articles). A saved article's page goes into Cache Storage ("kh-saved-v1", which the
// worker answers from when the network is gone) and its title, town and date into a list in
// localStorage ("kh-kirinuki"), which the 切り抜き page shows. Nothing is sent to the server.
// Without JavaScript or a service worker the save button stays hidden.
(function () {
  "use strict";
  var CACHE = "kh-saved-v1";
  var KEY = "kh-kirinuki";
  var supported = "serviceWorker" in navigator && "caches" in window && storageWorks();

  function storageWorks() {
    try {
      localStorage.setItem("kh-test", "1");
      localStorage.removeItem("kh-test");
      return true;
    } catch (e) {
      return false;
    }
  }

  if (!supported) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
    console.warn("kohoshi: service worker not registered", error);
  });

  function savedList() {
    try {
      var list = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function keep(list) {
    localStorage.setItem(KEY, JSON.stringify(list));
  }

  function isSaved(url) {
    return savedList().some(function (item) { return item.url === url; });
  }

  function save(entry) {
    // The reader has just read this page; the copy is fetched again so that what is kept is the
    // page as the server renders it (the header tells the server it is not a second reading).
    return fetch(entry.url, { credentials: "same-origin", headers: { "X-Kohoshi-Save": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return caches.open(CACHE).then(function (cache) { return cache.put(entry.url, response); });
      })
      .then(function () {
        var list = savedList().filter(function (item) { return item.url !== entry.url; });
        entry.savedAt = new Date().toISOString();
        list.unshift(entry);
        keep(list);
      });
  }

  function remove(url) {
    keep(savedList().filter(function (item) { return item.url !== url; }));
    return caches.open(CACHE).then(function (cache) { return cache.delete(url, { ignoreVary: true }); });
  }

  // The article page: 切り抜きに保存 / 保存済み.
  var tool = document.querySelector("[data-kh-save]");
  if (tool) {
    var button = tool.querySelector("button");
    var status = tool.querySelector("[role=status]");
    var entry = {
      url: tool.getAttribute("data-url"),
      title: tool.getAttribute("data-title"),
      place: tool.getAttribute("data-place"),
      issue: tool.getAttribute("data-issue"),
      date: tool.getAttribute("data-date")
    };
    var show = function (saved) {
      button.setAttribute("aria-pressed", saved ? "true" : "false");
      button.textContent = saved ? tool.getAttribute("data-label-saved") : tool.getAttribute("data-label-save");
    };
    show(isSaved(entry.url));
    tool.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      var done = isSaved(entry.url) ? remove(entry.url).then(function () { return false; })
                                    : save(entry).then(function () { return true; });
      done.then(function (saved) {
        show(saved);
        status.textContent = tool.getAttribute(saved ? "data-done-saved" : "data-done-removed");
      }).catch(function () {
        status.textContent = tool.getAttribute("data-done-failed");
      }).then(function () { button.disabled = false; });
    });
  }

  // The 切り抜き page: the list from localStorage.
  var shelf = document.getElementById("kh-kirinuki");
  if (shelf) {
    var render = function () {
      var list = savedList();
      var items = shelf.querySelector("ul");
      items.textContent = "";
      shelf.querySelector("[data-empty]").hidden = list.length > 0;
      shelf.querySelector("[data-count]").textContent = list.length ? shelf.getAttribute("data-count-label").replace("%s", list.length) : "";
      list.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "kh-kirinuki__item";
        var link = document.createElement("a");
        link.href = item.url;
        link.lang = "ja";
        link.textContent = item.title;
        var meta = document.createElement("span");
        meta.className = "kh-kirinuki__meta";
        meta.lang = "ja";
        meta.textContent = [item.place, item.issue, item.date].filter(Boolean).join(" ・ ");
        var drop = document.createElement("button");
        drop.type = "button";
        drop.textContent = shelf.getAttribute("data-label-remove");
        var hidden = document.createElement("span");
        hidden.className = "kh-visually-hidden";
        hidden.textContent = ": " + item.title;
        drop.appendChild(hidden);
        drop.addEventListener("click", function () {
          remove(item.url).then(function () {
            render();
            shelf.querySelector("[role=status]").textContent = shelf.getAttribute("data-done-removed");
          });
        });
        li.appendChild(link);
        li.appendChild(meta);
        li.appendChild(drop);
        items.appendChild(li);
      });
    };
    shelf.querySelector("[data-needs-js]").hidden = true;
    render();
  }
})();
