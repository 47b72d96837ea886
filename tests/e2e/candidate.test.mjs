// Browser end-to-end journey of a candidate duta: signing up on a phone with profile
// screenshots (a wrong file first), being vetted and approved by their institution's PR
// coordinator, and seeing the approval on their status page. Shares lib.mjs with
// journey.test.mjs; run both with `./run.sh` (or `node --test --test-concurrency=1 candidate.test.mjs`).
// Screenshots: 20-… to 29-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser,
  expectFlash, h1, htmlLang, login, menu, newContext, newPlainContext, pathOf, shot, startBrowser, startServer,
  stepper, stopServer, submit, text, url,
} from './lib.mjs';

const INSTITUTION = { name: 'Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi', kind: 'ministry' };
const UNIT = 'Biro Data, Komunikasi Publik, dan Hubungan Masyarakat';
const COORDINATOR = { email: 'dewi.anggraini@menpan.go.id', name: 'Dewi Anggraini', password: 'humas-menpan-2024' };
const CANDIDATE = {
  name: 'Rina Kartika Sari',
  displayName: 'Rina KS',
  nip: '19860926 201505 2 001', // born 26-09-1986, CPNS from May 2015, woman (2), number 001
  email: 'rina.kartika@menpan.go.id',
  phone: '0812 3456 7890',
  password: 'duta-rina-2024!',
};
// Label of each platform on the form, the handle typed, the followers the candidate
// claims and the followers the coordinator then sees on the screenshot.
const PLATFORMS = [
  { key: 'facebook', label: 'Facebook', handle: 'rina.kartika.sari', claimed: '1.050', seen: 1000, colour: '#1877f2' },
  { key: 'x', label: 'X (Twitter)', handle: 'rinaks_asn', claimed: '1.230', seen: 1200, colour: '#0f1419' },
  { key: 'instagram', label: 'Instagram', handle: 'rinakartika.asn', claimed: '910', seen: 900, colour: '#d62976' },
];
const THRESHOLD = 500; // the default programme setting for Facebook, X and Instagram

/** Today in the programme's time zone (Asia/Jakarta), as YYYY-MM-DD. */
const todayJakarta = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());

