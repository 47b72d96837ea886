// Browser end-to-end journey for Duta: a real `duta serve` on a free port with a fresh
// data dir, driven through Debian's Chromium by playwright-core, with axe-core checking
// every visited page. Run with `./run.sh` (or `node --test --test-concurrency=1 journey.test.mjs`).
//
// Environment:
//   DUTA_BIN          the duta binary (default: ../../target/debug/duta)
//   DUTA_SCREENSHOTS  where the full-page screenshots go (default: ./screenshots)
//   CHROMIUM          the browser (default: /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, checkA11y, clearShots, closeBrowser, expectFlash, h1, htmlLang,
  login, menu, logout, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text,
  textLeft, url,
} from './lib.mjs';

const COORDINATOR = { email: 'sari.wulandari@komdigi.go.id', name: 'Sari Wulandari', password: 'humas-komdigi-2024' };
const INSTITUTION = { name: 'Kementerian Komunikasi dan Digital', short: 'Komdigi', kind: 'Kementerian' };
const UNIT = 'Direktorat Jenderal Komunikasi Publik dan Media';
const CHILD_UNIT = 'Direktorat Informasi Publik';

// ---------------------------------------------------------------------------------------

before(async () => {
  clearShots(/^[01]\d-.*\.png$/); // this file's screenshots are 01–19; candidate.test.mjs has 2x
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('admin sets up an institution and a coordinator, who then uses Duta', () => {
  const step = stepper();
  let context;
  let page;
  let institutionPath;
  let createStatus;
  let invitation;

  before(async () => {
    context = await newContext();
    page = await context.newPage();
  });
  after(async () => { await context?.close(); });

  step('admin signs in', async () => {
    await page.goto(url('/login'));
    assert.equal(await htmlLang(page), 'id', 'Indonesian is the default language');
    await checkA11y(page, 'login (id)');
    await login(page, ADMIN, '01-admin-login.png');
    assert.equal(await text(page.locator('main p').first()), 'Peran Anda: Administrator.');
    const nav = (await menu(page));
    for (const link of ['Instansi', 'Pengguna', 'Pengaturan program']) {
      assert.ok(await nav.getByRole('link', { name: link, exact: true }).isVisible(), `admin menu shows "${link}"`);
    }
    await shot(page, '02-admin-home.png');
    await checkA11y(page, 'home (admin)');
  });

  step('admin creates an institution', async () => {
    await submit(page, (await menu(page)).getByRole('link', { name: 'Instansi', exact: true }));
    assert.equal(pathOf(page), '/admin/institutions');
    assert.equal(await h1(page), 'Instansi');
    assert.ok(await page.getByText('Belum ada instansi.', { exact: true }).isVisible());
    await page.getByLabel('Nama', { exact: true }).fill(INSTITUTION.name);
    await page.getByLabel('Singkatan', { exact: true }).fill(INSTITUTION.short);
    await page.getByLabel('Jenis', { exact: true }).selectOption({ label: INSTITUTION.kind });
    await shot(page, '03-institution-form.png');
    await checkA11y(page, 'institutions (empty)');

    await submit(page, page.getByRole('button', { name: 'Simpan instansi', exact: true }));
    assert.match(pathOf(page), /^\/admin\/institutions\/\d+$/);
    institutionPath = pathOf(page);
    await expectFlash(page, 'Instansi telah dibuat.');
    assert.equal(await h1(page), INSTITUTION.name);
    assert.equal(await text(page.locator('h1 + p')), `${INSTITUTION.kind} · ${INSTITUTION.short}`);
    assert.ok(await page.getByText('Belum ada unit kerja.', { exact: true }).isVisible());
    await shot(page, '04-institution-created.png');
    await checkA11y(page, 'institution (new)');
  });

  step('the institution appears in the institutions list', async () => {
    await page.goto(url('/admin/institutions'));
    const row = page.locator('table tbody tr');
    assert.equal(await row.count(), 1);
    assert.equal(await text(row.locator('td').nth(0)), `${INSTITUTION.name} (${INSTITUTION.short})`);
    assert.equal(await text(row.locator('td').nth(1)), INSTITUTION.kind);
    await shot(page, '05-institutions-list.png');
    await checkA11y(page, 'institutions (one)');
    await submit(page, row.getByRole('link', { name: INSTITUTION.name }));
    assert.equal(pathOf(page), institutionPath);
  });

  step('admin adds a work unit and a child unit, shown indented under its parent', async () => {
    await page.getByLabel('Nama unit kerja', { exact: true }).fill(UNIT);
    await page.getByLabel('Induk', { exact: true }).selectOption({ label: '— tingkat teratas —' });
    await submit(page, page.getByRole('button', { name: 'Tambah unit', exact: true }));
    assert.equal(pathOf(page), institutionPath);
    await expectFlash(page, 'Unit kerja telah ditambahkan.');
    const items = page.locator('ul.tree li');
    assert.deepEqual((await items.allInnerTexts()).map((s) => s.trim()), [UNIT]);
    await shot(page, '06-work-unit-added.png');

    await page.getByLabel('Nama unit kerja', { exact: true }).fill(CHILD_UNIT);
    await page.getByLabel('Induk', { exact: true }).selectOption({ label: UNIT });
    await submit(page, page.getByRole('button', { name: 'Tambah unit', exact: true }));
    assert.equal(pathOf(page), institutionPath);
    await expectFlash(page, 'Unit kerja telah ditambahkan.');
    assert.deepEqual((await items.allInnerTexts()).map((s) => s.trim()), [UNIT, CHILD_UNIT],
      'the child unit is listed right after its parent');
    const parentLeft = await textLeft(items.nth(0));
    const childLeft = await textLeft(items.nth(1));
    assert.ok(childLeft >= parentLeft + 10,
      `the child unit is indented under its parent (text starts at x=${childLeft} vs parent x=${parentLeft})`);
    // The parent picker offers the child as a sub-unit of its parent.
    const parentOptions = (await page.getByLabel('Induk', { exact: true }).locator('option').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(parentOptions, ['— tingkat teratas —', UNIT, `— ${CHILD_UNIT}`]);
    await shot(page, '07-child-unit-added.png');
    await checkA11y(page, 'institution (two units)');
  });

  step('admin mistypes the coordinator\'s email and sees the error next to the Email field', async () => {
    await submit(page, (await menu(page)).getByRole('link', { name: 'Pengguna', exact: true }));
    assert.equal(pathOf(page), '/admin/users');
    assert.equal(await h1(page), 'Pengguna');
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await text(rows.first()), /Admin Duta admin@duta\.test Administrator/);
    await checkA11y(page, 'users');

    await page.getByLabel('Nama', { exact: true }).fill(COORDINATOR.name);
    await page.getByLabel('Email', { exact: true }).fill('sari.wulandari-at-komdigi');
    await page.getByLabel('Peran', { exact: true }).selectOption({ label: 'Koordinator humas' });
    await page.getByLabel('Instansi', { exact: true }).selectOption({ label: INSTITUTION.name });
    await page.getByLabel('Unit kerja', { exact: true }).selectOption({ label: UNIT });
    assert.equal(await page.getByLabel('Kata sandi awal').count(), 0,
      'no first password to type: the coordinator gets an invitation');
    await shot(page, '08-user-form-bad-email.png');
    const response = await submit(page, page.getByRole('button', { name: 'Buat akun', exact: true }), { responseFor: '/admin/users' });
    createStatus = response.status();

    assert.equal(pathOf(page), '/admin/users');
    assert.equal(await text(page.getByRole('alert')), 'Periksa kembali isian yang ditandai.');
    const email = page.getByLabel('Email', { exact: true });
    const emailField = page.locator('.field', { has: email });
    const errors = emailField.locator('.field-error');
    assert.deepEqual(await errors.allInnerTexts(), ['Masukkan alamat email yang valid, misalnya nama@instansi.go.id.']);
    assert.equal(await email.getAttribute('aria-invalid'), 'true', 'the Email input is marked invalid');
    const describedBy = await email.getAttribute('aria-describedby');
    assert.ok(describedBy, 'the Email input points to its error');
    assert.equal(await text(page.locator(`[id="${describedBy}"]`)), 'Masukkan alamat email yang valid, misalnya nama@instansi.go.id.');
    const inputBox = await email.boundingBox();
    const errorBox = await errors.first().boundingBox();
    assert.ok(errorBox.y >= inputBox.y + inputBox.height - 1 && errorBox.y <= inputBox.y + inputBox.height + 40,
      `the error sits right below the Email input (input bottom ${inputBox.y + inputBox.height}, error top ${errorBox.y})`);
    assert.equal(await page.locator('.field-error').count(), 1, 'only the Email field has an error');

    // What was typed is kept.
    assert.equal(await page.getByLabel('Nama', { exact: true }).inputValue(), COORDINATOR.name);
    assert.equal(await email.inputValue(), 'sari.wulandari-at-komdigi');
    const selected = async (label) => text(page.getByLabel(label, { exact: true }).locator('option:checked'));
    assert.equal(await selected('Peran'), 'Koordinator humas');
    assert.equal(await selected('Instansi'), INSTITUTION.name);
    assert.equal(await selected('Unit kerja'), UNIT);
    assert.equal(await rows.count(), 1, 'no account was created');
    await shot(page, '09-user-form-email-error.png');
    await checkA11y(page, 'users (email error)');
  });

  step('the rejected form is answered with 422 Unprocessable Entity', async () => {
    assert.equal(createStatus, 422,
      `POST /admin/users with only an invalid email answered ${createStatus}, expected 422 (validation error)`);
  }, { essential: false });

  step('admin creates the coordinator with that institution and work unit, and gets the invitation', async () => {
    await page.getByLabel('Email', { exact: true }).fill(COORDINATOR.email);
    await submit(page, page.getByRole('button', { name: 'Buat akun', exact: true }));
    assert.equal(pathOf(page), '/admin/users');
    await expectFlash(page, 'Akun telah dibuat.');
    assert.equal(await h1(page), 'Tautan undangan');
    assert.ok((await text(page.locator('main'))).includes(COORDINATOR.email));
    invitation = await page.locator('#pass-on-link').inputValue();
    assert.match(invitation, /^http:\/\/127\.0\.0\.1:\d+\/invitation\/[A-Za-z0-9_-]{43}$/);
    const wa = await page.getByRole('link', { name: 'Kirim lewat WhatsApp', exact: true }).getAttribute('href');
    assert.ok(wa.startsWith('https://wa.me/?text='), wa);
    assert.ok(decodeURIComponent(wa).includes(invitation), 'the WhatsApp message carries the link');
    await shot(page, '10-coordinator-invited.png');
    await checkA11y(page, 'invitation link');

    await submit(page, page.getByRole('link', { name: '← Kembali', exact: true }));
    assert.equal(pathOf(page), '/admin/users');
    const row = page.locator('table tbody tr', { hasText: COORDINATOR.email });
    assert.equal(await row.count(), 1);
    const cells = (await row.locator('td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.equal(cells[0], `${COORDINATOR.name} ${COORDINATOR.email}`);
    assert.equal(cells[1], 'Koordinator humas');
    assert.equal(cells[2], `${INSTITUTION.name} ${UNIT}`);
    assert.equal(cells[3], 'Undangan belum diterima');
    assert.ok(await row.getByRole('link', { name: `Ubah ${COORDINATOR.name}` }).isVisible());
    await shot(page, '10-coordinator-created-not-accepted.png');
    await checkA11y(page, 'users (coordinator created)');
  });

  step('admin signs out', async () => {
    await logout(page);
    await shot(page, '11-admin-signed-out.png');
    await checkA11y(page, 'login (signed out)');
  });

  step('the coordinator opens the invitation, chooses a password and lands signed in', async () => {
    await page.goto(invitation);
    assert.equal(await h1(page), 'Terima undangan Duta');
    assert.ok((await text(page.locator('main'))).includes(`Selamat datang, ${COORDINATOR.name}.`));
    await page.getByLabel('Kata sandi baru', { exact: true }).fill('pendek');
    await page.getByLabel('Ulangi kata sandi baru', { exact: true }).fill('pendek');
    await submit(page, page.getByRole('button', { name: 'Simpan kata sandi dan masuk', exact: true }));
    assert.equal(await page.getByLabel('Kata sandi baru', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(page, '11-invitation-short-password.png');
    await page.getByLabel('Kata sandi baru', { exact: true }).fill(COORDINATOR.password);
    await page.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(COORDINATOR.password);
    await submit(page, page.getByRole('button', { name: 'Simpan kata sandi dan masuk', exact: true }));
    assert.equal(pathOf(page), '/');
    await expectFlash(page, 'Selamat datang di Duta. Kata sandi Anda tersimpan dan Anda sudah masuk.');
    assert.equal(await h1(page), `Selamat datang, ${COORDINATOR.name}.`);
    await shot(page, '11-invitation-accepted.png');
    await checkA11y(page, 'invitation accepted');
    await logout(page);
    // The link worked once.
    await page.goto(invitation);
    assert.match(await text(page.locator('#invitation-dead')), /sudah dipakai/);
    await checkA11y(page, 'invitation used');
  });

  step('coordinator signs in and sees a coordinator\'s home', async () => {
    await login(page, COORDINATOR, '12-coordinator-login.png');
    assert.equal(await text(page.locator('main p').first()), 'Peran Anda: Koordinator humas.');
    const nav = (await menu(page));
    assert.ok(await nav.getByText(COORDINATOR.name, { exact: true }).isVisible(), 'the header names who is signed in');
    assert.equal(await nav.getByRole('link', { name: 'Pengguna', exact: true }).count(), 0, 'no admin menu for a coordinator');
    await shot(page, '13-coordinator-home.png');
    await checkA11y(page, 'home (coordinator)');
  });

  step('coordinator switches to English', async () => {
    await submit(page, page.getByRole('button', { name: 'English', exact: true }));
    assert.equal(pathOf(page), '/', 'the language switch keeps you on the same page');
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1(page), `Welcome, ${COORDINATOR.name}.`);
    assert.equal(await text(page.locator('main p').first()), 'Your role: PR coordinator.');
    assert.equal(await page.getByRole('button', { name: 'English', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.ok(await page.getByRole('button', { name: 'Sign out', exact: true }).isVisible());
    await shot(page, '14-coordinator-home-english.png');
    await checkA11y(page, 'home (coordinator, en)');

    // The choice sticks when moving to another page.
    await page.goto(url('/account/password'));
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1(page), 'Change password');
    await checkA11y(page, 'change password (en)');
    await page.goto(url('/'));
  });

  step('coordinator switches back to Indonesian', async () => {
    await submit(page, page.getByRole('button', { name: 'Bahasa Indonesia', exact: true }));
    assert.equal(pathOf(page), '/');
    assert.equal(await htmlLang(page), 'id');
    assert.equal(await h1(page), `Selamat datang, ${COORDINATOR.name}.`);
    assert.equal(await page.getByRole('button', { name: 'Bahasa Indonesia', exact: true }).getAttribute('aria-pressed'), 'true');
    await shot(page, '15-coordinator-home-indonesian.png');
  });

  step('coordinator signs out', async () => {
    await logout(page);
    await shot(page, '16-coordinator-signed-out.png');
  });
});

describe('on a phone', () => {
  it('the login page fits a 390×844 screen', async () => {
    const context = await newContext(PHONE);
    try {
      const page = await context.newPage();
      await page.goto(url('/login'));
      assert.equal(await h1(page), 'Masuk ke Duta');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no sideways scrolling on a phone (page is ${overflow}px too wide)`);
      for (const label of ['Email', 'Kata sandi']) {
        const box = await page.getByLabel(label, { exact: true }).boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `the ${label} field fits the screen`);
        assert.ok(box.height >= 40, `the ${label} field is big enough to tap (${box.height}px)`);
      }
      const button = await page.getByRole('button', { name: 'Masuk', exact: true }).boundingBox();
      assert.ok(button.x + button.width <= 390 && button.height >= 40, 'the sign-in button fits and is big enough to tap');
      await shot(page, '17-phone-login.png');
      await checkA11y(page, 'login (phone)');
    } finally {
      await context.close();
    }
  });
});

acrossEveryVisitedPage();
