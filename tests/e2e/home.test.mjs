// Browser journey of the coordinator's day on a 360 px phone: her home counts today's work
// and links to each queue; from an urgent brief's line she opens its audience, sees who
// has posted and who has not, narrows to those who have not opened it and has a WhatsApp
// reminder per person; leadership's home shows this week's participation and who lags.
// Screenshots: a0-… to a9-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, h1, isoWeekJakarta,
  login, menu, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

/** The smallest phone Duta is held to: 360×740 CSS pixels, touch, rendered at 2×. */
const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const COORDINATOR = { email: 'humas@kemenkes.go.id', name: 'Humas Kemenkes', password: 'koordinator-kes-2024' };
const LEADER = { email: 'karo.humas@kemenkes.go.id', name: 'Karo Humas', password: 'pimpinan-kes-2024' };
const PEOPLE = [
  { name: 'Dewi Lestari', display: 'Dewi', nip: '19900212 201503 2 001', email: 'dewi@kemenkes.go.id', phone: '0812 3333 1001' },
  { name: 'Budi Santoso', display: 'Budi', nip: '19880515 201402 1 002', email: 'budi@kemenkes.go.id', phone: '0812 3333 1002' },
  { name: 'Ayu Pratiwi', display: 'Ayu', nip: '19920101 201803 2 003', email: 'ayu@kemenkes.go.id', phone: '0812 3333 1003' },
];

