// kohoshi service worker, served at /sw.js (scope /) with `self.KH` set on the line above this
// one (kohoshi/reading/pwa.py): the version, the files to precache, the offline page, the
// push script.
//
// Static files (hashed names): cache-first. Pages: network-first; without a network, a saved
// article (マイ切り抜き, written by pwa.js into the "kh-saved" cache) or a precached page, else
// the offline page. Nothing else is cached: what is readable offline is what the reader saved.
/* global KH */
"use strict";

var STATIC_CACHE = "kh-static-" + KH.version;
var SAVED_CACHE = "kh-saved-v1";
// Pages say Vary: Cookie, Accept-Language; a navigation's headers never equal those of the
// request that stored the copy, and offline any copy is better than none.
var ANY_VARY = { ignoreVary: true };

// Web Push and notification clicks (the subscriptions app). Guarded: the site works, and the
// worker installs, whether or not that script is deployed.
if (KH.push) {
  try {
    importScripts(KH.push);
  } catch (error) {
    console.warn("kohoshi: push script not loaded", error);
  }
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(KH.precache); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("kh-static-") === 0 && name !== STATIC_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function bypassed(url) {
  return KH.bypass.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function networkFirstPage(request) {
  return fetch(request).catch(function () {
    return caches.open(SAVED_CACHE)
      .then(function (saved) { return saved.match(request, ANY_VARY); })
      .then(function (hit) { return hit || caches.match(request, { cacheName: STATIC_CACHE, ignoreVary: true }); })
      .then(function (hit) { return hit || caches.match(KH.offline, { cacheName: STATIC_CACHE, ignoreVary: true }); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || bypassed(url)) return;
  if (url.pathname.indexOf(KH.static) === 0) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  }
});
