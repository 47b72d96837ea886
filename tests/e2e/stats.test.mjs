// Browser end-to-end journey of leadership reading participation: the head of an
// institution signs in, opens the statistics, changes the window and the work unit,
// downloads the XLSX workbook (opened again here to check a cell), and opens the
// printable A4 report; the dashboard in Indonesian, in English and on a phone.
// Shares lib.mjs with the other journeys; run all with `./run.sh`.
// Screenshots: 50-… to 59-… in DUTA_SCREENSHOTS.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ADMIN, PHONE, SHOTS, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, h1, isoWeekJakarta,
  login, menu, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text,
} from './lib.mjs';

const INSTITUTION = { name: 'Kementerian Pariwisata', kind: 'ministry' };
const UNITS = ['Biro Komunikasi', 'Direktorat Promosi'];
const COORDINATOR = { email: 'humas@kemenpar.go.id', name: 'Rudi Humas', password: 'humas-kemenpar-2024' };
const LEADER = { email: 'sekjen@kemenpar.go.id', name: 'Ibu Sekjen', password: 'pimpinan-kemenpar-2024' };
const PEOPLE = [
  { email: 'ayu.lestari@kemenpar.go.id', name: 'Ayu Lestari', nip: '19900512 201502 2 001', unit: 0 },
  { email: 'bima.pratama@kemenpar.go.id', name: 'Bima Pratama', nip: '19870221 201203 1 002', unit: 0 },
  { email: 'citra.dewi@kemenpar.go.id', name: 'Citra Dewi', nip: '19920830 201801 2 003', unit: 1 },
];

/** The cell `ref` (like D5) of the first worksheet of an XLSX file, as stored. */
function xlsxCell(file, ref) {
  const script = [
    'import re, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'sheet = z.read("xl/worksheets/sheet1.xml").decode()',
    'shared = re.findall(r"<si><t[^>]*>(.*?)</t></si>", z.read("xl/sharedStrings.xml").decode()) if "xl/sharedStrings.xml" in z.namelist() else []',
    'm = re.search(r\'<c r="\' + sys.argv[2] + r\'"([^>]*)>(?:<f>.*?</f>)?<v>(.*?)</v>\', sheet)',
    'print("" if not m else (shared[int(m.group(2))] if \'t="s"\' in m.group(1) else m.group(2)))',
  ].join('\n');
  return execFileSync('python3', ['-c', script, file, ref]).toString().trim();
}

