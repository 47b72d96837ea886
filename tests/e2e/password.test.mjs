// Browser journey of a forgotten password: an ambassador on a phone asks for a link ("Lupa
// kata sandi?"), a bad address first (refused beside the field, what was typed kept); with
// no email set up, her coordinator makes her a link from the candidate page and passes it
// on (copy or WhatsApp); she opens it on her phone, mistypes the confirmation, then sets a
// new password and lands signed in; the old password no longer works, and the link is
// used up. Screenshots: 70-… to 79-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const RINI = { email: 'rini.astuti@bmkg.go.id', name: 'Rini Astuti', password: 'duta-rini-2024!' };
const NEW_PASSWORD = 'hujan turun sore hari';
const COORDINATOR = { email: 'humas@bmkg.go.id', name: 'Humas BMKG', password: 'koordinator-bmkg-2024' };

before(async () => {
  clearShots(/^7\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('an ambassador who forgot her password gets back in with a link from her coordinator', () => {
  const step = stepper();
  let phoneContext;
  let phone;
  let deskContext;
  let desk;
  let candidateId;
  let link;

  before(async () => {
    phoneContext = await newContext(PHONE);
    phone = await phoneContext.newPage();
    deskContext = await newContext();
    desk = await deskContext.newPage();
  });
  after(async () => {
    await phoneContext?.close();
    await deskContext?.close();
  });

  step('an institution, its coordinator and an approved ambassador (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Badan Meteorologi', kind: 'agency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Humas BMKG' }, expect: 201 });
    await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    const signup = await api('POST', '/signup', {
      expect: 201,
      body: {
        name: RINI.name, display_name: 'Rini', nip: '19910304 201603 2 004', employee_type: 'pns', email: RINI.email,
        phone: '0812 5555 7788', institution_id: inst.id, work_unit_id: unit.id, password: RINI.password,
        consent: true, consent_version: (await api('GET', '/signup/form')).consent_version,
        platforms: [
          { platform: 'facebook', handle: 'rini.astuti.fb', method: 'screenshot', count: 900 },
          { platform: 'x', handle: 'riniastuti_bmkg', method: 'screenshot', count: 1200 },
          { platform: 'instagram', handle: 'rini.astuti.ig', method: 'screenshot', count: 2400 },
        ],
      },
    });
    candidateId = signup.id;
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    for (const [platform, count] of [['facebook', 900], ['x', 1200], ['instagram', 2400]]) {
      await api('POST', `/vetting/candidates/${signup.id}/followers`, { token: koor.token, body: { platform, count } });
    }
    await api('POST', `/vetting/candidates/${signup.id}/approve`, { token: koor.token, body: {} });
  });

  step('on her phone she asks for a link: a bad address is refused beside the field', async () => {
    await phone.goto(url('/login'));
    await submit(phone, phone.getByRole('link', { name: 'Lupa kata sandi?', exact: true }));
    assert.equal(pathOf(phone), '/password/forgot');
    assert.equal(await h1(phone), 'Lupa kata sandi');
    const email = phone.getByLabel('Email', { exact: true });
    await email.fill('rini.astuti@bmkg');
    await submit(phone, phone.getByRole('button', { name: 'Kirim tautan', exact: true }));
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.ok((await text(phone.locator('#f-email-error'))).startsWith('Masukkan alamat email yang valid'));
    assert.equal(await email.inputValue(), 'rini.astuti@bmkg');
    await shot(phone, '70-forgot-refused-phone.png');
    await checkA11y(phone, 'forgot password: refused (phone)');
    await checkPhoneLayout(phone, 'forgot password');
    await email.fill(RINI.email);
    await submit(phone, phone.getByRole('button', { name: 'Kirim tautan', exact: true }));
    assert.match(await text(phone.locator('#reset-sent')), /^Jika email itu terdaftar di Duta/);
    await shot(phone, '71-forgot-sent-phone.png');
    await checkA11y(phone, 'forgot password: sent (phone)');
  });

  step('with no email set up, her coordinator makes her a link to pass on', async () => {
    await login(desk, COORDINATOR);
    await desk.goto(url(`/vetting/candidates/${candidateId}`));
    const help = desk.locator('#sign-in-help');
    assert.equal(await text(help.locator('h2')), 'Bantuan masuk');
    await submit(desk, help.getByRole('button', { name: 'Buat tautan atur ulang kata sandi', exact: true }));
    assert.equal(await h1(desk), 'Tautan atur ulang kata sandi');
    link = await desk.locator('#pass-on-link').inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/password\/reset\/[A-Za-z0-9_-]{43}$/);
    const wa = await desk.getByRole('link', { name: 'Kirim lewat WhatsApp', exact: true }).getAttribute('href');
    assert.ok(wa.startsWith('https://wa.me/6281255557788?text='), wa);
    assert.ok(decodeURIComponent(wa).includes(link), 'the WhatsApp message carries the link');
    await shot(desk, '72-reset-link-made.png');
    await checkA11y(desk, 'reset link made');
  });

  step('she opens the link on her phone: a mistyped confirmation is refused, then she is in', async () => {
    await phone.goto(link);
    assert.equal(await h1(phone), 'Buat kata sandi baru');
    assert.ok((await text(phone.locator('main'))).includes(RINI.email));
    await phone.getByLabel('Kata sandi baru', { exact: true }).fill(NEW_PASSWORD);
    await phone.getByLabel('Ulangi kata sandi baru', { exact: true }).fill('hujan turun pagi hari');
    await submit(phone, phone.getByRole('button', { name: 'Simpan kata sandi baru', exact: true }));
    assert.equal(await phone.getByLabel('Ulangi kata sandi baru', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(phone, '73-reset-mismatch-phone.png');
    await checkA11y(phone, 'reset: mismatch (phone)');
    await checkPhoneLayout(phone, 'reset password');
    await phone.getByLabel('Kata sandi baru', { exact: true }).fill(NEW_PASSWORD);
    await phone.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(NEW_PASSWORD);
    await submit(phone, phone.getByRole('button', { name: 'Simpan kata sandi baru', exact: true }));
    assert.equal(pathOf(phone), '/');
    await expectFlash(phone, 'Kata sandi baru tersimpan. Anda sudah masuk.');
    await shot(phone, '74-reset-done-phone.png');
  });

  step('the old password no longer works, and the link is used up', async () => {
    await api('POST', '/auth/login', { body: { email: RINI.email, password: RINI.password }, expect: 401 });
    await api('POST', '/auth/login', { body: { email: RINI.email, password: NEW_PASSWORD } });
    const used = await phone.goto(link);
    assert.equal(used.status(), 409);
    assert.match(await text(phone.locator('#reset-dead')), /sudah dipakai/);
    await shot(phone, '75-reset-link-used-phone.png');
    await checkA11y(phone, 'reset: link used (phone)');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