before(async () => {
  clearShots(/^a\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe("the coordinator's day on a phone", () => {
  const step = stepper();
  let context;
  let page;
  let briefId;

  before(async () => {
    context = await newContext(SMALL_PHONE);
    page = await context.newPage();
  });
  after(async () => { await context?.close(); });

  step('an institution, its staff, three approved ambassadors and an urgent brief one of them posted for (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Kementerian Kesehatan', kind: 'ministry' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Biro Komunikasi' }, expect: 201 });
    for (const [who, role] of [[COORDINATOR, 'coordinator'], [LEADER, 'leadership']]) {
      await api('POST', '/users', {
        token, expect: 201,
        body: { email: who.email, name: who.name, role, institution_id: inst.id, password: who.password },
      });
    }
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    const consent = (await api('GET', '/signup/form')).consent_version;
    const tokens = [];
    for (const [i, p] of PEOPLE.entries()) {
      const password = `duta-${p.display.toLowerCase()}-2024!`;
      const signup = await api('POST', '/signup', {
        expect: 201,
        body: {
          name: p.name, display_name: p.display, nip: p.nip, employee_type: 'pns', email: p.email, phone: p.phone,
          institution_id: inst.id, work_unit_id: unit.id, password, consent: true, consent_version: consent,
          platforms: [
            { platform: 'facebook', handle: `${p.display.toLowerCase()}.fb`, method: 'screenshot', count: 900 + i },
            { platform: 'x', handle: `${p.display.toLowerCase()}_x`, method: 'screenshot', count: 1200 + i },
            { platform: 'instagram', handle: `${p.display.toLowerCase()}.ig`, method: 'screenshot', count: 2400 + i },
          ],
        },
      });
      for (const [platform, count] of [['facebook', 900 + i], ['x', 1200 + i], ['instagram', 2400 + i]]) {
        await api('POST', `/vetting/candidates/${signup.id}/followers`, { token: koor.token, body: { platform, count } });
      }
      await api('POST', `/vetting/candidates/${signup.id}/approve`, { token: koor.token, body: {} });
      tokens.push((await api('POST', '/auth/login', { body: { email: p.email, password } })).token);
    }
    const brief = await api('POST', '/briefs', {
      token: koor.token,
      expect: 201,
      body: {
        title: 'Klarifikasi: vaksin aman untuk anak', week: isoWeekJakarta(), category: 'kontra_narasi',
        key_messages: 'Vaksin untuk anak sudah diuji dan aman.', platforms: ['instagram'], priority: 'urgent',
        deadline: new Date(Date.now() + 6 * 3600000).toISOString(), status: 'published',
      },
    });
    briefId = brief.id;
    await api('POST', '/submissions', {
      token: tokens[0],
      expect: 201,
      body: {
        brief_id: brief.id, platform: 'instagram', url: 'https://www.instagram.com/p/CVaksinAman1/',
        posted_at: new Date(Date.now() - 10 * 60000).toISOString(),
      },
    });
    // Budi opens the brief; Ayu does not.
    await api('GET', `/briefs/${brief.id}`, { token: tokens[1] });
  });

  step("her home says what to do today, each count linking to its queue", async () => {
    await login(page, COORDINATOR);
    assert.equal(pathOf(page), '/');
    const work = page.locator('section[aria-labelledby="work-title"]');
    assert.equal(await text(work.locator('h2')), 'Pekerjaan hari ini');
    const tile = (href) => work.locator(`a[href="${href}"]`);
    assert.match(await text(tile('/submissions')), /^1 unggahan menunggu verifikasi/);
    assert.match(await text(tile('/submissions/reminders')), /^2 duta belum mengunggah pekan ini/);
    assert.match(await text(tile('/vetting')), /^0 calon menunggu keputusan/);
    const urgent = work.locator('ul.briefs li');
    assert.equal(await urgent.count(), 1);
    assert.ok((await text(urgent)).includes('Klarifikasi: vaksin aman untuk anak'));
    assert.match(await text(urgent), /WIB/, 'the deadline carries its zone');
    await checkPhoneLayout(page, 'coordinator home (360 px)');
    await shot(page, 'a0-coordinator-home-phone.png');
    await checkA11y(page, 'coordinator home (360 px)');
  });

  step("from the urgent brief she opens who has posted and who has not", async () => {
    await submit(page, page.getByRole('link', { name: '1 dari 3 duta sudah mengunggah.' }));
    assert.equal(pathOf(page), `/briefs/${briefId}/audience`);
    assert.equal(await h1(page), 'Siapa yang sudah mengunggah');
    const people = page.locator('ul.people > li');
    assert.equal(await people.count(), 3);
    assert.match(await text(people.nth(0)), /^Ayu Belum membuka/);
    assert.match(await text(people.nth(1)), /^Budi Sudah membuka/);
    assert.match(await text(people.nth(2)), /^Dewi Menunggu verifikasi/);
    const remind = people.nth(0).getByRole('link', { name: 'Kirim pengingat Ayu' });
    assert.match(await remind.getAttribute('href'), /^https:\/\/wa\.me\/6281233331003\?text=Halo%20Ayu/);
    assert.equal(await people.nth(2).getByRole('link').count(), 0, 'no reminder for who has posted');
    await checkPhoneLayout(page, 'brief audience (360 px)');
    await shot(page, 'a1-brief-audience-phone.png');
    await checkA11y(page, 'brief audience (360 px)');

    await submit(page, page.getByRole('navigation', { name: 'Saring menurut keadaan' }).getByRole('link', { name: /^Belum membuka/ }));
    assert.equal(await page.locator('ul.people > li').count(), 1);
    assert.match(await text(page.locator('ul.people > li')), /^Ayu/);
    await shot(page, 'a2-brief-audience-not-seen-phone.png');
  });

  step('she verifies the waiting posts in bulk from the queue, with the keyboard', async () => {
    await submit(page, (await menu(page)).getByRole('link', { name: 'Verifikasi unggahan', exact: true }));
    assert.equal(pathOf(page), '/submissions');
    const form = page.locator('#bulk-form');
    assert.equal(await text(form.locator('h2')), 'Putuskan sekaligus');
    // Rejecting with no reason is refused beside the reason, the ticks kept.
    await page.getByLabel('Pilih semua di halaman ini').focus();
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('Pilih unggahan Dewi').isChecked(), true);
    await submit(page, form.getByRole('button', { name: 'Tolak yang dipilih', exact: true }));
    assert.equal(await page.locator('#bulk-reason').getAttribute('aria-invalid'), 'true');
    assert.match(await text(page.locator('#bulk-reason-error')), /alasan/i);
    assert.equal(await page.getByLabel('Pilih unggahan Dewi').isChecked(), true, 'the tick is kept');
    await checkPhoneLayout(page, 'queue, bulk refused (360 px)');
    await shot(page, 'a4-bulk-refused-phone.png');
    await checkA11y(page, 'queue, bulk refused (360 px)');
    await submit(page, page.locator('#bulk-form').getByRole('button', { name: 'Verifikasi yang dipilih', exact: true }));
    assert.equal(await text(page.locator('#bulk-notice')), '1 unggahan diverifikasi.');
    await shot(page, 'a5-bulk-verified-phone.png');
  });

  step("leadership's home shows this week's participation, its trend and who lags", async () => {
    await context.clearCookies();
    await login(page, LEADER);
    const overview = page.locator('section[aria-labelledby="overview-title"]');
    assert.match(await text(overview.locator('h2')), /^Partisipasi pekan \d{4}-W\d{2}$/);
    assert.ok((await text(overview)).includes('1 dari 3 duta yang diharapkan'), "Dewi's post, verified in bulk");
    assert.ok((await overview.locator('ol.trend li').count()) >= 4);
    assert.ok((await text(overview.locator('ul.people'))).includes('Biro Komunikasi'));
    await checkPhoneLayout(page, 'leadership home (360 px)');
    await shot(page, 'a3-leadership-home-phone.png');
    await checkA11y(page, 'leadership home (360 px)');
  });
});

acrossEveryVisitedPage();
