// Browser journey of recognition: an ambassador's post is verified, the coordinator issues
// certificates of participation for a period on the desk, downloads one (the PDF is
// rendered to PNG with pdftoppm and its text read with pdftotext), anyone checks its code
// on the public page on a phone (a changed code is not found), and the ambassador finds
// the certificate and her badges on her phone. Screenshots: c0-… c5-….

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ADMIN, approvedAmbassador, PHONE, SHOTS, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, h1,
  isoWeekJakarta, login, menu, newContext, shot, startBrowser, startServer, stepper, stopServer,
  submit, text, url,
} from './lib.mjs';

const COORDINATOR = { email: 'humas@kulonprogo.go.id', name: 'Rini Humas', password: 'koordinator-kp-2026!' };
const DUTA = {
  name: 'Wahyu Nugroho', display: 'Wahyu N', nip: '19890305 201503 1 004', email: 'wahyu@kulonprogo.go.id',
  phone: '0812 7777 1234', password: 'duta-wahyu-2026!',
};
const INSTITUTION = 'Pemerintah Kabupaten Kulon Progo';

/** An X status id made at `ms` (the snowflake layout: milliseconds since 2010-11-04 on top). */
const snowflake = (ms) => ((BigInt(ms) - 1288834974657n) << 22n) | 0x2a5n;
/** A date as the date field takes it, `days` before today in Jakarta. */
function dayJakarta(days) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

