// Duta's service worker (served as /sw.js so that it covers the whole site). It keeps the
// shell and the pages of briefs the ambassador has opened, so a brief opens without a
// network; a draft saved while offline waits on the phone and is sent when the network
// is back; and it shows Web Push messages (urgent briefs) and opens the brief when one is
// tapped. Nothing here decides what is true: every answer it keeps is the server's own,
// shown only when the server cannot be reached.
'use strict';

// The shell (kept until a new worker replaces it) and the pages read (forgotten at
// sign-out).
const VERSION = 'duta-shell-v1';
const PAGES = 'duta-pages';
const SHELL = [
  '/offline',
  '/assets/css/duta.css',
  '/assets/js/menu.js',
  '/assets/js/app.js',
  '/assets/icons/duta.svg',
  '/assets/icons/duta-192.png',
];
// Pages kept for reading offline: a brief, the ambassador's week.
const KEPT = [/^\/briefs\/\d+$/, /^\/$/, /^\/progress$/, /^\/hoaxes\/mine$/];
// Forms that may be sent later: a draft composed from a template.
const LATER = /^\/briefs\/\d+\/compose$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION && k !== PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
      .then(() => sendQueued()),
  );
});

function kept(url) {
  return url.origin === self.location.origin && KEPT.some((re) => re.test(url.pathname));
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // Signing out forgets the pages kept for reading offline: a shared phone shows the next
  // person nothing of the last one.
  if (req.method === 'POST' && url.pathname === '/logout') {
    event.respondWith(caches.delete(PAGES).then(() => fetch(req)));
    return;
  }
  if (req.method === 'POST' && LATER.test(url.pathname)) {
    event.respondWith(sendOrQueue(req));
    return;
  }
  if (req.method !== 'GET') return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === 'navigate' || kept(url)) {
    event.respondWith(
      fetch(req)
        .then((resp) => {
          if (resp.ok && kept(url)) {
            const copy = resp.clone();
            caches.open(PAGES).then((c) => c.put(req, copy));
          }
          // Back online: anything saved while offline goes now.
          sendQueued();
          return resp;
        })
        .catch(() =>
          caches.match(req).then((hit) => hit || (req.mode === 'navigate' ? caches.match('/offline') : Response.error())),
        ),
    );
  }
});

// ---- Drafts saved while offline: kept in IndexedDB, sent when the network is back.

function db() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('duta', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('queue', { keyPath: 'id', autoIncrement: true });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function store(mode, work) {
  return db().then(
    (d) =>
      new Promise((resolve, reject) => {
        const tx = d.transaction('queue', mode);
        const result = work(tx.objectStore('queue'));
        tx.oncomplete = () => resolve(result.result);
        tx.onerror = () => reject(tx.error);
      }),
  );
}

async function sendOrQueue(req) {
  const body = await req.clone().text();
  try {
    return await fetch(req);
  } catch (e) {
    await store('readwrite', (q) => q.add({ url: req.url, body, at: Date.now() }));
    if (self.registration.sync) {
      self.registration.sync.register('duta-drafts').catch(() => {});
    }
    const page = await caches.match('/offline');
    const text = page ? await page.text() : '';
    return new Response(text.replace('data-queued="0"', 'data-queued="1"'), {
      status: 202,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    });
  }
}

let sending = null;

function sendQueued() {
  if (sending) return sending;
  sending = (async () => {
    const items = await store('readonly', (q) => q.getAll()).catch(() => []);
    for (const item of items || []) {
      try {
        const resp = await fetch(item.url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: item.body,
          redirect: 'manual',
        });
        // Stored (a redirect back to the brief), or refused for good (the page would show
        // why): either way it leaves the queue. A server error keeps it for next time.
        if (resp.status < 500) {
          await store('readwrite', (q) => q.delete(item.id));
        }
      } catch (e) {
        break;
      }
    }
  })().finally(() => {
    sending = null;
  });
  return sending;
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'duta-drafts') event.waitUntil(sendQueued());
});

self.addEventListener('message', (event) => {
  if (event.data === 'online') event.waitUntil(sendQueued());
});

// ---- Push messages: an urgent brief.

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { title: event.data ? event.data.text() : 'Duta' };
  }
  const url = typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/';
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(data.title || 'Duta', {
        body: data.body || '',
        tag: data.tag || 'duta',
        icon: '/assets/icons/duta-192.png',
        badge: '/assets/icons/duta-192.png',
        data: { url },
        requireInteraction: true,
      }),
      // The brief is kept for reading offline before it is even opened.
      caches.open(PAGES).then((c) => c.add(url)).catch(() => {}),
    ]),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((all) => {
      for (const c of all) {
        if (new URL(c.url).pathname === url && 'focus' in c) return c.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
