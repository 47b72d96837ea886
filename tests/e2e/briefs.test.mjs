// Browser end-to-end journey of a weekly brief: a PR coordinator writes a brief with a
// storytelling template and an image and publishes it; an ambassador on a phone opens it
// from their week, composes an X draft that fits and an Instagram draft, copies and saves
// them, and downloads the Instagram image. Shares lib.mjs with the other journeys; run all
// with `./run.sh`. Screenshots: 30-… to 39-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, isoWeekJakarta, checkPhoneLayout, clearShots, closeBrowser,
  expectFlash, h1, login, menu, newContext, newPlainContext, pathOf, shot, startBrowser, startServer,
  stepper, stopServer, submit, text, url,
} from './lib.mjs';

const INSTITUTION = { name: 'Kementerian Hukum', kind: 'ministry' };
const UNIT = 'Direktorat Jenderal Imigrasi';
const COORDINATOR = { email: 'humas@imigrasi.go.id', name: 'Lestari Humas', password: 'humas-imigrasi-2024' };
const AMBASSADOR = { email: 'bayu.pratama@imigrasi.go.id', name: 'Bayu Pratama', password: 'duta-bayu-2024!' };
const BRIEF = {
  title: 'Paspor elektronik kini bisa diurus lewat M-Paspor',
  keyMessages: 'Pendaftaran paspor lewat aplikasi M-Paspor.\nDatang sekali sesuai jadwal.',
  facts: 'Rata-rata layanan 15 menit | Ditjen Imigrasi 2026',
  hashtags: 'PasporMudah, ImigrasiMelayani',
  mentions: '@ditjen_imigrasi',
  sample: 'Sekarang urus paspor makin mudah dan cepat lewat aplikasi M-Paspor.',
};
const TEMPLATE = 'Masalah – Solusi – Manfaat';

