/* Web Push handlers, imported by the service worker (sw.js: importScripts('/static/kohoshi/sw-push.js')).
   The server sends JSON {title, body, url, tag} (kohoshi/subscriptions/channels/webpush.py). */
self.addEventListener('push', function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : '' }; }
  var title = data.title || '新しい広報紙が公開されました';
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || '',
    tag: data.tag || undefined,
    icon: '/static/kohoshi/favicon.svg',
    lang: 'ja',
    data: { url: data.url || '/' }
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || '/';
  var url = new URL(target, self.location.origin);
  // Only our own pages open from a notification.
  if (url.origin !== self.location.origin) { url = new URL(url.pathname + url.search, self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === url.href && 'focus' in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(url.href);
  }));
});
