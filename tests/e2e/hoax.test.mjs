// Browser journey of the counter-hoax loop on a phone: an ambassador reports a hoax; a
// coordinator confirms it and publishes the clarification made from it in one step; Duta
// pushes it (to a push service on 127.0.0.1 that checks the VAPID signature and decrypts
// the message, tests/push/fake_push.py), and the very message Duta sent is handed to the
// ambassador's service worker (Chromium's DevTools protocol delivers push messages; there
// is no Google push service here), which shows it; the brief opens offline from the
// worker's cache; the ambassador posts; the coordinator's audience page shows who has seen
// and posted, with the time to amplify. Screenshots: h0-… to h9-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import path from 'node:path';
import {
  ADMIN, approvedAmbassador, REPO, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, h1,
  login, logout, newContext, pathOf, server, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const COORDINATOR = { email: 'humas@kominfo-kota.go.id', name: 'Humas Kota', password: 'koordinator-kota-2026' };
const DUTA = {
  email: 'sari@kominfo-kota.go.id', name: 'Sari Wulandari', display: 'Sari', password: 'duta-sari-2026!',
  nip: '19910304 201603 2 004', phone: '0812 4444 1001',
};
const HOAX_LINK = 'https://berita-palsu.example/banjir-tanggul-jebol';

let fake; // { proc, port, subscriptions }

async function startFakePush() {
  const proc = spawn('python3', [path.join(REPO, 'tests', 'push', 'fake_push.py'), 'sari'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`fake push service exited (${code})`)));
  });
  return { proc, ...JSON.parse(first) };
}

async function pushLog() {
  const res = await fetch(`http://127.0.0.1:${fake.port}/log`);
  return res.json();
}

before(async () => {
  clearShots(/^h\d-.*\.png$/);
  fake = await startFakePush();
  await startServer({
    DUTA_PUSH: `{services=["http://127.0.0.1:${fake.port}"], private_addresses=["127.0.0.1"], timeout_secs=2}`,
  });
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally {
    await stopServer();
    fake?.proc.kill();
  }
});

