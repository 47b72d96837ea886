// Browser journey of personal data: an ambassador on a phone opens "Data saya", sees their
// NIP masked, downloads their data, corrects their WhatsApp number (a bad one first,
// refused beside the field with what was typed kept), reads the page in English, withdraws
// (a wrong password first), and erases their data, after which they cannot sign in.
// Screenshots: 60-… to 69-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const ANI = { email: 'ani.pratiwi@bps.go.id', name: 'Ani Pratiwi', password: 'duta-ani-2024!' };
const NIP = '19900512 201503 2 007';

before(async () => {
  clearShots(/^6\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('an ambassador reads, corrects, withdraws and erases their data', () => {
  const step = stepper();
  let context;
  let page;

  before(async () => {
    context = await newContext({ ...PHONE, acceptDownloads: true });
    page = await context.newPage();
  });
  after(async () => { await context?.close(); });

  step('an institution and an approved ambassador (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Badan Pusat Statistik', kind: 'agency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Humas BPS' }, expect: 201 });
    const consent = (await api('GET', '/signup/form')).consent_version;
    const signup = await api('POST', '/signup', {
      expect: 201,
      body: {
        name: ANI.name, display_name: 'Ani P.', nip: NIP, employee_type: 'pns', email: ANI.email,
        phone: '0812 7777 1234', institution_id: inst.id, work_unit_id: unit.id, password: ANI.password,
        consent: true, consent_version: consent,
        platforms: [
          { platform: 'facebook', handle: 'ani.pratiwi.fb', method: 'screenshot', count: 900 },
          { platform: 'x', handle: 'anipratiwi_bps', method: 'screenshot', count: 1200 },
          { platform: 'instagram', handle: 'ani.pratiwi.ig', method: 'screenshot', count: 2400 },
        ],
      },
    });
    for (const [platform, count] of [['facebook', 900], ['x', 1200], ['instagram', 2400]]) {
      await api('POST', `/vetting/candidates/${signup.id}/followers`, { token, body: { platform, count } });
    }
    await api('POST', `/vetting/candidates/${signup.id}/approve`, { token, body: {} });
  });

  step('the page shows their data with the NIP masked, and the download holds all of it', async () => {
    await login(page, ANI);
    await page.goto(url('/me/data'));
    assert.equal(await h1(page), 'Data pribadi saya');
    assert.equal(await text(page.locator('#nip-masked')), '1990********2***');
    assert.ok(!(await page.content()).includes('199005122015032007'), 'the whole NIP is not on the page');
    await shot(page, '60-my-data-phone.png');
    await checkA11y(page, 'my data (phone)');
    await checkPhoneLayout(page, 'my data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Unduh semua data saya (JSON)', exact: true }).click(),
    ]);
    const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(data.ambassador.nip, '199005122015032007');
    assert.equal(data.account.email, ANI.email);
    assert.deepEqual(data.platforms.map((p) => p.handle).sort(), ['ani.pratiwi.fb', 'ani.pratiwi.ig', 'anipratiwi_bps']);
  });

  step('a bad WhatsApp number is refused beside the field, then the right one is saved', async () => {
    const phone = page.getByLabel('Nomor WhatsApp', { exact: true });
    await phone.fill('+1 202 555 0100');
    await submit(page, page.getByRole('button', { name: 'Simpan perbaikan', exact: true }));
    assert.equal(await phone.getAttribute('aria-invalid'), 'true');
    assert.ok((await text(page.locator('#f-phone-error'))).length > 10);
    assert.equal(await phone.inputValue(), '+1 202 555 0100');
    await shot(page, '61-my-data-error-phone.png');
    await checkA11y(page, 'my data: correction refused (phone)');
    await phone.fill('0813 8888 4321');
    await submit(page, page.getByRole('button', { name: 'Simpan perbaikan', exact: true }));
    await expectFlash(page, 'Perbaikan data Anda tersimpan.');
    assert.equal(await page.getByLabel('Nomor WhatsApp', { exact: true }).inputValue(), '+6281388884321');
  });

  step('in English', async () => {
    await submit(page, page.getByRole('button', { name: 'English', exact: true }));
    assert.equal(await h1(page), 'My personal data');
    assert.ok((await text(page.locator('main'))).includes('Law 27/2022'));
    await shot(page, '62-my-data-en-phone.png');
    await checkA11y(page, 'my data in English (phone)');
    await submit(page, page.getByRole('button', { name: 'Bahasa Indonesia', exact: true }));
    assert.equal(await h1(page), 'Data pribadi saya');
  });

  step('withdrawing needs the password; then the page says when the data goes', async () => {
    const form = page.locator('form[action="/me/data/withdraw"]');
    await form.getByLabel('Kata sandi Anda, untuk konfirmasi', { exact: true }).fill('bukan sandi saya');
    await submit(page, form.getByRole('button', { name: 'Mengundurkan diri', exact: true }));
    assert.equal(await text(page.locator('#f-withdraw-password-error')), 'Kata sandi salah.');
    await shot(page, '63-withdraw-refused-phone.png');
    await checkA11y(page, 'my data: withdrawal refused (phone)');
    const again = page.locator('form[action="/me/data/withdraw"]');
    await again.getByLabel('Kata sandi Anda, untuk konfirmasi', { exact: true }).fill(ANI.password);
    await submit(page, again.getByRole('button', { name: 'Mengundurkan diri', exact: true }));
    await expectFlash(page, 'Anda telah mengundurkan diri dari program.');
    assert.equal(await text(page.locator('#privacy-status')), 'Keluar');
    assert.match(await text(page.locator('#withdrawn-note')), /dihapus otomatis pada \d{4}-\d{2}-\d{2}/);
  });

  step('erasing signs them out for good', async () => {
    const form = page.locator('form[action="/me/data/erase"]');
    await form.getByLabel('Kata sandi Anda, untuk konfirmasi', { exact: true }).fill(ANI.password);
    await submit(page, form.getByRole('button', { name: 'Hapus data saya selamanya', exact: true }));
    assert.equal(pathOf(page), '/login');
    await expectFlash(page, 'Data pribadi Anda telah dihapus. Terima kasih telah menjadi Duta ASN.');
    await shot(page, '64-erased-phone.png');
    await page.getByLabel('Email', { exact: true }).fill(ANI.email);
    await page.getByLabel('Kata sandi', { exact: true }).fill(ANI.password);
    await submit(page, page.getByRole('button', { name: 'Masuk', exact: true }));
    assert.equal(pathOf(page), '/login');
    const res = await api('POST', '/auth/login', { body: { email: ANI.email, password: ANI.password }, expect: 401 });
    assert.equal(res.error, 'unauthorized');
  });
});

