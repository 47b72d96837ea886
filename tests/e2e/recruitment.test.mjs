// Browser journey of recruitment: the coordinator writes the institution's public
// programme page; an approved ambassador opens "Ajak rekan" on her phone; her QR code is
// read (decoded with jsQR from the image her page shows) and a colleague's phone opens
// the link it holds: the programme page says who invited her, she signs up, and the
// coordinator sees the referrer at vetting and the referral on the recruitment page.
// Screenshots: r0-… to r7-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ADMIN, approvedAmbassador, HERE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, menu, newContext, newPlainContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const INSTITUTION = 'Pemerintah Kabupaten Sleman';
const UNIT = 'Dinas Komunikasi dan Informatika';
const COORDINATOR = { email: 'humas@slemankab.go.id', name: 'Humas Sleman', password: 'humas-sleman-2026' };
const SARI = {
  name: 'Sari Wulandari', display: 'Sari W', nip: '19900512 201503 2 004', email: 'sari@slemankab.go.id',
  phone: '0812 2222 3333', password: 'duta-sari-2026!',
};
const RINA = {
  name: 'Rina Puspitasari', display: 'Rina P', nip: '19920817 201903 2 006', email: 'rina@slemankab.go.id',
  phone: '0813 4444 5555', password: 'duta-rina-2026!',
};
const HEADLINE = 'Cerita Sleman dari ASN-nya sendiri';
const PLATFORMS = [
  { key: 'facebook', label: 'Facebook', handle: 'rina.puspita', count: '820' },
  { key: 'x', label: 'X (Twitter)', handle: 'rinap_asn', count: '1.100' },
  { key: 'instagram', label: 'Instagram', handle: 'rina.puspita.asn', count: '760' },
];

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const group = (page, name) => page.getByRole('group', { name: new RegExp(`^${escapeRe(name)}( |$)`) });

