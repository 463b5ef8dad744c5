/* The manage page's "この端末にも通知する": subscribe this browser to Web Push and send its
   PushSubscription with the page's token (kohoshi/subscriptions/views.py push_register).
   Shown only where the site's service worker is registered and the browser can push. */
(function () {
  var box = document.getElementById('kh-push');
  if (!box || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) { return; }
  var button = box.querySelector('button');
  var status = box.querySelector('[role=status]');
  function b64ToBytes(text) {
    var padded = (text + '==='.slice((text.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  navigator.serviceWorker.getRegistration('/').then(function (registration) {
    if (!registration) { return; }
    box.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      fetch(box.dataset.keyUrl).then(function (r) {
        if (!r.ok) { throw new Error('key'); }
        return r.json();
      }).then(function (key) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(key.applicationServerKey) });
      }).then(function (subscription) {
        var csrf = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        return fetch(box.dataset.registerUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
          body: JSON.stringify({ subscription: subscription.toJSON(), token: box.dataset.token, prefer: 'push' })
        });
      }).then(function (r) {
        if (!r.ok) { throw new Error('register'); }
        status.textContent = box.dataset.done;
      }).catch(function () {
        status.textContent = box.dataset.failed;
        button.disabled = false;
      });
    });
  });
})();