describe('a hoax, reported and answered within the hour', () => {
  const step = stepper();
  let phone;
  let ambassador;
  let desk;
  let coordinator;
  let briefPath;
  let koor;

  before(async () => {
    phone = await newContext(SMALL_PHONE);
    await phone.grantPermissions(['notifications'], { origin: server.base });
    ambassador = await phone.newPage();
    desk = await newContext();
    coordinator = await desk.newPage();
  });
  after(async () => { await phone?.close(); await desk?.close(); });

  step('an institution, its coordinator and an approved ambassador (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Diskominfo Kota Contoh', kind: 'regency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Bidang IKP' }, expect: 201 });
    await api('POST', '/users', {
      token, expect: 201,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
    });
    koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    await approvedAmbassador(koor.token, inst.id, unit.id, DUTA, { facebook: 'sari.fb', x: 'sari_x', instagram: 'sari.ig' });
    // Her phone's browser subscribed to push: in this sandbox through the push service on
    // 127.0.0.1 (Chromium's own would be Google's), with the keys that service made.
    const sari = await api('POST', '/auth/login', { body: { email: DUTA.email, password: DUTA.password } });
    await api('POST', '/push/subscriptions', { token: sari.token, body: fake.subscriptions.sari, expect: 201 });
  });

  step('the ambassador reports a hoax from her phone', async () => {
    await login(ambassador, DUTA);
    await ambassador.goto(url('/hoaxes/new'));
    assert.equal(await h1(ambassador), 'Laporkan hoaks atau isu');
    await ambassador.getByLabel('Tautan', { exact: true }).fill('javascript:alert(1)');
    await ambassador.getByLabel('Beredar di', { exact: true }).selectOption('whatsapp');
    await ambassador.getByLabel('Catatan', { exact: true }).fill('Foto tanggul jebol beredar di grup RT, katanya hari ini.');
    await submit(ambassador, ambassador.getByRole('button', { name: 'Kirim laporan', exact: true }));
    assert.match(await text(ambassador.locator('#f-links-error')), /Tautan harus berupa alamat web/);
    assert.equal(await ambassador.getByLabel('Catatan', { exact: true }).inputValue(),
      'Foto tanggul jebol beredar di grup RT, katanya hari ini.', 'the note is kept');
    await shot(ambassador, 'h0-report-refused-phone.png');
    await ambassador.getByLabel('Tautan', { exact: true }).fill(HOAX_LINK);
    await ambassador.getByLabel('Dilihat di mana', { exact: true }).fill('Grup WhatsApp RT 05');
    await submit(ambassador, ambassador.getByRole('button', { name: 'Kirim laporan', exact: true }));
    assert.equal(pathOf(ambassador), '/hoaxes/mine');
    const mine = ambassador.locator('.hoax-report-mine').first();
    assert.match(await text(mine), /^Baru Foto tanggul jebol/);
    await checkA11y(ambassador, 'my hoax reports (phone)');
    await checkPhoneLayout(ambassador, 'my hoax reports');
    await shot(ambassador, 'h1-reported-phone.png');
  });

  step('the coordinator confirms it and publishes the clarification made from it', async () => {
    await login(coordinator, COORDINATOR);
    await coordinator.goto(url('/hoaxes'));
    await checkA11y(coordinator, 'hoax triage');
    await submit(coordinator, coordinator.getByRole('link', { name: /^Foto tanggul jebol/ }));
    assert.match(pathOf(coordinator), /^\/hoaxes\/\d+$/);
    await coordinator.getByRole('radio', { name: 'Hoaks', exact: true }).check();
    await coordinator.getByLabel('Catatan untuk pelapor', { exact: true }).fill('Foto lama 2019; tanggul aman, kata BPBD.');
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan keputusan', exact: true }));
    await checkA11y(coordinator, 'a confirmed hoax case');
    await shot(coordinator, 'h2-case-confirmed.png');
    await submit(coordinator, coordinator.getByRole('button', { name: 'Buat brief klarifikasi', exact: true }));
    assert.match(pathOf(coordinator), /^\/briefs\/\d+\/edit$/);
    briefPath = pathOf(coordinator).replace(/\/edit$/, '');
    assert.match(await coordinator.getByLabel('Judul', { exact: true }).inputValue(), /^Klarifikasi: Foto tanggul jebol/);
    await coordinator.getByLabel('Pesan kunci', { exact: true })
      .fill('Foto tanggul jebol yang beredar adalah foto lama tahun 2019.\nTanggul dalam keadaan aman (BPBD Kota Contoh).');
    await coordinator.getByRole('radio', { name: 'Terbit', exact: true }).check();
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan brief', exact: true }));
    assert.equal(pathOf(coordinator), briefPath);
    await shot(coordinator, 'h3-clarification-published.png');
  });

  step('Duta pushed it at once, and the phone shows the very message it sent', async () => {
    let log = [];
    for (let i = 0; i < 100 && log.length === 0; i++) {
      log = await pushLog();
      if (log.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(log.length, 1, JSON.stringify(log));
    assert.equal(log[0].problem, null, 'VAPID checked and the body decrypted by http_ece');
    const message = log[0].message;
    assert.equal(message.url, briefPath);
    assert.match(message.title, /^Mendesak: Klarifikasi: Foto tanggul jebol/);

    // The service worker is installed and controls the page.
    await ambassador.goto(url('/'));
    await ambassador.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await phone.newCDPSession(ambassador);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    for (let i = 0; i < 50 && registrations.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const registration = registrations.find((r) => r.scopeURL === `${server.base}/`);
    assert.ok(registration, `a service worker for the site: ${JSON.stringify(registrations)}`);
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.base, registrationId: registration.registrationId, data: JSON.stringify(message),
    });
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      shown = await ambassador.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data && n.data.url }));
      });
      if (shown.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(shown, [{ title: message.title, body: message.body, url: briefPath }]);
  });

  step('a draft saved offline waits on the phone and goes when the network is back', async () => {
    await ambassador.goto(url(`${briefPath}/compose`));
    await submit(ambassador, ambassador.getByRole('link', { name: 'Klarifikasi hoaks', exact: true }));
    await ambassador.getByLabel('Klaim', { exact: true }).fill('tanggul di Kota Contoh jebol hari ini.');
    await ambassador.getByLabel('Fakta', { exact: true }).fill('foto itu dari 2019; tanggul aman menurut BPBD.');
    await ambassador.getByLabel('Cara cek', { exact: true }).fill('Cek kabar resmi di bpbd.kotacontoh.go.id.');
    await ambassador.getByLabel('Ajakan', { exact: true }).fill('Jangan teruskan fotonya, bagikan klarifikasi ini.');
    await submit(ambassador, ambassador.getByRole('button', { name: 'Lihat draf', exact: true }));
    await phone.setOffline(true);
    const x = ambassador.locator('section.draft', { has: ambassador.getByRole('heading', { name: 'X (Twitter)', exact: true }) });
    await submit(ambassador, x.getByRole('button', { name: 'Simpan draf', exact: true }));
    assert.equal(await h1(ambassador), 'Anda sedang offline');
    assert.ok(await ambassador.locator('.queued-note').isVisible(), 'the page says the draft waits on the phone');
    await shot(ambassador, 'h4-draft-kept-offline-phone.png');
    await phone.setOffline(false);
    // Back online: the next page the worker fetches sends what waited.
    await ambassador.goto(url('/'));
    let saved = '';
    for (let i = 0; i < 50; i++) {
      await ambassador.goto(url(`${briefPath}/compose`));
      const list = ambassador.locator('section', { has: ambassador.getByRole('heading', { name: 'Draf tersimpan' }) });
      if (await list.count()) { saved = await text(list); break; }
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(saved, /Beredar kabar: tanggul di Kota Contoh jebol hari ini\./);
  });

  step('the brief opens offline from the phone, and she posts once back online', async () => {
    await ambassador.goto(url(briefPath));
    const title = await h1(ambassador);
    assert.match(title, /^Klarifikasi: Foto tanggul jebol/);
    await phone.setOffline(true);
    await ambassador.goto(url(briefPath));
    assert.equal(await h1(ambassador), title, 'read from the service worker\'s cache');
    await shot(ambassador, 'h5-brief-offline-phone.png');
    await ambassador.goto(url('/leaderboard'));
    assert.equal(await h1(ambassador), 'Anda sedang offline');
    await phone.setOffline(false);
    await ambassador.goto(url(briefPath));
    const form = ambassador.locator('form.submission');
    await form.getByLabel('Platform', { exact: true }).selectOption('instagram');
    await form.getByLabel('Tautan unggahan', { exact: true }).fill('https://www.instagram.com/p/CKlarifikasi1/');
    await submit(ambassador, form.getByRole('button', { name: 'Kirim unggahan', exact: true }));
    assert.equal(await text(ambassador.locator('main > .flash')), 'Unggahan terkirim dan menunggu verifikasi koordinator.');
    await shot(ambassador, 'h6-posted-phone.png');
  });

  step("the coordinator's audience page shows who has seen and posted, and how fast", async () => {
    await coordinator.goto(url(`${briefPath}/audience`));
    const section = coordinator.locator('section.amplification');
    assert.match(await text(section), /Waktu amplifikasi: median \d+ menit dari terbit sampai unggahan pertama\./);
    const row = (name) => section.locator('tr', { has: coordinator.getByText(name, { exact: true }) });
    assert.match(await text(row('Menerima notifikasi push')), /1 \/ 1$/);
    assert.match(await text(row('Sudah membuka brief')), /1 \/ 1$/);
    assert.match(await text(row('Sudah mengirim unggahan')), /1 \/ 1$/);
    await checkA11y(coordinator, 'an urgent brief\'s amplification');
    await shot(coordinator, 'h7-amplification.png');
    // The reporter sees the case answered, with the clarification.
    await ambassador.goto(url('/hoaxes/mine'));
    assert.match(await text(ambassador.locator('.hoax-report-mine').first()), /^Sudah diklarifikasi/);
    await shot(ambassador, 'h8-answered-phone.png');
    // Signing out forgets the pages the phone kept for reading offline.
    assert.ok((await ambassador.evaluate(() => caches.keys())).includes('duta-pages'));
    await logout(ambassador);
    assert.ok(!(await ambassador.evaluate(() => caches.keys())).includes('duta-pages'));
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