before(async () => {
  clearShots(/^r\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

/** What the QR code drawn by an <img> holds, read by jsQR inside the page. */
async function decodeQr(page, img) {
  await page.addScriptTag({ path: path.join(HERE, 'node_modules', 'jsqr', 'dist', 'jsQR.js') });
  const handle = await img.elementHandle();
  return page.evaluate(async (el) => {
    await el.decode();
    const size = 600;
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(el, 0, 0, size, size);
    const data = ctx.getImageData(0, 0, size, size);
    const found = window.jsQR(data.data, size, size);
    return found ? found.data : null;
  }, handle);
}

describe('a colleague recruited through a referral link', () => {
  const step = stepper();
  let desk;
  let coordinator;
  let phone;
  let sari;
  let friendPhone;
  let rina;
  let link;
  let screenshotPng;

  before(async () => {
    desk = await newContext();
    coordinator = await desk.newPage();
    phone = await newContext(SMALL_PHONE);
    sari = await phone.newPage();
    friendPhone = await newContext(SMALL_PHONE);
    rina = await friendPhone.newPage();
    const images = await newPlainContext({ viewport: { width: 360, height: 240 }, deviceScaleFactor: 1 });
    try {
      const page = await images.newPage();
      await page.setContent('<div id="p" style="width:320px;height:200px;background:#1877f2;color:#fff;font:20px sans-serif">Pengikut 820</div>');
      screenshotPng = await page.locator('#p').screenshot({ type: 'png' });
    } finally {
      await images.close();
    }
  });
  after(async () => { await desk?.close(); await phone?.close(); await friendPhone?.close(); });

  step('an institution, its coordinator and an approved ambassador (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: INSTITUTION, kind: 'regency', region: 'di-yogyakarta' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: UNIT }, expect: 201 });
    await api('POST', '/users', {
      token, expect: 201,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    await approvedAmbassador(koor.token, inst.id, unit.id, SARI, { facebook: 'sari.w.fb', x: 'sariw_x', instagram: 'sari.w.ig' });
  });

  step('the coordinator writes the programme page; a one-letter headline is refused and the text kept', async () => {
    await login(coordinator, COORDINATOR);
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Rekrutmen', exact: true }));
    assert.equal(await h1(coordinator), `Rekrutmen — ${INSTITUTION}`);
    await coordinator.getByLabel('Judul', { exact: true }).fill('X');
    const body = 'Kami mencari ASN Sleman yang senang bercerita tentang layanan publik.\n\nSetiap minggu ada brief dan templat; Anda menulis dengan gaya sendiri.';
    await coordinator.getByLabel('Teks', { exact: true }).fill(body);
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan halaman', exact: true }));
    assert.equal(await text(coordinator.locator('#f-headline-error')), 'Tulis judul 3 sampai 200 karakter dalam satu baris.');
    assert.equal(await coordinator.getByLabel('Teks', { exact: true }).inputValue(), body, 'the text is kept');
    await coordinator.getByLabel('Judul', { exact: true }).fill(HEADLINE);
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan halaman', exact: true }));
    await expectFlash(coordinator, 'Halaman program disimpan.');
    await shot(coordinator, 'r0-recruitment-page.png');
    await checkA11y(coordinator, 'recruitment (coordinator)');
    await submit(coordinator, coordinator.getByRole('link', { name: 'Buka halaman', exact: true }));
    assert.equal(await h1(coordinator), HEADLINE);
    assert.equal(await text(coordinator.locator('#programme-text p').first()),
      'Kami mencari ASN Sleman yang senang bercerita tentang layanan publik.');
  });

  step('the ambassador opens "Ajak rekan" on her phone: her link and its QR code', async () => {
    await login(sari, SARI);
    await submit(sari, (await menu(sari)).getByRole('link', { name: 'Ajak rekan', exact: true }));
    assert.equal(await h1(sari), 'Ajak rekan menjadi Duta');
    link = await sari.getByLabel('Tautan ajakan Anda', { exact: true }).inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/program\/\d+\?ref=\d+-[0-9a-f]{12}$/);
    assert.equal(await text(sari.locator('#referral-counts')), '0 orang mendaftar lewat tautan Anda; 0 di antaranya disetujui.');
    const whatsapp = await sari.getByRole('link', { name: 'Bagikan lewat WhatsApp', exact: true }).getAttribute('href');
    assert.ok(whatsapp.startsWith('https://wa.me/?text=') && decodeURIComponent(whatsapp).endsWith(link), whatsapp);
    const read = await decodeQr(sari, sari.getByRole('img', { name: 'Kode QR tautan ajakan Anda', exact: true }));
    assert.equal(read, link, 'the QR code holds her link');
    await shot(sari, 'r1-referral-phone.png');
    await checkA11y(sari, 'referral (phone)');
    await checkPhoneLayout(sari, 'referral');
  });

  step('a colleague scans it: the programme page says Sari invited her', async () => {
    await rina.goto(link);
    assert.equal(await h1(rina), HEADLINE);
    assert.equal(await text(rina.locator('#invited-by')), `Anda diajak oleh ${SARI.display}, Duta ASN instansi ini.`);
    assert.match(await text(rina.locator('#programme-thresholds')), /Akun Instagram dengan paling sedikit 500 pengikut\./);
    const qr = await decodeQr(rina, rina.getByRole('img', { name: `Kode QR halaman program Duta ASN ${INSTITUTION}`, exact: true }));
    assert.equal(qr, link, 'the page\'s own QR code carries the same link');
    await shot(rina, 'r2-programme-phone.png');
    await checkA11y(rina, 'programme page (phone)');
    await checkPhoneLayout(rina, 'programme page');
  });

  step('she signs up from it; the form already has her institution and names Sari', async () => {
    await submit(rina, rina.getByRole('link', { name: 'Daftar sebagai Duta', exact: true }));
    assert.equal(pathOf(rina), '/signup');
    assert.equal(await text(rina.locator('#invited-by')), `Anda diajak oleh ${SARI.display}, Duta ASN instansi ini.`);
    const about = group(rina, 'Data diri');
    assert.equal(await about.getByLabel('Instansi', { exact: true }).inputValue(), new URL(link).pathname.split('/')[2]);
    await about.getByLabel('Nama lengkap', { exact: true }).fill(RINA.name);
    await about.getByLabel('Nama tampilan', { exact: true }).fill(RINA.display);
    await about.getByLabel('NIP', { exact: true }).fill(RINA.nip);
    await about.getByLabel('Email', { exact: true }).fill(RINA.email);
    await about.getByLabel('Nomor WhatsApp', { exact: true }).fill(RINA.phone);
    await about.getByLabel('Unit kerja', { exact: true }).selectOption({ label: UNIT });
    await about.getByLabel('Kata sandi', { exact: true }).fill(RINA.password);
    for (const p of PLATFORMS) {
      const g = group(rina, p.label);
      await g.getByLabel(`Akun ${p.label}`, { exact: true }).fill(p.handle);
      await g.getByLabel('Jumlah pengikut', { exact: true }).fill(p.count);
      await g.getByLabel('Tangkapan layar profil', { exact: true })
        .setInputFiles({ name: 'profil.png', mimeType: 'image/png', buffer: screenshotPng });
    }
    await rina.getByLabel('Saya setuju', { exact: true }).check();
    await shot(rina, 'r3-signup-invited-phone.png');
    await checkA11y(rina, 'sign-up through a referral (phone)');
    await submit(rina, rina.getByRole('button', { name: 'Kirim pendaftaran', exact: true }));
    assert.equal(pathOf(rina), '/me/status');
  });

  step('the coordinator sees the referrer at vetting, and the referral on the recruitment page', async () => {
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Verifikasi', exact: true }));
    await submit(coordinator, coordinator.getByRole('link', { name: RINA.name, exact: true }));
    assert.equal(await text(coordinator.locator('#referred-by')), `${SARI.display} (${UNIT})`);
    await shot(coordinator, 'r4-vetting-referred.png');
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Rekrutmen', exact: true }));
    assert.equal(await text(coordinator.locator('#recruitment-counts')), '1 mendaftar lewat tautan ajakan seorang Duta; 0 di antaranya disetujui.');
    const row = coordinator.locator('#t-referrers tbody tr').first();
    assert.match(await text(row), new RegExp(`^${escapeRe(SARI.display)} ${escapeRe(UNIT)} 1 0$`));
    await shot(coordinator, 'r5-recruitment-counted.png');
    await sari.reload();
    assert.equal(await text(sari.locator('#referral-counts')), '1 orang mendaftar lewat tautan Anda; 0 di antaranya disetujui.');
  });

  step('the programme page in English', async () => {
    const english = await newContext({ ...SMALL_PHONE, locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } });
    try {
      const page = await english.newPage();
      await page.goto(url(new URL(link).pathname + new URL(link).search));
      assert.equal(await text(page.locator('#invited-by')), `${SARI.display}, an ambassador of this institution, invited you.`);
      assert.equal(await text(page.getByRole('link', { name: 'Sign up as an ambassador', exact: true })), 'Sign up as an ambassador');
      await shot(page, 'r6-programme-english-phone.png');
      await checkA11y(page, 'programme page in English (phone)');
    } finally {
      await english.close();
    }
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