/** A poster rendered in the browser: the subject on the left third, text on the right. */
async function posterPng(context) {
  const page = await context.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">
      <div id="p" style="width:1500px;height:900px;display:flex;font:bold 64px system-ui,sans-serif">
        <div style="width:500px;background:#0b5cad;color:#fff;display:flex;align-items:center;justify-content:center">M-Paspor</div>
        <div style="flex:1;background:#f5b700;display:flex;align-items:center;padding:40px">Paspor 15 menit</div>
      </div></body></html>`);
    return await page.locator('#p').screenshot({ type: 'png' });
  } finally {
    await page.close();
  }
}

before(async () => {
  clearShots(/^3\d-.*\.png$/); // this file's screenshots are 30–39
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a coordinator publishes a brief and an ambassador composes from it on a phone', () => {
  const step = stepper();
  let coordinatorContext;
  let coordinator;
  let ambassadorContext;
  let ambassador;
  let poster;
  let briefPath;

  before(async () => {
    const imageContext = await newPlainContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    try { poster = await posterPng(imageContext); } finally { await imageContext.close(); }
    coordinatorContext = await newContext();
    coordinator = await coordinatorContext.newPage();
    ambassadorContext = await newContext({ ...PHONE, acceptDownloads: true });
    await ambassadorContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url('/') });
    ambassador = await ambassadorContext.newPage();
  });
  after(async () => {
    await coordinatorContext?.close();
    await ambassadorContext?.close();
  });

  step('admin sets up the institution and coordinator; an ambassador signs up and is approved (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: INSTITUTION, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: UNIT }, expect: 201 });
    await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    const signup = await api('POST', '/signup', {
      expect: 201,
      body: {
        name: AMBASSADOR.name, display_name: 'Bayu', nip: '19900512 201503 1 002', employee_type: 'pns',
        email: AMBASSADOR.email, phone: '0813 1111 2222', institution_id: inst.id, work_unit_id: unit.id,
        password: AMBASSADOR.password, consent: true,
        consent_version: (await api('GET', '/signup/form')).consent_version,
        platforms: [
          { platform: 'facebook', handle: 'bayu.pratama', method: 'screenshot', count: 900 },
          { platform: 'x', handle: 'bayu_asn', method: 'screenshot', count: 1200 },
          { platform: 'instagram', handle: 'bayu.asn', method: 'screenshot', count: 800 },
        ],
      },
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    for (const [platform, count] of [['facebook', 900], ['x', 1200], ['instagram', 800]]) {
      await api('POST', `/vetting/candidates/${signup.id}/followers`, { token: koor.token, body: { platform, count } });
    }
    const approved = await api('POST', `/vetting/candidates/${signup.id}/approve`, { token: koor.token, body: {} });
    assert.equal(approved.candidate.status, 'approved');
  });

  step('the coordinator writes a brief; a week that does not exist is refused next to the field', async () => {
    await login(coordinator, COORDINATOR);
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Brief', exact: true }));
    assert.equal(pathOf(coordinator), '/briefs');
    await submit(coordinator, coordinator.getByRole('link', { name: 'Tulis brief baru', exact: true }));
    assert.equal(await h1(coordinator), 'Tulis brief baru');
    const form = coordinator.locator('form.brief-form');
    await form.getByLabel('Judul', { exact: true }).fill(BRIEF.title);
    await form.getByLabel('Minggu (ISO)', { exact: true }).fill('2026-W54');
    await form.getByLabel('Pesan kunci', { exact: true }).fill(BRIEF.keyMessages);
    await form.getByLabel('Fakta dan data', { exact: true }).fill(BRIEF.facts);
    await form.getByLabel('Contoh narasi', { exact: true }).fill(BRIEF.sample);
    await form.getByLabel('Tagar resmi', { exact: true }).fill(BRIEF.hashtags);
    await form.getByLabel('Akun yang disebut', { exact: true }).fill(BRIEF.mentions);
    await form.getByRole('checkbox', { name: TEMPLATE, exact: true }).check();
    await form.getByRole('radio', { name: 'Terbit', exact: true }).check();
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan brief', exact: true }));
    assert.equal(await text(coordinator.getByRole('alert')), 'Periksa kembali isian yang ditandai.');
    const week = coordinator.getByLabel('Minggu (ISO)', { exact: true });
    assert.equal(await week.getAttribute('aria-invalid'), 'true');
    assert.equal(await text(coordinator.locator('#f-week-error')), 'Minggu ini tidak ada dalam kalender ISO tahun itu.');
    assert.equal(await coordinator.getByLabel('Judul', { exact: true }).inputValue(), BRIEF.title, 'the title is kept');
    assert.equal(await coordinator.getByLabel('Tagar resmi', { exact: true }).inputValue(), BRIEF.hashtags);
    await shot(coordinator, '30-brief-form-error.png');
    await checkA11y(coordinator, 'brief form (error)');
  });

  step('with this week the brief is published', async () => {
    await coordinator.getByLabel('Minggu (ISO)', { exact: true }).fill(isoWeekJakarta());
    await submit(coordinator, coordinator.getByRole('button', { name: 'Simpan brief', exact: true }));
    await expectFlash(coordinator, 'Brief tersimpan.');
    assert.equal(await h1(coordinator), BRIEF.title);
    briefPath = pathOf(coordinator);
    assert.match(briefPath, /^\/briefs\/\d+$/);
    assert.equal(await text(coordinator.locator('.badge.state-published')), 'Terbit');
  });

  step('the coordinator adds a poster with the focal point on its left third', async () => {
    const upload = coordinator.locator('form.image-upload');
    await upload.getByLabel('Berkas gambar', { exact: true }).setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: poster });
    await upload.getByLabel('Titik fokus mendatar (%)', { exact: true }).fill('17');
    await upload.getByLabel('Deskripsi gambar (untuk pembaca layar)', { exact: true }).fill('Poster M-Paspor: layanan 15 menit');
    await submit(coordinator, upload.getByRole('button', { name: 'Unggah gambar', exact: true }));
    await expectFlash(coordinator, 'Gambar ditambahkan; ukuran untuk tiap platform sudah siap.');
    const thumb = coordinator.getByRole('img', { name: 'Poster M-Paspor: layanan 15 menit' });
    await thumb.evaluate((el) => el.decode());
    assert.ok(await thumb.evaluate((el) => el.naturalWidth) > 0, 'the thumbnail loads');
    for (const name of ['Instagram 1080×1080', 'Instagram 1080×1350', 'X 1600×900', 'Facebook 1200×630']) {
      assert.equal(await coordinator.getByRole('link', { name, exact: true }).count(), 1, name);
    }
    await shot(coordinator, '31-brief-with-image.png');
    await checkA11y(coordinator, 'brief page (coordinator)');
  });

  step('a wrong second picture: its replacement by a file that is not an image is refused beside it, then it is deleted', async () => {
    const upload = coordinator.locator('form.image-upload');
    await upload.getByLabel('Berkas gambar', { exact: true }).setInputFiles({ name: 'salah.png', mimeType: 'image/png', buffer: poster });
    await upload.getByLabel('Deskripsi gambar (untuk pembaca layar)', { exact: true }).fill('Gambar keliru');
    await submit(coordinator, upload.getByRole('button', { name: 'Unggah gambar', exact: true }));
    await expectFlash(coordinator, 'Gambar ditambahkan; ukuran untuk tiap platform sudah siap.');
    const wrong = () => coordinator.locator('ul.brief-images > li').filter({ has: coordinator.getByRole('img', { name: 'Gambar keliru' }) });
    assert.equal(await wrong().count(), 1);
    await wrong().getByLabel('Berkas pengganti', { exact: true }).setInputFiles({ name: 'bukan.png', mimeType: 'image/png', buffer: Buffer.from('bukan gambar') });
    await submit(coordinator, wrong().getByRole('button', { name: 'Ganti gambar', exact: true }));
    const field = wrong().getByLabel('Berkas pengganti', { exact: true });
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const errorId = await field.getAttribute('aria-describedby');
    assert.equal(await text(coordinator.locator(`#${errorId}`)), 'Berkas ini bukan gambar. Unggah gambar JPEG, PNG, WebP, atau GIF.');
    assert.equal(await wrong().getByLabel('Deskripsi gambar (untuk pembaca layar)', { exact: true }).inputValue(), 'Gambar keliru', 'the description is kept');
    await shot(coordinator, '35-brief-image-replace-refused.png');
    await checkA11y(coordinator, 'brief page (replacement refused)');
    await submit(coordinator, wrong().getByRole('button', { name: 'Hapus gambar', exact: true }));
    await expectFlash(coordinator, 'Gambar dihapus.');
    assert.equal(await wrong().count(), 0);
    assert.equal(await coordinator.locator('ul.brief-images > li').count(), 1, 'the poster stays');
  });

  step('the ambassador signs in on a phone and finds the brief in this week', async () => {
    await login(ambassador, AMBASSADOR);
    const week = ambassador.locator('section.week');
    assert.match(await text(week.locator('h2')), /^Brief minggu ini \(\d{4}-W\d{2}\)$/);
    assert.equal(await week.getByRole('link', { name: BRIEF.title, exact: true }).count(), 1);
    assert.equal(await text(week.locator('.done')), 'Belum ada draf atau unggahan.');
    assert.equal(await text(ambassador.locator('.main-nav .count')), '1', 'one unread notification');
    await shot(ambassador, '32-ambassador-week-phone.png');
    await checkA11y(ambassador, 'home: the week (phone)');
    await checkPhoneLayout(ambassador, 'home: the week');
    await submit(ambassador, week.getByRole('link', { name: BRIEF.title, exact: true }));
    assert.equal(pathOf(ambassador), briefPath);
    assert.equal(await h1(ambassador), BRIEF.title);
    assert.ok((await text(ambassador.locator('main'))).includes('Rata-rata layanan 15 menit — sumber: Ditjen Imigrasi 2026'));
    await shot(ambassador, '33-brief-phone.png');
    await checkA11y(ambassador, 'brief page (phone)');
    await checkPhoneLayout(ambassador, 'brief page');
  });

  step('the ambassador fills the template and sees an X draft that fits and an Instagram draft', async () => {
    await submit(ambassador, ambassador.getByRole('link', { name: new RegExp(`^${TEMPLATE}`) }));
    assert.equal(await h1(ambassador), 'Susun unggahan');
    await ambassador.getByLabel('Masalah', { exact: true }).fill('Dulu antre paspor bisa setengah hari.');
    await ambassador.getByLabel('Solusi', { exact: true }).fill('Kemarin saya daftar lewat M-Paspor dan datang sesuai jadwal.');
    await ambassador.getByLabel('Manfaat', { exact: true }).fill('Selesai 15 menit, sempat antar anak sekolah. 🙌');
    await ambassador.getByLabel('Ajakan', { exact: true }).fill('Coba juga: imigrasi.go.id');
    await submit(ambassador, ambassador.getByRole('button', { name: 'Lihat draf', exact: true }));
    const x = ambassador.locator('section.draft', { has: ambassador.getByRole('heading', { name: 'X (Twitter)', exact: true }) });
    const draftX = await x.getByRole('textbox').inputValue();
    assert.ok(draftX.endsWith('#PasporMudah #ImigrasiMelayani @ditjen_imigrasi'), draftX);
    const lengthX = await text(x.locator('.length'));
    const [, used] = lengthX.match(/^(\d+) \/ 280 karakter · muat$/) || [];
    assert.ok(used && Number(used) <= 280, `X: ${lengthX}`);
    const ig = ambassador.locator('section.draft', { has: ambassador.getByRole('heading', { name: 'Instagram', exact: true }) });
    assert.match(await text(ig.locator('.length')), /^\d+ \/ 2200 karakter · muat$/);
    assert.equal(await ambassador.locator('.nudge').count(), 0, 'own words: no nudge');
    const share = await x.getByRole('link', { name: 'Bagikan ke WhatsApp', exact: true }).getAttribute('href');
    assert.ok(share.startsWith('https://wa.me/?text=Dulu%20antre'), share);
    await x.getByRole('button', { name: 'Salin', exact: true }).click();
    await x.getByRole('button', { name: 'Tersalin', exact: true }).waitFor();
    assert.equal(await ambassador.evaluate(() => navigator.clipboard.readText()), draftX, 'the X draft is on the clipboard');
    await shot(ambassador, '34-composer-drafts-phone.png');
    await checkA11y(ambassador, 'composer with drafts (phone)');
    await checkPhoneLayout(ambassador, 'composer with drafts');
  });

  step('the ambassador saves the X and the Instagram drafts', async () => {
    const save = (platform) => ambassador.locator('section.draft', { has: ambassador.getByRole('heading', { name: platform, exact: true }) })
      .getByRole('button', { name: 'Simpan draf', exact: true });
    await submit(ambassador, save('X (Twitter)'));
    await expectFlash(ambassador, 'Draf tersimpan.');
    // The saved draft is filled in again, so the Instagram one is one tap away.
    assert.equal(await ambassador.getByLabel('Masalah', { exact: true }).inputValue(), 'Dulu antre paspor bisa setengah hari.');
    await submit(ambassador, save('Instagram'));
    await expectFlash(ambassador, 'Draf tersimpan.');
    assert.equal(await ambassador.locator('section', { has: ambassador.getByRole('heading', { name: 'Draf tersimpan' }) }).locator('li').count(), 2);
    await ambassador.goto(url('/'));
    assert.equal(await text(ambassador.locator('section.week .done')), '2 draf tersimpan');
  });

  step('the ambassador downloads the Instagram image in 1080×1080', async () => {
    await ambassador.goto(url(briefPath));
    const link = ambassador.getByRole('link', { name: 'Instagram 1080×1080', exact: true });
    const [download] = await Promise.all([ambassador.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^brief-\d+-\d+-instagram_square\.jpg$/);
    const file = fs.readFileSync(await download.path());
    assert.deepEqual([...file.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const size = await ambassador.evaluate(async (href) => {
      const img = new Image();
      img.src = href;
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    }, await link.getAttribute('href'));
    assert.deepEqual(size, [1080, 1080]);
  });

  step('on the phone the ambassador turns off the weekly reminder email and keeps the others', async () => {
    await ambassador.goto(url('/notifications'));
    const email = ambassador.locator('section#email');
    for (const name of ['Brief baru untuk saya', 'Brief yang diubah setelah terbit', 'Pengingat mingguan bila belum mengunggah', 'Unggahan saya ditolak (dengan alasannya)']) {
      assert.ok(await email.getByRole('checkbox', { name, exact: true }).isChecked(), `${name} is on until turned off`);
    }
    await email.getByRole('checkbox', { name: 'Pengingat mingguan bila belum mengunggah', exact: true }).uncheck();
    await submit(ambassador, email.getByRole('button', { name: 'Simpan pilihan email', exact: true }));
    await expectFlash(ambassador, 'Pilihan email disimpan.');
    const again = ambassador.locator('section#email');
    assert.equal(await again.getByRole('checkbox', { name: 'Pengingat mingguan bila belum mengunggah', exact: true }).isChecked(), false);
    assert.ok(await again.getByRole('checkbox', { name: 'Brief baru untuk saya', exact: true }).isChecked());
    await shot(ambassador, '36-email-choices-phone.png');
    await checkA11y(ambassador, 'notifications and email choices (phone)');
    await checkPhoneLayout(ambassador, 'notifications');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
