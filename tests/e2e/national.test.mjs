// Browser journey of the national narrative: the national desk writes a brief for the
// institutions of one province and publishes it; the province's coordinator, on a phone,
// adopts it with a local fact (her institution's own brief comes out); the city's
// coordinator declines it with a reason; the national page shows the uptake per
// institution, in Indonesian and in English. Screenshots: n0-… to n5-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, menu, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const NATIONAL = { email: 'narasi@bakohumas.go.id', name: 'Desk Bakohumas', password: 'bakohumas-nasional-2026' };
const PROVINCE = { email: 'humas@jabarprov.go.id', name: 'Humas Jabar', password: 'humas-jabar-2026' };
const CITY = { email: 'humas@bandung.go.id', name: 'Humas Bandung', password: 'humas-bandung-2026' };
const TITLE = 'Bansos tidak dipungut biaya';

before(async () => {
  clearShots(/^n\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('one national narrative, carried by each institution', () => {
  const step = stepper();
  let desk;
  let deskPage;
  let briefPath;

  before(async () => {
    desk = await newContext();
    deskPage = await desk.newPage();
  });
  after(async () => { await desk?.close(); });

  step('two institutions of Jawa Barat, one of Bali, their coordinators and the national desk (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const made = [];
    for (const [name, kind, region] of [
      ['Pemerintah Provinsi Jawa Barat', 'province', 'jawa-barat'],
      ['Pemerintah Kota Bandung', 'city', 'jawa-barat'],
      ['Pemerintah Provinsi Bali', 'province', 'bali'],
    ]) {
      made.push(await api('POST', '/institutions', { token, body: { name, kind, region }, expect: 201 }));
    }
    for (const [who, inst] of [[PROVINCE, made[0]], [CITY, made[1]]]) {
      await api('POST', '/users', {
        token, expect: 201,
        body: { email: who.email, name: who.name, role: 'coordinator', institution_id: inst.id, password: who.password },
      });
    }
    await api('POST', '/users', {
      token, expect: 201,
      body: { email: NATIONAL.email, name: NATIONAL.name, role: 'national', password: NATIONAL.password },
    });
  });

  step('the national desk writes a brief for Jawa Barat and publishes it', async () => {
    await login(deskPage, NATIONAL);
    await submit(deskPage, (await menu(deskPage)).getByRole('link', { name: 'Brief nasional', exact: true }));
    assert.equal(await h1(deskPage), 'Brief nasional');
    await submit(deskPage, deskPage.getByRole('link', { name: 'Tulis brief nasional', exact: true }));
    assert.equal(pathOf(deskPage), '/national-briefs/new');
    await deskPage.getByLabel('Judul', { exact: true }).fill(TITLE);
    await deskPage.getByLabel('Kategori GPR', { exact: true }).selectOption('kontra_narasi');
    await deskPage.getByLabel('Pesan kunci', { exact: true }).fill('Bantuan sosial tidak dipungut biaya apa pun. Laporkan pungutan.');
    await deskPage.getByLabel('Fakta dan data', { exact: true }).fill('Penyaluran lewat bank Himbara | Kemensos 2026');
    await deskPage.getByLabel('Instagram', { exact: true }).check();
    await deskPage.locator('input[name=priority][value=urgent]').check();
    const later = new Date(Date.now() + 2 * 86400000 + 7 * 3600000).toISOString().slice(0, 16);
    await deskPage.getByLabel('Tenggat', { exact: true }).fill(later);
    await deskPage.getByLabel('Wilayah', { exact: true }).selectOption(['jawa-barat']);
    await shot(deskPage, 'n0-national-form.png');
    await checkA11y(deskPage, 'national brief form');
    await submit(deskPage, deskPage.getByRole('button', { name: 'Terbitkan ke instansi', exact: true }));
    assert.match(pathOf(deskPage), /^\/national-briefs\/\d+$/);
    briefPath = pathOf(deskPage);
    await expectFlash(deskPage, 'Brief nasional diterbitkan ke instansi yang dituju.');
    assert.equal(await text(deskPage.locator('#uptake-counts')),
      '0 mengadopsi · 0 menolak · 2 belum menjawab (dari 2 instansi)');
    assert.deepEqual(
      (await deskPage.locator('#t-uptake tbody th').allInnerTexts()).map((s) => s.split('\n')[0].replace(/\s+/g, ' ').trim()),
      ['Pemerintah Provinsi Jawa Barat Provinsi · Jawa Barat', 'Pemerintah Kota Bandung Kota · Jawa Barat'],
    );
    await shot(deskPage, 'n1-national-sent.png');
    await checkA11y(deskPage, 'national brief (desk)');
  });

  step("the province's coordinator adopts it on a phone, with a local fact", async () => {
    const phone = await newContext({ ...SMALL_PHONE });
    try {
      const page = await phone.newPage();
      await login(page, PROVINCE);
      await submit(page, (await menu(page)).getByRole('link', { name: 'Brief nasional', exact: true }));
      assert.equal(await text(page.locator('#national-briefs tbody tr').first()).then((t) => t.includes(TITLE)), true);
      await checkA11y(page, 'national briefs (coordinator, phone)');
      await checkPhoneLayout(page, 'national briefs (coordinator)');
      await submit(page, page.getByRole('link', { name: TITLE, exact: true }));
      assert.equal(pathOf(page), briefPath);
      await page.getByLabel('Fakta lokal', { exact: true }).fill('1,2 juta penerima di Jawa Barat | Dinsos Jabar');
      await shot(page, 'n2-adopt-phone.png');
      await checkA11y(page, 'national brief (coordinator, phone)');
      await checkPhoneLayout(page, 'national brief (coordinator)');
      await submit(page, page.getByRole('button', { name: 'Adopsi dan terbitkan', exact: true }));
      assert.match(pathOf(page), /^\/briefs\/\d+$/);
      await expectFlash(page, 'Brief nasional diadopsi dan terbit untuk duta instansi Anda.');
      assert.equal(await h1(page), TITLE);
      const body = await text(page.locator('main'));
      assert.ok(body.includes('1,2 juta penerima di Jawa Barat'), 'the local fact is in the brief');
      assert.ok(body.includes('Penyaluran lewat bank Himbara'), 'so is the national one');
      await shot(page, 'n3-adopted-brief.png');
    } finally {
      await phone.close();
    }
  });

  step("the city's coordinator declines it with a reason (a reason is required)", async () => {
    const phone = await newContext({ ...SMALL_PHONE });
    try {
      const page = await phone.newPage();
      await login(page, CITY);
      await page.goto(url(briefPath));
      await submit(page, page.getByRole('button', { name: 'Tolak brief ini', exact: true }));
      assert.ok((await text(page.locator('#f-reason-error'))).startsWith('Tulis alasannya'));
      await checkA11y(page, 'decline refused (phone)');
      await page.getByLabel('Alasan', { exact: true }).fill('Wali kota sudah mengumumkan klarifikasi sendiri.');
      await submit(page, page.getByRole('button', { name: 'Tolak brief ini', exact: true }));
      await expectFlash(page, 'Penolakan tersimpan; tingkat nasional melihat alasannya.');
      assert.equal(await text(page.locator('#my-answer p').first()), 'Jawaban instansi Anda: Ditolak');
    } finally {
      await phone.close();
    }
  });

  step('the national page shows the uptake, in Indonesian and in English', async () => {
    await deskPage.goto(url(briefPath));
    assert.equal(await text(deskPage.locator('#uptake-counts')),
      '1 mengadopsi · 1 menolak · 0 belum menjawab (dari 2 instansi)');
    const rows = deskPage.locator('#t-uptake tbody tr');
    assert.ok((await text(rows.nth(0))).includes('Diadopsi'));
    assert.ok((await text(rows.nth(1))).includes('Wali kota sudah mengumumkan klarifikasi sendiri.'));
    await shot(deskPage, 'n4-uptake.png');
    await checkA11y(deskPage, 'uptake (desk)');
    await submit(deskPage, deskPage.getByRole('button', { name: 'English', exact: true }));
    assert.equal(await text(deskPage.locator('#uptake-counts')),
      '1 adopted · 1 declined · 0 not answered (of 2 institutions)');
    assert.ok((await text(deskPage.locator('#t-uptake'))).includes('Declined'));
    await shot(deskPage, 'n5-uptake-en.png');
    await checkA11y(deskPage, 'uptake (desk, English)');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
