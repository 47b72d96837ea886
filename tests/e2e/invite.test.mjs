// Browser journey of a roster import with invitations: a coordinator uploads the office's
// roster on the import page and gets each person's invitation link with a WhatsApp message
// to their own number; the invitee opens the link on a phone, chooses a password, lands
// signed in and sees this week's brief; the roster no longer shows the invitation as open.
// Screenshots: 90-… to 99-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, PHONE, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  isoWeekJakarta, login, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text,
} from './lib.mjs';

const COORDINATOR = { email: 'humas@bnpb.go.id', name: 'Humas BNPB', password: 'koordinator-bnpb-2024' };
const DINA = { email: 'dina.lestari@bnpb.go.id', name: 'Dina Lestari', password: 'gunung merapi cerah' };
const TITLE = 'Siaga bencana musim hujan';

before(async () => {
  clearShots(/^9\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a coordinator imports the roster and an invitee gets in from a phone', () => {
  const step = stepper();
  let phoneContext;
  let phone;
  let deskContext;
  let desk;
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

  step('an institution, its coordinator and this week\'s brief (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Badan Nasional Penanggulangan Bencana', kind: 'agency' }, expect: 201 });
    await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Biro Humas' }, expect: 201 });
    await api('POST', '/users', {
      token,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
      expect: 201,
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    await api('POST', '/briefs', {
      token: koor.token,
      expect: 201,
      body: {
        title: TITLE, week: isoWeekJakarta(), category: 'edukasi',
        key_messages: 'Kenali jalur evakuasi di sekitar rumah.', hashtags: ['SiagaBencana'],
        platforms: ['instagram', 'x'], deadline: new Date(Date.now() + 3 * 86400000).toISOString(), status: 'published',
      },
    });
  });

  step('the coordinator imports the roster and gets each invitation to send', async () => {
    await login(desk, COORDINATOR);
    await desk.goto(new URL('/vetting/import', desk.url()).href);
    const csv = 'name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n'
      + `${DINA.name},19900505 201503 2 007,pns,${DINA.email},0812 7777 1234,Biro Humas,dina.lestari,900,dinalestari,1500,dina.lestari.ig,2100\n`;
    await desk.getByLabel('Berkas CSV', { exact: false }).setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await submit(desk, desk.getByRole('button', { name: 'Impor', exact: false }));
    const list = desk.locator('#invitations');
    assert.ok((await text(list)).includes(DINA.name), await text(desk.locator('main')));
    link = await list.locator('input[readonly]').first().inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/invitation\/[A-Za-z0-9_-]{43}$/);
    const wa = await list.getByRole('link', { name: `Kirim lewat WhatsApp ${DINA.name}`, exact: true }).getAttribute('href');
    assert.ok(wa.startsWith('https://wa.me/6281277771234?text='), wa);
    assert.ok(decodeURIComponent(wa).includes(link), 'the WhatsApp message carries the link');
    await shot(desk, '90-roster-imported-invitations.png');
    await checkA11y(desk, 'roster import: invitations');
    await desk.goto(new URL('/roster?invitation=pending', desk.url()).href);
    assert.ok((await text(desk.locator('table tbody'))).includes(DINA.name));
    await shot(desk, '91-roster-invitation-pending.png');
    await checkA11y(desk, 'roster');
  });

  step('on her phone she opens the link, chooses a password and sees this week\'s brief', async () => {
    await phone.goto(link);
    assert.equal(await h1(phone), 'Terima undangan Duta');
    await checkPhoneLayout(phone, 'invitation (phone)');
    await shot(phone, '92-invitation-phone.png');
    await checkA11y(phone, 'invitation (phone)');
    await phone.getByLabel('Kata sandi baru', { exact: true }).fill(DINA.password);
    await phone.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(DINA.password);
    await submit(phone, phone.getByRole('button', { name: 'Simpan kata sandi dan masuk', exact: true }));
    assert.equal(pathOf(phone), '/');
    await expectFlash(phone, 'Selamat datang di Duta. Kata sandi Anda tersimpan dan Anda sudah masuk.');
    assert.equal(await h1(phone), `Selamat datang, ${DINA.name}.`);
    assert.ok((await text(phone.locator('main'))).includes(TITLE), 'this week\'s brief is on her home page');
    await checkPhoneLayout(phone, 'home after the invitation (phone)');
    await shot(phone, '93-invited-home-phone.png');
    await checkA11y(phone, 'home after the invitation (phone)');
  });

  step('the roster no longer shows her invitation as open', async () => {
    await desk.goto(new URL('/roster?invitation=pending', desk.url()).href);
    assert.ok(!(await text(desk.locator('main'))).includes(DINA.name));
    await desk.goto(new URL('/roster?invitation=accepted', desk.url()).href);
    assert.ok((await text(desk.locator('table tbody'))).includes(DINA.name));
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