before(async () => {
  clearShots(/^5\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('leadership reads participation and takes it to a meeting', () => {
  const step = stepper();
  let context;
  let page;
  let phoneContext;
  let unitIds;
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'duta-xlsx-'));

  before(async () => {
    context = await newContext({ acceptDownloads: true });
    page = await context.newPage();
    phoneContext = await newContext({ ...PHONE });
  });
  after(async () => {
    await context?.close();
    await phoneContext?.close();
    fs.rmSync(downloads, { recursive: true, force: true });
  });

  step('an institution with two units, three approved ambassadors, a brief and one verified post (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: INSTITUTION, expect: 201 });
    unitIds = [];
    for (const name of UNITS) {
      unitIds.push((await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name }, expect: 201 })).id);
    }
    for (const [who, role] of [[COORDINATOR, 'coordinator'], [LEADER, 'leadership']]) {
      await api('POST', '/users', {
        token,
        body: { email: who.email, name: who.name, role, institution_id: inst.id, password: who.password },
        expect: 201,
      });
    }
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    const consent = (await api('GET', '/signup/form')).consent_version;
    const tokens = [];
    for (const [n, who] of PEOPLE.entries()) {
      const password = `duta-${n}-kemenpar-2024`;
      const signup = await api('POST', '/signup', {
        expect: 201,
        body: {
          name: who.name, display_name: who.name, nip: who.nip, employee_type: 'pns', email: who.email,
          phone: `0813 4444 000${n}`, institution_id: inst.id, work_unit_id: unitIds[who.unit], password,
          consent: true, consent_version: consent,
          platforms: [
            { platform: 'facebook', handle: `duta.wisata.fb.${n}`, method: 'screenshot', count: 900 },
            { platform: 'x', handle: `duta_wisata_${n}`, method: 'screenshot', count: 1200 },
            { platform: 'instagram', handle: `duta.wisata.${n}`, method: 'screenshot', count: 2000 },
          ],
        },
      });
      for (const [platform, count] of [['facebook', 900], ['x', 1200], ['instagram', 2000]]) {
        await api('POST', `/vetting/candidates/${signup.id}/followers`, { token: koor.token, body: { platform, count } });
      }
      await api('POST', `/vetting/candidates/${signup.id}/approve`, { token: koor.token, body: {} });
      tokens.push((await api('POST', '/auth/login', { body: { email: who.email, password } })).token);
    }
    const brief = await api('POST', '/briefs', {
      token: koor.token,
      expect: 201,
      body: {
        title: 'Libur sekolah di desa wisata', week: isoWeekJakarta(), category: 'kampanye',
        key_messages: 'Desa wisata siap menyambut keluarga.', hashtags: ['WonderfulIndonesia'],
        platforms: ['instagram'], deadline: new Date(Date.now() + 3 * 86400000).toISOString(), status: 'published',
      },
    });
    const post = await api('POST', '/submissions', {
      token: tokens[0],
      expect: 201,
      body: {
        brief_id: brief.id, platform: 'instagram', url: 'https://www.instagram.com/p/CDesaWisata1/',
        posted_at: new Date(Date.now() - 15 * 60000).toISOString(), likes: 90, comments: 6, shares: 2, saves: 2,
      },
    });
    await api('POST', `/submissions/${post.id}/verify`, { token: koor.token, body: {} });
  });

  step('leadership opens the statistics: funnel, this week, chart and table', async () => {
    await login(page, LEADER);
    await submit(page, (await menu(page)).getByRole('link', { name: 'Statistik', exact: true }));
    assert.equal(pathOf(page), '/stats');
    assert.equal(await h1(page), 'Statistik partisipasi');
    assert.match(await text(page.locator('ol.funnel')), /^3 mendaftar 0 menunggu verifikasi 3 disetujui 1 aktif minggu ini 0 tidak aktif/);
    const thisWeek = page.locator('#t-weeks tbody tr').first();
    assert.equal(await text(thisWeek), `${isoWeekJakarta()} 3 1 33,3 %`);
    assert.equal(await page.locator('figure.chart svg').count(), 2, 'two charts drawn on the server');
    assert.equal(await page.locator('script:not([src="/assets/js/menu.js"]):not([src="/assets/js/app.js"])').count(), 0,
      'no script on the page but the ones every page has (the phone menu, the installable app)');
    assert.ok((await text(page.locator('#t-platforms'))).includes('5,00 %'), '100 interactions on 2,000 followers');
    assert.equal(await page.locator('#t-inactive').count(), 0, 'no names of the inactive for leadership');
    await shot(page, '50-stats-leadership.png');
    await checkA11y(page, 'statistics (leadership)');
  });

  step('a 4-week window for one work unit', async () => {
    await page.getByLabel('Rentang waktu', { exact: true }).selectOption('4');
    await page.getByLabel('Unit kerja', { exact: true }).selectOption(String(unitIds[0]));
    await submit(page, page.getByRole('button', { name: 'Tampilkan', exact: true }));
    assert.match(await text(page.locator('.scope-line')), /^Biro Komunikasi · Kementerian Pariwisata · 4 minggu terakhir/);
    assert.equal(await page.locator('#t-weeks tbody tr').count(), 4);
    assert.equal(await text(page.locator('#t-weeks tbody tr').first()), `${isoWeekJakarta()} 2 1 50,0 %`);
    assert.equal(await page.getByLabel('Rentang waktu', { exact: true }).inputValue(), '4');
    assert.deepEqual(
      await page.locator('#t-units tbody th').allInnerTexts(),
      ['Biro Komunikasi'],
    );
  });

  step('the XLSX download opens again with the same figures', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Unduh semua tabel (XLSX)', exact: true }).click(),
    ]);
    const name = download.suggestedFilename();
    assert.match(name, /^partisipasi_biro-komunikasi_4-minggu_\d{4}-w\d{2}\.xlsx$/);
    const file = path.join(downloads, name);
    await download.saveAs(file);
    assert.equal(xlsxCell(file, 'A1'), 'Minggu');
    assert.equal(xlsxCell(file, 'A5'), isoWeekJakarta(), 'the last row is this week');
    assert.equal(xlsxCell(file, 'D5'), '1', 'one ambassador posted');
    assert.equal(xlsxCell(file, 'E5'), '50', 'a participation rate of 50 %');
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, 2).toString() === 'PK');
  });

  step('the printable report on A4', async () => {
    await submit(page, page.getByRole('link', { name: 'Versi cetak A4', exact: true }));
    assert.equal(pathOf(page), '/stats/report');
    assert.equal(await h1(page), 'Laporan partisipasi duta');
    assert.equal(await page.locator('nav.main-nav').count(), 0);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.downloads').first().isVisible(), false, 'no download links on paper');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert.ok(pdf.length > 5000 && pdf.subarray(0, 4).toString() === '%PDF');
    await shot(page, '51-stats-report-print.png');
    await page.emulateMedia({ media: 'screen' });
    await checkA11y(page, 'printable report');
  });

  step('on a phone', async () => {
    const phone = await phoneContext.newPage();
    await login(phone, LEADER);
    await phone.goto(new URL('/stats', phone.url()).toString());
    assert.equal(await h1(phone), 'Statistik partisipasi');
    await shot(phone, '53-stats-phone.png');
    await phone.locator('section.chart-card').first().screenshot({ path: path.join(SHOTS, '55-stats-phone-chart.png') });
    await checkA11y(phone, 'statistics (phone)');
    await checkPhoneLayout(phone, 'statistics');
  });

  step('in English', async () => {
    await page.goto(page.url().replace(/\/stats\/report/, '/stats'));
    await submit(page, page.getByRole('button', { name: 'English', exact: true }));
    assert.equal(await h1(page), 'Participation statistics');
    // The language switch returns to the same page with its filters: the unit, 4 weeks.
    assert.equal(await text(page.locator('#t-weeks tbody tr').first()), `${isoWeekJakarta()} 2 1 50.0%`);
    assert.equal(await page.getByLabel('Period', { exact: true }).inputValue(), '4');
    assert.deepEqual(await page.locator('#t-units tbody th').allInnerTexts(), ['Biro Komunikasi']);
    await shot(page, '52-stats-en.png');
    await checkA11y(page, 'statistics in English');
  });

  step('the coordinator sees who to follow up', async () => {
    const koorContext = await newContext();
    const koor = await koorContext.newPage();
    await login(koor, COORDINATOR);
    await koor.goto(new URL('/stats', koor.url()).toString());
    assert.ok((await text(koor.locator('main'))).includes('Duta tidak aktif untuk ditindaklanjuti'));
    await shot(koor, '54-stats-coordinator.png');
    await checkA11y(koor, 'statistics (coordinator)');
    await koorContext.close();
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