/** Renders a small fake social-media profile and returns it as PNG bytes. */
async function profilePng(context, p) {
  const page = await context.newPage();
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0;font:15px system-ui,sans-serif;background:#f0f2f5">
      <div id="card" style="width:360px;padding:20px;background:#fff;border-top:8px solid ${p.colour}">
        <div style="display:flex;gap:14px;align-items:center">
          <div style="width:64px;height:64px;border-radius:50%;background:${p.colour}"></div>
          <div><div style="font-weight:700;font-size:18px">${CANDIDATE.name}</div>
               <div style="color:#555">@${p.handle} · ${p.label}</div></div>
        </div>
        <div style="display:flex;gap:24px;margin-top:16px">
          <div><b style="font-size:20px">${p.claimed}</b><br>Pengikut</div>
          <div><b style="font-size:20px">312</b><br>Mengikuti</div>
          <div><b style="font-size:20px">87</b><br>Postingan</div>
        </div>
        <p style="color:#333">Humas ${INSTITUTION.name.split(' ').slice(0, 2).join(' ')} · Duta ASN</p>
      </div></body></html>`);
    return await page.locator('#card').screenshot({ type: 'png' });
  } finally {
    await page.close();
  }
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A fieldset by the start of its legend, e.g. "X (Twitter)" for "X (Twitter) — wajib, …". */
const group = (page, name) => page.getByRole('group', { name: new RegExp(`^${escapeRe(name)}( |$)`) });
const platformGroup = (page, p) => group(page, p.label);
const fileCount = (input) => input.evaluate((el) => el.files.length);

/** Waits until an <img> has finished loading and returns its natural size. */
function imageSize(img) {
  return img.evaluate((el) => (el.complete ? Promise.resolve() : new Promise((resolve) => {
    el.addEventListener('load', resolve, { once: true });
    el.addEventListener('error', resolve, { once: true });
  })).then(() => ({ width: el.naturalWidth, height: el.naturalHeight, src: el.getAttribute('src') })));
}

async function expectLoadedImage(img, what) {
  assert.equal(await img.count(), 1, `${what}: one image`);
  const size = await imageSize(img);
  assert.ok(size.width > 0 && size.height > 0, `${what}: the image ${size.src} loaded (natural size ${size.width}×${size.height})`);
}

// ---------------------------------------------------------------------------------------

before(async () => {
  clearShots(/^2\d-.*\.png$/); // this file's screenshots are 20–29
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a candidate signs up on a phone and their coordinator approves them', () => {
  const step = stepper();
  let candidateContext;
  let candidate; // the candidate's phone
  let coordinatorContext;
  let coordinator; // the coordinator's desktop
  let shots = {}; // platform key → PNG bytes
  let rejectedStatus;

  before(async () => {
    const imageContext = await newPlainContext({ viewport: { width: 420, height: 320 }, deviceScaleFactor: 1 });
    try {
      for (const p of PLATFORMS) shots[p.key] = await profilePng(imageContext, p);
    } finally {
      await imageContext.close();
    }
    candidateContext = await newContext(PHONE);
    candidate = await candidateContext.newPage();
  });
  after(async () => {
    await candidateContext?.close();
    await coordinatorContext?.close();
  });

  const png = (p) => ({ name: 'profil.png', mimeType: 'image/png', buffer: shots[p.key] });

  /** Types everything except the password and the files. */
  async function fillSignup(page) {
    const about = group(page, 'Data diri');
    await about.getByLabel('Nama lengkap', { exact: true }).fill(CANDIDATE.name);
    await about.getByLabel('Nama tampilan', { exact: true }).fill(CANDIDATE.displayName);
    await group(page, 'Jenis pegawai').getByRole('radio', { name: 'PNS', exact: true }).check();
    await about.getByLabel('NIP', { exact: true }).fill(CANDIDATE.nip);
    await about.getByLabel('Email', { exact: true }).fill(CANDIDATE.email);
    await about.getByLabel('Nomor WhatsApp', { exact: true }).fill(CANDIDATE.phone);
    await about.getByLabel('Instansi', { exact: true }).selectOption({ label: INSTITUTION.name });
    await about.getByLabel('Unit kerja', { exact: true }).selectOption({ label: UNIT });
    for (const p of PLATFORMS) {
      const g = platformGroup(page, p);
      await g.getByLabel(`Akun ${p.label}`, { exact: true }).fill(p.handle);
      await g.getByLabel('Jumlah pengikut', { exact: true }).fill(p.claimed);
    }
    await page.getByLabel('Saya setuju', { exact: true }).check();
  }

  async function fillPasswordAndFiles(page, files) {
    await group(page, 'Data diri').getByLabel('Kata sandi', { exact: true }).fill(CANDIDATE.password);
    for (const p of PLATFORMS) {
      await platformGroup(page, p).getByLabel('Tangkapan layar profil', { exact: true }).setInputFiles(files[p.key]);
    }
  }

  step('admin sets up the institution, a work unit and a coordinator through the API', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    assert.ok(token, 'the API login answers a token');
    const inst = await api('POST', '/institutions', { token, body: INSTITUTION, expect: 201 });
    assert.equal(inst.name, INSTITUTION.name);
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: UNIT }, expect: 201 });
    assert.equal(unit.name, UNIT);
    const user = await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    assert.equal(user.email, COORDINATOR.email);
  });

  step('the candidate finds "Daftar sebagai duta" on the login page and opens the sign-up form', async () => {
    await candidate.goto(url('/login'));
    assert.equal(await h1(candidate), 'Masuk ke Duta');
    await submit(candidate, candidate.getByRole('link', { name: 'Daftar sebagai duta', exact: true }));
    assert.equal(pathOf(candidate), '/signup');
    assert.equal(await htmlLang(candidate), 'id');
    assert.equal(await h1(candidate), 'Daftar sebagai Duta ASN');
    // Facebook, X and Instagram are required by default, each with at least 500 followers.
    for (const p of PLATFORMS) {
      const g = platformGroup(candidate, p);
      assert.equal(await g.count(), 1, `one "${p.label}" fieldset`);
      assert.equal(await text(g.locator('legend').first()), `${p.label} — wajib, minimal ${THRESHOLD} pengikut`);
      const file = g.getByLabel('Tangkapan layar profil', { exact: true });
      assert.equal(await file.getAttribute('type'), 'file');
    }
    assert.ok(await group(candidate, 'Jenis pegawai').getByRole('radio', { name: 'PNS', exact: true }).isChecked(),
      'PNS is chosen by default');
    await shot(candidate, '20-signup-empty.png');
    await checkA11y(candidate, 'signup (empty, phone)');
    await checkPhoneLayout(candidate, 'signup (empty)');
  });

  step('a text file named profil.png as the X screenshot is refused next to that field, and what was typed is kept', async () => {
    await fillSignup(candidate);
    const xPlatform = PLATFORMS.find((p) => p.key === 'x');
    await fillPasswordAndFiles(candidate, {
      ...Object.fromEntries(PLATFORMS.map((p) => [p.key, png(p)])),
      x: { name: 'profil.png', mimeType: 'image/png', buffer: Buffer.from('Pengikut: 1.230 — ini catatan, bukan gambar.\n') },
    });
    const response = await submit(candidate, candidate.getByRole('button', { name: 'Kirim pendaftaran', exact: true }), { responseFor: '/signup' });
    rejectedStatus = response.status();
    await shot(candidate, '21-signup-error.png');

    assert.equal(pathOf(candidate), '/signup');
    assert.equal(await h1(candidate), 'Daftar sebagai Duta ASN');
    assert.equal(await text(candidate.getByRole('alert')), 'Periksa kembali isian yang ditandai.');

    const xGroup = platformGroup(candidate, xPlatform);
    const xFile = xGroup.getByLabel('Tangkapan layar profil', { exact: true });
    const errors = xGroup.locator('.field', { has: candidate.getByLabel('Tangkapan layar profil', { exact: true }) }).locator('.field-error');
    assert.equal(await errors.count(), 1, 'one error under the X screenshot field');
    const message = await text(errors);
    assert.match(message, /^Berkas ini bukan gambar\./, `the X screenshot error says it is not an image ("${message}")`);
    assert.equal(await candidate.locator('.field-error').count(), 1,
      `only the X screenshot has an error (errors shown: ${JSON.stringify(await candidate.locator('.field-error').allInnerTexts())})`);
    assert.equal(await xFile.getAttribute('aria-invalid'), 'true', 'the X screenshot input is marked invalid');
    const describedBy = (await xFile.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const descriptions = await Promise.all(describedBy.map((id) => text(candidate.locator(`[id="${id}"]`))));
    assert.ok(descriptions.includes(message), `the X screenshot input points to its error (aria-describedby → ${JSON.stringify(descriptions)})`);
    const inputBox = await xFile.boundingBox();
    const errorBox = await errors.boundingBox();
    assert.ok(errorBox.y >= inputBox.y + inputBox.height - 1 && errorBox.y <= inputBox.y + inputBox.height + 40,
      `the error sits right below the X screenshot input (input bottom ${inputBox.y + inputBox.height}, error top ${errorBox.y})`);

    // What was typed is kept; the password and the chosen files are not.
    const about = group(candidate, 'Data diri');
    const value = (label) => about.getByLabel(label, { exact: true }).inputValue();
    assert.equal(await value('Nama lengkap'), CANDIDATE.name);
    assert.equal(await value('Nama tampilan'), CANDIDATE.displayName);
    assert.equal(await value('NIP'), CANDIDATE.nip);
    assert.equal(await value('Email'), CANDIDATE.email);
    assert.equal(await value('Nomor WhatsApp'), CANDIDATE.phone);
    assert.ok(await group(candidate, 'Jenis pegawai').getByRole('radio', { name: 'PNS', exact: true }).isChecked());
    const selected = async (label) => text(about.getByLabel(label, { exact: true }).locator('option:checked'));
    assert.equal(await selected('Instansi'), INSTITUTION.name);
    assert.equal(await selected('Unit kerja'), UNIT);
    assert.equal(await value('Kata sandi'), '', 'the password is not echoed back');
    for (const p of PLATFORMS) {
      const g = platformGroup(candidate, p);
      assert.equal(await g.getByLabel(`Akun ${p.label}`, { exact: true }).inputValue(), p.handle, `the ${p.label} handle is kept`);
      assert.equal(await g.getByLabel('Jumlah pengikut', { exact: true }).inputValue(), p.claimed, `the ${p.label} count is kept`);
      assert.equal(await fileCount(g.getByLabel('Tangkapan layar profil', { exact: true })), 0,
        `the ${p.label} screenshot has to be chosen again`);
    }
    assert.ok(await candidate.getByLabel('Saya setuju', { exact: true }).isChecked(), 'the consent tick is kept');
    await checkA11y(candidate, 'signup (X screenshot error, phone)');
    await checkPhoneLayout(candidate, 'signup (error)');
  });

  step('the refused sign-up is answered with 422 Unprocessable Entity', async () => {
    assert.equal(rejectedStatus, 422, `POST /signup with a non-image screenshot answered ${rejectedStatus}, expected 422`);
  }, { essential: false });

  step('the candidate chooses the three screenshots again and sends the sign-up', async () => {
    await fillPasswordAndFiles(candidate, Object.fromEntries(PLATFORMS.map((p) => [p.key, png(p)])));
    for (const p of PLATFORMS) {
      assert.equal(await fileCount(platformGroup(candidate, p).getByLabel('Tangkapan layar profil', { exact: true })), 1);
    }
    await shot(candidate, '22-signup-ready.png');
    await submit(candidate, candidate.getByRole('button', { name: 'Kirim pendaftaran', exact: true }));

    assert.equal(pathOf(candidate), '/me/status', 'after signing up the candidate lands on their status page');
    assert.equal(await h1(candidate), 'Status pendaftaran');
    await expectFlash(candidate, 'Pendaftaran terkirim. Koordinator akan memeriksanya; pantau statusnya di sini.');
    assert.equal(await text(candidate.locator('#status-badge')), 'Menunggu');
    assert.equal(await text(candidate.locator('.status-line')), 'Menunggu Pendaftaran Anda sedang menunggu pemeriksaan koordinator.');
    const nav = (await menu(candidate));
    assert.equal(await nav.getByRole('link', { name: 'Status pendaftaran', exact: true }).getAttribute('aria-current'), 'page');

    const cards = candidate.locator('.platform-cards > section');
    assert.equal(await cards.count(), PLATFORMS.length, 'one card per platform signed up with');
    for (const [i, p] of PLATFORMS.entries()) {
      const card = cards.nth(i);
      assert.match(await text(card.getByRole('heading', { level: 2 })), new RegExp(`^${escapeRe(p.label)} `));
      assert.match(await text(card), new RegExp(`@${escapeRe(p.handle)} · tangkapan layar`));
      await expectLoadedImage(card.getByRole('img', { name: `Tangkapan layar profil ${p.label}`, exact: true }), `${p.label} thumbnail`);
    }
    await shot(candidate, '23-candidate-pending.png');
    await checkA11y(candidate, 'status (pending, phone)');
    await checkPhoneLayout(candidate, 'status (pending)');
  });

  step('the coordinator signs in and finds the candidate under "Verifikasi"', async () => {
    coordinatorContext = await newContext();
    coordinator = await coordinatorContext.newPage();
    await login(coordinator, COORDINATOR);
    await shot(coordinator, '24-coordinator-home.png');
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Verifikasi', exact: true }));
    assert.equal(pathOf(coordinator), '/vetting');
    assert.equal(await h1(coordinator), 'Verifikasi kandidat');
    assert.equal(await text(coordinator.getByRole('heading', { level: 2 })), 'Antrean · Menunggu (1)');
    const item = coordinator.locator('ul.queue > li');
    assert.equal(await item.count(), 1);
    const row = await text(item);
    assert.match(row, new RegExp(`^${escapeRe(`${CANDIDATE.name} (${CANDIDATE.displayName}) ${UNIT}`)} · dikirim \\d\\d-\\d\\d-\\d{4} \\d\\d:\\d\\d WIB · menunggu \\d+ hari kerja$`));
    await shot(coordinator, '25-vetting-queue.png');
    await checkA11y(coordinator, 'vetting queue');
  });

  step('the coordinator opens the candidate; the NIP says she is a woman', async () => {
    await submit(coordinator, coordinator.getByRole('link', { name: CANDIDATE.name, exact: true }));
    assert.match(pathOf(coordinator), /^\/vetting\/candidates\/\d+$/);
    assert.equal(await h1(coordinator), `${CANDIDATE.name} Menunggu`);
    const facts = coordinator.locator('dl.facts');
    const dd = (term) => text(facts.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]'));
    assert.equal(await dd('Nama tampilan'), CANDIDATE.displayName);
    assert.match(await dd('NIP'), /\(PNS\)$/);
    const age = await dd('Usia');
    assert.match(age, /^\d+ · perempuan · lahir /, `the decoded NIP shows the candidate is a woman ("${age}")`);
    assert.match(age, /1986/, `the decoded NIP shows the birth year ("${age}")`);
    assert.match(await dd('Pengangkatan'), /^2015-05$/);
    assert.equal(await dd('Email'), CANDIDATE.email);
    assert.equal(await dd('Unit kerja'), `${UNIT}, ${INSTITUTION.name}`);
    assert.equal(await coordinator.getByText('Belum dapat disetujui:', { exact: true }).count(), 1,
      'before any count is checked, the candidate cannot be approved yet');
    for (const p of PLATFORMS) {
      const card = coordinator.locator('.platform-cards > section', { has: coordinator.getByRole('heading', { level: 3, name: new RegExp(`^${escapeRe(p.label)} `) }) });
      await expectLoadedImage(card.getByRole('img', { name: `Tangkapan layar profil ${p.label}`, exact: true }), `${p.label} screenshot for the coordinator`);
    }
    await shot(coordinator, '26-vetting-candidate.png');
    await checkA11y(coordinator, 'vetting candidate (pending)');
  });

  step('the coordinator records the followers seen on each screenshot', async () => {
    const candidatePath = pathOf(coordinator);
    for (const p of PLATFORMS) {
      const card = () => coordinator.locator('.platform-cards > section', { has: coordinator.getByRole('heading', { level: 3, name: new RegExp(`^${escapeRe(p.label)} `) }) });
      await card().getByLabel('Jumlah pengikut yang Anda lihat', { exact: true }).fill(String(p.seen));
      await submit(coordinator, card().getByRole('button', { name: 'Simpan jumlah', exact: true }));
      assert.equal(pathOf(coordinator), candidatePath);
      await expectFlash(coordinator, 'Jumlah pengikut tersimpan.');
      const shown = await text(card());
      const id = (n) => new Intl.NumberFormat('id-ID').format(n);
      assert.match(shown, new RegExp(`Pengikut: ${escapeRe(id(p.seen))} / ambang ${escapeRe(id(THRESHOLD))}`), `the ${p.label} card shows the count, grouped the Indonesian way (${shown})`);
      assert.match(await text(card().getByRole('heading', { level: 3 })), /Memenuhi$/, `${p.label} now meets the threshold`);
    }
    assert.equal(await text(coordinator.locator('.flash-success', { hasText: 'Semua platform' })),
      'Semua platform wajib memenuhi ambang; kandidat dapat disetujui.');
    await shot(coordinator, '27-vetting-counts-saved.png');
    await checkA11y(coordinator, 'vetting candidate (counts saved)');
  });

  step('the coordinator approves with today as the membership date', async () => {
    const since = coordinator.getByLabel('Anggota sejak', { exact: true });
    assert.equal(await since.inputValue(), todayJakarta(), 'the membership date defaults to today');
    await submit(coordinator, coordinator.getByRole('button', { name: 'Setujui', exact: true }));
    assert.match(pathOf(coordinator), /^\/vetting\/candidates\/\d+$/);
    await expectFlash(coordinator, 'Kandidat disetujui.');
    assert.equal(await h1(coordinator), `${CANDIDATE.name} Disetujui`);
    assert.ok(await coordinator.getByText('Kandidat ini sudah diputuskan: Disetujui.', { exact: true }).isVisible());
    assert.equal(await coordinator.getByRole('button', { name: 'Setujui', exact: true }).count(), 0, 'no second approval');
    await shot(coordinator, '28-vetting-approved.png');
    await checkA11y(coordinator, 'vetting candidate (approved)');
  });

  step('the candidate reloads their status page and sees they are a Duta ASN', async () => {
    await candidate.reload();
    assert.equal(pathOf(candidate), '/me/status');
    assert.equal(await h1(candidate), 'Status pendaftaran');
    assert.equal(await text(candidate.locator('#status-badge')), 'Disetujui');
    assert.equal(await text(candidate.locator('.status-line')), 'Disetujui Selamat, Anda adalah Duta ASN.');
    assert.ok(await candidate.getByText(/^Anggota sejak: /).isVisible(), 'the membership date is shown');
    assert.equal(await candidate.getByRole('button', { name: 'Kirim ulang', exact: true }).count(), 0,
      'a decided sign-up can no longer be edited');
    for (const p of PLATFORMS) {
      const card = candidate.locator('.platform-cards > section', { has: candidate.getByRole('heading', { level: 2, name: new RegExp(`^${escapeRe(p.label)} `) }) });
      assert.match(await text(card), new RegExp(`Pengikut: ${escapeRe(new Intl.NumberFormat("id-ID").format(p.seen))} / ambang ${THRESHOLD}`));
      await expectLoadedImage(card.getByRole('img', { name: `Tangkapan layar profil ${p.label}`, exact: true }), `${p.label} thumbnail after approval`);
    }
    await shot(candidate, '29-candidate-approved.png');
    await checkA11y(candidate, 'status (approved, phone)');
    await checkPhoneLayout(candidate, 'status (approved)');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
