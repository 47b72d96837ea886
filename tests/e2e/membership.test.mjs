// Browser journey of a suspension: a coordinator suspends an approved ambassador from the
// candidate page (a reason too short is refused beside its field, what was typed kept);
// she leaves the board at once; the ambassador, on a phone, reads the reason on her status
// page and in her notifications; the coordinator reinstates her and she is back on the
// board. Screenshots: 80-… to 89-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, newContext, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const WULAN = { email: 'wulan.sari@bps.go.id', name: 'Wulan Sari', password: 'duta-wulan-2024!' };
const COORDINATOR = { email: 'humas@bps.go.id', name: 'Humas BPS', password: 'koordinator-bps-2024' };
const REASON = 'Mengunggah konten politik praktis pada masa kampanye.';

before(async () => {
  clearShots(/^8\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a coordinator suspends an ambassador, who sees why, and reinstates her', () => {
  const step = stepper();
  let phoneContext;
  let phone;
  let deskContext;
  let desk;
  let candidateId;

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
    const inst = await api('POST', '/institutions', { token, body: { name: 'Badan Pusat Statistik', kind: 'agency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Humas BPS' }, expect: 201 });
    await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    const signup = await api('POST', '/signup', {
      expect: 201,
      body: {
        name: WULAN.name, display_name: 'Wulan', nip: '19910304 201603 2 004', employee_type: 'pns', email: WULAN.email,
        phone: '0812 5555 6611', institution_id: inst.id, work_unit_id: unit.id, password: WULAN.password,
        consent: true, consent_version: (await api('GET', '/signup/form')).consent_version,
        platforms: [
          { platform: 'facebook', handle: 'wulan.sari.fb', method: 'screenshot', count: 900 },
          { platform: 'x', handle: 'wulansari_bps', method: 'screenshot', count: 1200 },
          { platform: 'instagram', handle: 'wulan.sari.ig', method: 'screenshot', count: 2400 },
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

  step('she is on the board before', async () => {
    await login(desk, COORDINATOR);
    await desk.goto(url('/leaderboard'));
    assert.ok((await text(desk.locator('main'))).includes('Wulan'), 'on the board');
  });

  step('the coordinator suspends her: a reason too short is refused beside its field', async () => {
    await desk.goto(url(`/vetting/candidates/${candidateId}`));
    const card = desk.locator('#membership');
    assert.equal(await text(card.locator('h2')), 'Keanggotaan');
    const reason = card.getByLabel('Alasan penangguhan', { exact: true });
    await reason.fill('ok');
    await submit(desk, card.getByRole('button', { name: 'Tangguhkan', exact: true }));
    const again = desk.locator('#membership').getByLabel('Alasan penangguhan', { exact: true });
    assert.equal(await again.getAttribute('aria-invalid'), 'true');
    assert.equal(await again.inputValue(), 'ok', 'what was typed is kept');
    assert.match(await text(desk.locator('#f-suspend_reason-error')), /^Tulis alasannya/);
    await shot(desk, '80-suspend-refused.png');
    await checkA11y(desk, 'suspend: reason refused');

    await again.fill(REASON);
    await submit(desk, desk.locator('#membership').getByRole('button', { name: 'Tangguhkan', exact: true }));
    await expectFlash(desk, 'Keanggotaan ditangguhkan mulai minggu ini; orangnya diberi tahu.');
    assert.match(await text(desk.locator('h1')), /Ditangguhkan/);
    assert.ok((await text(desk.locator('#membership'))).includes(REASON));
    await shot(desk, '81-suspended.png');
    await checkA11y(desk, 'suspended');
    await desk.goto(url('/leaderboard'));
    assert.ok(!(await text(desk.locator('main'))).includes('Wulan'), 'off the board at once');
    await shot(desk, '86-board-without-her.png');
  });

  step('on her phone she reads why, and has nothing to post for', async () => {
    await login(phone, WULAN);
    await phone.goto(url('/me/status'));
    assert.equal(await h1(phone), 'Status pendaftaran');
    assert.equal(await text(phone.locator('#status-badge')), 'Ditangguhkan');
    assert.ok((await text(phone.locator('#membership-break'))).includes(REASON));
    await checkPhoneLayout(phone, 'status (suspended, phone)');
    await shot(phone, '82-suspended-status-phone.png');
    await checkA11y(phone, 'status (suspended, phone)');
    await phone.goto(url('/notifications'));
    assert.ok((await text(phone.locator('main'))).includes('Keanggotaan Duta Anda ditangguhkan'));
    await shot(phone, '83-suspended-notification-phone.png');
  });

  step('the coordinator reinstates her, and her status says so', async () => {
    await desk.goto(url(`/vetting/candidates/${candidateId}`));
    await submit(desk, desk.locator('#membership').getByRole('button', { name: 'Aktifkan kembali', exact: true }));
    await expectFlash(desk, 'Keanggotaan aktif kembali mulai minggu ini; orangnya diberi tahu.');
    assert.match(await text(desk.locator('h1')), /Disetujui/);
    await shot(desk, '84-reinstated.png');
    await desk.goto(url('/leaderboard'));
    assert.ok((await text(desk.locator('main'))).includes('Wulan'), 'back on the board');
    await phone.goto(url('/me/status'));
    assert.equal(await text(phone.locator('#status-badge')), 'Disetujui');
    assert.equal(await phone.locator('#membership-break').count(), 0);
    await shot(phone, '85-reinstated-status-phone.png');
  });
});

acrossEveryVisitedPage();