describe('an admin reads the audit log and the integrity flags, and sets up two-step sign-in', () => {
  const step = stepper();
  let context;
  let page;

  before(async () => {
    context = await newContext();
    page = await context.newPage();
  });
  after(async () => { await context?.close(); });

  step('the audit log lists the erasure and refuses a bad date beside the field', async () => {
    await login(page, ADMIN);
    await page.goto(url('/audit'));
    assert.equal(await h1(page), 'Log audit');
    assert.ok((await text(page.locator('table.audit'))).includes('person.erased'));
    await page.getByLabel('Dari tanggal', { exact: true }).fill('2026-11-24');
    await page.getByLabel('Sampai tanggal', { exact: true }).fill('2026-11-01');
    await submit(page, page.getByRole('button', { name: 'Terapkan', exact: true }));
    assert.equal(await text(page.locator('#f-to-error')), 'Tanggal akhir tidak boleh sebelum tanggal awal.');
    await shot(page, '65-audit-error.png');
    await checkA11y(page, 'audit log: bad range');
    await page.goto(url('/audit?action=person.erased'));
    assert.equal(await page.locator('table.audit tbody tr').count(), 1);
    await shot(page, '66-audit.png');
    await checkA11y(page, 'audit log');
  });

  step('the integrity page and the settings for it', async () => {
    await page.goto(url('/integrity'));
    assert.equal(await h1(page), 'Integritas program');
    assert.equal(await text(page.locator('main section.card').first()), 'Tidak ada tanda yang terbuka.');
    await checkA11y(page, 'integrity (none open)');
    await page.goto(url('/admin/settings'));
    await page.getByLabel('Masa netralitas pemilu: mulai', { exact: true }).fill('2026-12-01');
    await submit(page, page.getByRole('button', { name: 'Simpan pengaturan', exact: true }));
    assert.equal(await text(page.locator('#f-neutrality_to-error')), 'Isi tanggal mulai dan tanggal akhir, atau kosongkan keduanya.');
    await shot(page, '67-settings-integrity-error.png');
    await checkA11y(page, 'settings: neutrality refused');
  });

  step('two-step sign-in shows a QR code and refuses a wrong code beside the field', async () => {
    await page.goto(url('/account/two-factor'));
    assert.equal(await h1(page), 'Verifikasi dua langkah');
    assert.equal(await page.locator('figure.qr svg').count(), 1);
    assert.match(await text(page.locator('#totp-secret')), /^[A-Z2-7]{32}$/);
    await page.getByLabel('Kode dari aplikasi', { exact: true }).fill('000000');
    await submit(page, page.getByRole('button', { name: 'Aktifkan', exact: true }));
    assert.match(await text(page.locator('#f-code-error')), /^Kode salah/);
    await shot(page, '68-two-factor.png');
    await checkA11y(page, 'two-step sign-in setup');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
