// Browser end-to-end journey of a post: an ambassador on a phone submits the link of their
// Instagram post for this week's brief (a script link first, refused beside the field), a
// coordinator finds it in the verification queue and verifies it, and the ambassador sees
// their row on the leaderboard and an active week on their own page, in Indonesian and in
// English. Shares lib.mjs with the other journeys; run all with `./run.sh`.
// Screenshots: 40-… to 49-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, isoWeekJakarta, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, menu, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text,
} from './lib.mjs';

const INSTITUTION = { name: 'Kementerian Kesehatan', kind: 'ministry' };
const UNIT = 'Biro Komunikasi';
const COORDINATOR = { email: 'humas@kemkes.go.id', name: 'Rina Humas', password: 'humas-kemkes-2024' };
const SARI = { email: 'sari.wulandari@kemkes.go.id', name: 'Sari Wulandari', password: 'duta-sari-2024!' };
const DODI = { email: 'dodi.saputra@kemkes.go.id', name: 'Dodi Saputra', password: 'duta-dodi-2024!' };
const TITLE = 'Imunisasi lengkap di puskesmas terdekat';

/** Ten minutes ago in Jakarta, as a date-time field writes it. */
function tenMinutesAgoJakarta() {
  const t = new Date(Date.now() - 10 * 60 * 1000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(t).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

before(async () => {
  clearShots(/^4\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('an ambassador submits a post, a coordinator verifies it, the board follows', () => {
  const step = stepper();
  let coordinatorContext;
  let coordinator;
  let ambassadorContext;
  let ambassador;
  let briefId;

  before(async () => {
    coordinatorContext = await newContext();
    coordinator = await coordinatorContext.newPage();
    ambassadorContext = await newContext({ ...PHONE });
    ambassador = await ambassadorContext.newPage();
  });
  after(async () => {
    await coordinatorContext?.close();
    await ambassadorContext?.close();
  });

  step('an institution, a coordinator, two approved ambassadors and a brief (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: INSTITUTION, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: UNIT }, expect: 201 });
    await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    const consent = (await api('GET', '/signup/form')).consent_version;
    for (const [who, nip, n] of [[SARI, '19910304 201601 2 003', 1], [DODI, '19880715 201403 1 004', 2]]) {
      const signup = await api('POST', '/signup', {
        expect: 201,
        body: {
          name: who.name, display_name: who.name, nip, employee_type: 'pns', email: who.email,
          phone: `0813 2222 000${n}`, institution_id: inst.id, work_unit_id: unit.id, password: who.password,
          consent: true, consent_version: consent,
          platforms: [
            { platform: 'facebook', handle: `duta.fb.${n}`, method: 'screenshot', count: 900 },
            { platform: 'x', handle: `duta_x${n}`, method: 'screenshot', count: 1200 },
            { platform: 'instagram', handle: `duta.ig.${n}`, method: 'screenshot', count: 2400 },
          ],
        },
      });
      for (const [platform, count] of [['facebook', 900], ['x', 1200], ['instagram', 2400]]) {
        await api('POST', `/vetting/candidates/${signup.id}/followers`, { token: koor.token, body: { platform, count } });
      }
      await api('POST', `/vetting/candidates/${signup.id}/approve`, { token: koor.token, body: {} });
    }
    const deadline = new Date(Date.now() + 3 * 86400000).toISOString();
    const brief = await api('POST', '/briefs', {
      token: koor.token,
      expect: 201,
      body: {
        title: TITLE, week: isoWeekJakarta(), category: 'edukasi',
        key_messages: 'Imunisasi dasar lengkap gratis di puskesmas.', hashtags: ['AyoImunisasi'],
        platforms: ['instagram', 'x'], deadline, status: 'published',
      },
    });
    briefId = brief.id;
  });

  step('on a phone, a script link is refused beside the field and what was typed stays', async () => {
    await login(ambassador, SARI);
    await ambassador.goto(`${new URL(ambassador.url()).origin}/briefs/${briefId}`);
    const form = ambassador.locator('form.submission');
    await form.getByLabel('Platform', { exact: true }).selectOption('instagram');
    await form.getByLabel('Tautan unggahan', { exact: true }).fill('javascript:alert(1)');
    await form.getByLabel('Waktu unggah', { exact: true }).fill(tenMinutesAgoJakarta());
    await form.getByLabel('Suka', { exact: true }).fill('1.250');
    await submit(ambassador, form.getByRole('button', { name: 'Kirim unggahan', exact: true }));
    const urlField = ambassador.getByLabel('Tautan unggahan', { exact: true });
    assert.equal(await urlField.getAttribute('aria-invalid'), 'true');
    assert.equal(await text(ambassador.locator('#f-url-error')), 'Ini bukan tautan web (harus diawali https://).');
    assert.equal(await urlField.inputValue(), 'javascript:alert(1)');
    assert.equal(await ambassador.getByLabel('Suka', { exact: true }).inputValue(), '1.250');
    await shot(ambassador, '40-submit-error-phone.png');
    await checkA11y(ambassador, 'brief page: submission refused (phone)');
    await checkPhoneLayout(ambassador, 'brief page: submission refused');
  });

  step('the real Instagram link is sent and waits for the coordinator', async () => {
    await ambassador.getByLabel('Tautan unggahan', { exact: true }).fill('https://instagram.com/p/CImunisasi1/?igsh=abc');
    await submit(ambassador, ambassador.getByRole('button', { name: 'Kirim unggahan', exact: true }));
    await expectFlash(ambassador, 'Unggahan terkirim dan menunggu verifikasi koordinator.');
    const mine = ambassador.locator('.submissions-mine li');
    assert.equal(await mine.count(), 1);
    assert.match(await text(mine), /^Menunggu verifikasi Instagram · https:\/\/www\.instagram\.com\/p\/CImunisasi1\/$/);
    await shot(ambassador, '41-submitted-phone.png');
  });

  step('the coordinator verifies it from the queue, after a rejection without reason is refused', async () => {
    await login(coordinator, COORDINATOR);
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Verifikasi unggahan', exact: true }));
    assert.equal(pathOf(coordinator), '/submissions');
    const item = coordinator.locator('li.review');
    assert.equal(await item.count(), 1);
    assert.ok((await text(item)).includes('Sari Wulandari'));
    assert.ok((await text(item)).includes('Pengikut 2.400'), 'the follower count on Instagram, grouped the Indonesian way');
    assert.ok((await text(item)).includes('52,08 %'), 'engagement: 1250 of 2400 followers');
    await submit(coordinator, item.getByRole('button', { name: 'Tolak', exact: true }));
    assert.equal(await text(coordinator.locator('li.review .field-error')), 'Tuliskan alasan penolakan; duta akan membacanya.');
    await shot(coordinator, '42-queue-reason-missing.png');
    await checkA11y(coordinator, 'verification queue (error)');
    await submit(coordinator, coordinator.locator('li.review').getByRole('button', { name: 'Verifikasi', exact: true }));
    await expectFlash(coordinator, 'Unggahan diverifikasi; skor duta ikut diperbarui.');
    assert.equal(await coordinator.locator('li.review').count(), 0, 'the queue is empty');
  });

  step('the ambassador leads the board and this week is active on their page', async () => {
    await submit(ambassador, (await menu(ambassador)).getByRole('link', { name: 'Papan peringkat', exact: true }));
    assert.equal(await h1(ambassador), 'Papan peringkat');
    const me = ambassador.locator('tr.me');
    assert.equal(await me.count(), 1);
    assert.match(await text(me), /^1 Sari Wulandari Anda baru Biro Komunikasi 100 % 1 \/ 1 1 1 1$/);
    assert.match(await text(ambassador.locator('tbody tr').nth(1)), /^2 Dodi Saputra baru Biro Komunikasi 0 % 0 \/ 1/);
    await shot(ambassador, '43-leaderboard-phone.png');
    await checkA11y(ambassador, 'leaderboard (phone)');
    await checkPhoneLayout(ambassador, 'leaderboard');
    await submit(ambassador, (await menu(ambassador)).getByRole('link', { name: 'Kemajuan saya', exact: true }));
    assert.equal(await text(ambassador.locator('.week-cells li').last()), `${isoWeekJakarta().slice(-2)} ${isoWeekJakarta()}: Aktif ✓`);
    assert.ok((await text(ambassador.locator('main'))).includes(TITLE), 'X still waits for a post');
    await shot(ambassador, '44-progress-phone.png');
    await checkA11y(ambassador, 'progress (phone)');
    await checkPhoneLayout(ambassador, 'progress');
  });

  step('in English', async () => {
    await submit(ambassador, ambassador.getByRole('button', { name: 'English', exact: true }));
    assert.equal(await h1(ambassador), 'My progress');
    await ambassador.goto(ambassador.url().replace(/\/progress.*$/, '/leaderboard'));
    assert.equal(await h1(ambassador), 'Leaderboard');
    assert.equal(await text(ambassador.locator('section.how h2')), 'How the score works');
    await shot(ambassador, '45-leaderboard-en-phone.png');
    await checkA11y(ambassador, 'leaderboard in English (phone)');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
