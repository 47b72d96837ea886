// The installable app: registers the service worker (/sw.js), tells it when the network is
// back (so drafts saved offline go), and offers "notify me on this phone" where a page has
// a [data-push-subscribe] button: permission, the server's key, the browser's push
// subscription, handed to Duta with the page's CSRF token.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;

  function keyBytes(b64) {
    var pad = '='.repeat((4 - (b64.length % 4)) % 4);
    var raw = atob((b64 + pad).replace(/-/g, '+').replace(/_/g, '/'));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function offerPush(reg) {
    var button = document.querySelector('[data-push-subscribe]');
    if (!button || !('PushManager' in window) || !('Notification' in window)) return;
    var status = document.querySelector('[data-push-status]');
    var say = function (key) {
      if (status) status.textContent = button.getAttribute('data-' + key) || '';
    };
    button.hidden = false;
    reg.pushManager.getSubscription().then(function (sub) {
      if (sub) say('done');
    });
    button.addEventListener('click', function () {
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== 'granted') {
            say('denied');
            return null;
          }
          return fetch('/push/key', { credentials: 'same-origin' })
            .then(function (r) {
              return r.json();
            })
            .then(function (k) {
              return reg.pushManager.subscribe({
                userVisibleOnly: true,
                applicationServerKey: keyBytes(k.public_key),
              });
            })
            .then(function (sub) {
              var j = sub.toJSON();
              var body = new URLSearchParams();
              body.set('endpoint', j.endpoint);
              body.set('p256dh', j.keys.p256dh);
              body.set('auth', j.keys.auth);
              body.set('csrf_token', button.getAttribute('data-csrf') || '');
              return fetch('/push/subscriptions', { method: 'POST', credentials: 'same-origin', body: body });
            })
            .then(function (r) {
              say(r.ok ? 'done' : 'failed');
            });
        })
        .catch(function () {
          say('failed');
        });
    });
  }

  window.addEventListener('load', function () {
    navigator.serviceWorker
      .register('/sw.js')
      .then(function (reg) {
        window.addEventListener('online', function () {
          if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage('online');
        });
        offerPush(reg);
      })
      .catch(function () {});
  });
})();