before(async () => {
  clearShots(/^c\d-.*\.(png|pdf)$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('certificates issued, downloaded and verified', () => {
  const step = stepper();
  let desk;
  let coordinator;
  let phone;
  let duta;
  let code;

  before(async () => {
    desk = await newContext();
    coordinator = await desk.newPage();
    phone = await newContext(PHONE);
    duta = await phone.newPage();
  });
  after(async () => { await desk?.close(); await phone?.close(); });

  step('an institution, its coordinator and an ambassador with a verified post (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: INSTITUTION, kind: 'regency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Dinas Kominfo' }, expect: 201 });
    await api('POST', '/users', {
      token, expect: 201,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    await approvedAmbassador(koor.token, inst.id, unit.id, DUTA, { facebook: 'wahyu.fb', x: 'wahyu_x', instagram: 'wahyu.ig' });
    const brief = await api('POST', '/briefs', {
      token: koor.token, expect: 201,
      body: {
        title: 'Bandara YIA: layanan bus gratis', week: isoWeekJakarta(), category: 'sosialisasi',
        key_messages: 'Bus gratis dari bandara ke pusat kota.', platforms: ['x'], priority: 'normal',
        deadline: new Date(Date.now() + 6 * 3600000).toISOString(), status: 'published',
      },
    });
    const wahyu = await api('POST', '/auth/login', { body: { email: DUTA.email, password: DUTA.password } });
    const at = Date.now() - 5 * 60000;
    const post = await api('POST', '/submissions', {
      token: wahyu.token, expect: 201,
      body: { brief_id: brief.id, platform: 'x', url: `https://x.com/wahyu_x/status/${snowflake(at)}`, posted_at: new Date(at).toISOString() },
    });
    assert.equal(post.status, 'verified', 'X proves the post itself');
  });

  step('the coordinator issues certificates for the last thirty days', async () => {
    await login(coordinator, COORDINATOR);
    await submit(coordinator, (await menu(coordinator)).getByRole('link', { name: 'Sertifikat', exact: true }));
    assert.equal(await h1(coordinator), 'Sertifikat partisipasi');
    // A period ending tomorrow is refused at the field, the dates kept.
    await coordinator.getByLabel('Dari tanggal', { exact: true }).fill(dayJakarta(30));
    await coordinator.getByLabel('Sampai tanggal', { exact: true }).fill(dayJakarta(-1));
    await submit(coordinator, coordinator.getByRole('button', { name: 'Terbitkan sertifikat', exact: true }));
    assert.match(await text(coordinator.locator('#f-to-error')), /tidak boleh setelah hari ini/);
    assert.equal(await coordinator.getByLabel('Dari tanggal', { exact: true }).inputValue(), dayJakarta(30));
    await coordinator.getByLabel('Sampai tanggal', { exact: true }).fill(dayJakarta(0));
    await submit(coordinator, coordinator.getByRole('button', { name: 'Terbitkan sertifikat', exact: true }));
    assert.match(await text(coordinator.locator('#issue-outcome')), /^1 sertifikat diterbitkan/);
    const row = coordinator.locator('#t-certificates tbody tr').first();
    assert.match(await text(row), new RegExp(DUTA.display));
    code = await text(row.locator('code'));
    assert.match(code, /^\d+-[0-9a-f]{12}$/);
    await shot(coordinator, 'c0-certificates-desk.png');
    await checkA11y(coordinator, 'certificates (desk)');
  });

  step('the PDF reads as a certificate: rendered with pdftoppm, its text with pdftotext', async () => {
    const href = await coordinator.locator('#t-certificates tbody tr a[download]').first().getAttribute('href');
    const resp = await coordinator.request.get(url(href));
    assert.equal(resp.status(), 200);
    assert.equal(resp.headers()['content-type'], 'application/pdf');
    const file = path.join(SHOTS, 'c1-certificate.pdf');
    fs.writeFileSync(file, await resp.body());
    execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', file, path.join(SHOTS, 'c1-certificate')]);
    assert.ok(fs.statSync(path.join(SHOTS, 'c1-certificate.png')).size > 5000, 'a page was drawn');
    const words = execFileSync('pdftotext', ['-layout', file, '-']).toString().replace(/\s+/g, ' ');
    for (const expected of ['SERTIFIKAT PARTISIPASI', INSTITUTION, DUTA.name, 'Dinas Kominfo',
      `Kode verifikasi: ${code}`, '1 unggahan terverifikasi', `/verify/${code}`]) {
      assert.ok(words.includes(expected), `the PDF says ${expected}: ${words}`);
    }
    fs.rmSync(file);
  });

  step('anyone checks the code on a phone, without signing in', async () => {
    const stranger = await newContext(PHONE);
    const page = await stranger.newPage();
    try {
      await page.goto(url(`/verify/${code}`));
      assert.equal(await h1(page), 'Periksa sertifikat');
      assert.match(await text(page.locator('#verify-ok')), /sah/);
      assert.match(await text(page.locator('#verify-holder')), new RegExp(DUTA.name));
      await shot(page, 'c2-verify-phone.png');
      await checkA11y(page, 'verify (phone)');
      await checkPhoneLayout(page, 'verify');
      const changed = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
      const resp = await page.goto(url(`/verify/${changed}`));
      assert.equal(resp.status(), 404);
      assert.match(await text(page.locator('#verify-missing')), /tidak dikenal/);
      assert.equal(await page.locator('#verify-holder').count(), 0);
      await shot(page, 'c3-verify-changed-phone.png');
    } finally {
      await stranger.close();
    }
  });

  step('the ambassador finds her certificate and her badges on her phone', async () => {
    await login(duta, DUTA);
    await submit(duta, (await menu(duta)).getByRole('link', { name: 'Sertifikat saya', exact: true }));
    assert.equal(await h1(duta), 'Sertifikat saya');
    assert.match(await text(duta.locator('#my-certificates li').first()), new RegExp(code));
    await shot(duta, 'c4-my-certificates-phone.png');
    await checkPhoneLayout(duta, 'my certificates');
    await submit(duta, (await menu(duta)).getByRole('link', { name: 'Lencana', exact: true }));
    assert.equal(await h1(duta), 'Lencana saya');
    assert.match(await text(duta.locator('[data-badge="first_post"]')), /Unggahan Pertama diraih/);
    await duta.getByLabel('Tampilkan lencana saya di papan peringkat', { exact: true }).check();
    await submit(duta, duta.getByRole('button', { name: 'Simpan', exact: true }));
    assert.ok(await duta.getByLabel('Tampilkan lencana saya di papan peringkat', { exact: true }).isChecked());
    await shot(duta, 'c5-badges-phone.png');
    await checkA11y(duta, 'badges (phone)');
    await checkPhoneLayout(duta, 'badges');
  });

  acrossEveryVisitedPage({ phoneLayout: true });
});
