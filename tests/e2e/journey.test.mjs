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
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const BIN = path.resolve(process.env.DUTA_BIN || path.join(REPO, 'target', 'debug', 'duta'));
const SHOTS = path.resolve(process.env.DUTA_SCREENSHOTS || path.join(HERE, 'screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync',
];

const ADMIN = { email: 'admin@duta.test', name: 'Admin Duta', password: 'rahasia-admin-2024' };
const COORDINATOR = { email: 'sari.wulandari@komdigi.go.id', name: 'Sari Wulandari', password: 'humas-komdigi-2024' };
const INSTITUTION = { name: 'Kementerian Komunikasi dan Digital', short: 'Komdigi', kind: 'Kementerian' };
const UNIT = 'Direktorat Jenderal Komunikasi Publik dan Media';
const CHILD_UNIT = 'Direktorat Informasi Publik';

// ---------------------------------------------------------------------------------------
// The server

const server = { proc: null, dataDir: null, base: null, log: [] };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function serverLog() {
  return server.log.join('').split('\n').slice(-40).join('\n');
}

async function startServer() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`duta binary not found at ${BIN} (build it with cargo build, or set DUTA_BIN)`);
  }
  server.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duta-e2e-'));
  const env = { ...process.env, DUTA_DATA_DIR: server.dataDir, NO_COLOR: '1' };
  await promisify(execFile)(BIN, ['create-admin', '--email', ADMIN.email, '--name', ADMIN.name], {
    cwd: REPO,
    env: { ...env, DUTA_ADMIN_PASSWORD: ADMIN.password },
    timeout: 60_000,
  });

  const port = await freePort();
  server.base = `http://127.0.0.1:${port}`;
  server.proc = spawn(BIN, ['serve'], {
    cwd: REPO, // templates/ and assets/ are read relative to the working directory
    env: { ...env, DUTA_PORT: String(port), DUTA_ADDRESS: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [server.proc.stdout, server.proc.stderr]) s.on('data', (d) => server.log.push(d.toString()));
  let exited = null;
  server.proc.on('exit', (code, signal) => { exited = { code, signal }; });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`duta serve exited early (${JSON.stringify(exited)}):\n${serverLog()}`);
    try {
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) {
        const body = await res.json();
        assert.equal(body.status, 'ok', `healthz: ${JSON.stringify(body)}`);
        return;
      }
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`duta serve was not healthy within 60 s:\n${serverLog()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer() {
  const proc = server.proc;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  server.proc = null;
  if (server.dataDir) fs.rmSync(server.dataDir, { recursive: true, force: true });
  server.dataDir = null;
}

// Last resort if the runner is torn down without running `after` (e.g. Ctrl-C).
process.on('exit', () => { try { server.proc?.kill('SIGKILL'); } catch { /* already gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => { try { server.proc?.kill('SIGKILL'); } catch { /* gone */ } process.exit(130); });
}

// ---------------------------------------------------------------------------------------
// Browser helpers

let browser;
const a11yProblems = []; // serious/critical: { page, rule, impact, help, targets }
const a11yNotes = []; // moderate/minor, reported as diagnostics only
const brokenResponses = []; // server errors and missing assets seen by the browser

function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A context as an Indonesian user's browser sees Duta; CSP bypassed only to inject axe. */
async function newContext(options = {}) {
  const context = await browser.newContext({
    bypassCSP: true,
    locale: 'id-ID',
    viewport: { width: 1280, height: 800 },
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.on('response', (res) => {
    const url = new URL(res.url());
    const status = res.status();
    if (status >= 500 || (status >= 400 && (url.pathname.startsWith('/assets/') || url.pathname === '/favicon.ico'))) {
      brokenResponses.push(`${status} ${res.request().method()} ${url.pathname}`);
    }
  });
  return context;
}

const url = (p) => `${server.base}${p}`;
const pathOf = (page) => new URL(page.url()).pathname;

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

/** Runs axe on the page and records serious/critical violations under `label`. */
async function checkA11y(page, label) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`),
    }));
  });
  for (const v of violations) {
    if (v.impact === 'serious' || v.impact === 'critical') a11yProblems.push({ page: label, ...v });
    else a11yNotes.push({ page: label, ...v });
  }
}

/** Clicks something that submits a form and waits for the resulting page to load. */
async function submit(page, locator, { responseFor } = {}) {
  const waits = [page.waitForEvent('load')];
  if (responseFor) {
    waits.push(page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === responseFor));
  }
  const [, response] = await Promise.all([...waits, locator.click()]);
  return response;
}

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const h1 = (page) => text(page.locator('h1'));
const htmlLang = (page) => page.locator('html').getAttribute('lang');
const flash = (page) => page.locator('main .flash');

async function expectFlash(page, message) {
  const f = flash(page);
  assert.equal(await f.count(), 1, `expected one flash message "${message}" on ${page.url()}`);
  assert.equal(await text(f), message);
}

async function login(page, who, screenshot) {
  await page.goto(url('/login'));
  assert.equal(pathOf(page), '/login');
  assert.equal(await h1(page), 'Masuk ke Duta');
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Kata sandi', { exact: true }).fill(who.password);
  if (screenshot) await shot(page, screenshot);
  await submit(page, page.getByRole('button', { name: 'Masuk', exact: true }));
  assert.equal(pathOf(page), '/', `after signing in ${who.email} should land on the home page`);
  assert.equal(await h1(page), `Selamat datang, ${who.name}.`);
}

async function logout(page) {
  await submit(page, page.getByRole('button', { name: 'Keluar', exact: true }));
  assert.equal(pathOf(page), '/login');
  assert.equal(await h1(page), 'Masuk ke Duta');
  await expectFlash(page, 'Anda telah keluar.');
}

/** The horizontal position where the visible text of an element starts. */
function textLeft(locator) {
  return locator.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().left;
  });
}

// ---------------------------------------------------------------------------------------
// Steps: each `step` is skipped once an earlier essential step has failed, so one break
// shows up as one failure rather than a cascade.

function stepper() {
  let brokenAt = null;
  return (name, fn, { essential = true } = {}) => it(name, async (t) => {
    if (brokenAt) { t.skip(`skipped: earlier step failed ("${brokenAt}")`); return; }
    try {
      await fn(t);
    } catch (e) {
      if (essential) brokenAt = name;
      throw e;
    }
  });
}

// ---------------------------------------------------------------------------------------

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (/^\d\d-.*\.png$/.test(f)) fs.rmSync(path.join(SHOTS, f));
  await startServer();
  browser = await launchBrowser();
});

after(async () => {
  try { await browser?.close(); } finally { await stopServer(); }
});

describe('admin sets up an institution and a coordinator, who then uses Duta', () => {
  const step = stepper();
  let context;
  let page;
  let institutionPath;
  let createStatus;

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
    const nav = page.getByRole('navigation', { name: 'Menu' });
    for (const link of ['Instansi', 'Pengguna', 'Pengaturan program']) {
      assert.ok(await nav.getByRole('link', { name: link, exact: true }).isVisible(), `admin menu shows "${link}"`);
    }
    await shot(page, '02-admin-home.png');
    await checkA11y(page, 'home (admin)');
  });

  step('admin creates an institution', async () => {
    await submit(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Instansi', exact: true }));
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
    await submit(page, page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Pengguna', exact: true }));
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
    await page.getByLabel('Kata sandi awal', { exact: true }).fill(COORDINATOR.password);
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

    // What was typed is kept, except the password.
    assert.equal(await page.getByLabel('Nama', { exact: true }).inputValue(), COORDINATOR.name);
    assert.equal(await email.inputValue(), 'sari.wulandari-at-komdigi');
    const selected = async (label) => text(page.getByLabel(label, { exact: true }).locator('option:checked'));
    assert.equal(await selected('Peran'), 'Koordinator humas');
    assert.equal(await selected('Instansi'), INSTITUTION.name);
    assert.equal(await selected('Unit kerja'), UNIT);
    assert.equal(await page.getByLabel('Kata sandi awal', { exact: true }).inputValue(), '', 'the password is not echoed back');
    assert.equal(await rows.count(), 1, 'no account was created');
    await shot(page, '09-user-form-email-error.png');
    await checkA11y(page, 'users (email error)');
  });

  step('the rejected form is answered with 422 Unprocessable Entity', async () => {
    assert.equal(createStatus, 422,
      `POST /admin/users with only an invalid email answered ${createStatus}, expected 422 (validation error)`);
  }, { essential: false });

  step('admin creates the coordinator with that institution and work unit', async () => {
    await page.getByLabel('Email', { exact: true }).fill(COORDINATOR.email);
    await page.getByLabel('Kata sandi awal', { exact: true }).fill(COORDINATOR.password);
    await submit(page, page.getByRole('button', { name: 'Buat akun', exact: true }));
    assert.equal(pathOf(page), '/admin/users');
    await expectFlash(page, 'Akun telah dibuat.');
    const row = page.locator('table tbody tr', { hasText: COORDINATOR.email });
    assert.equal(await row.count(), 1);
    const cells = (await row.locator('td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.equal(cells[0], `${COORDINATOR.name} ${COORDINATOR.email}`);
    assert.equal(cells[1], 'Koordinator humas');
    assert.equal(cells[2], `${INSTITUTION.name} ${UNIT}`);
    assert.equal(cells[3], 'Aktif');
    assert.ok(await row.getByRole('link', { name: `Ubah ${COORDINATOR.name}` }).isVisible());
    await shot(page, '10-coordinator-created.png');
    await checkA11y(page, 'users (coordinator created)');
  });

  step('admin signs out', async () => {
    await logout(page);
    await shot(page, '11-admin-signed-out.png');
    await checkA11y(page, 'login (signed out)');
  });

  step('coordinator signs in and sees a coordinator\'s home', async () => {
    await login(page, COORDINATOR, '12-coordinator-login.png');
    assert.equal(await text(page.locator('main p').first()), 'Peran Anda: Koordinator humas.');
    const nav = page.getByRole('navigation', { name: 'Menu' });
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
    const context = await newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
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

describe('across every visited page', () => {
  it('has no serious or critical axe-core violations', (t) => {
    for (const v of a11yNotes) t.diagnostic(`axe (not failing) [${v.impact}] ${v.rule} on "${v.page}": ${v.help} — ${v.targets.join('; ')}`);
    const report = a11yProblems.map((v) => `- [${v.impact}] ${v.rule} on "${v.page}": ${v.help}\n${v.targets.map((t) => `    ${t}`).join('\n')}`);
    assert.equal(a11yProblems.length, 0, `axe-core found serious/critical violations:\n${report.join('\n')}`);
  });

  it('the browser saw no server errors or missing assets', () => {
    assert.deepEqual(brokenResponses, [], `broken responses:\n${brokenResponses.join('\n')}\n\nserver log:\n${serverLog()}`);
  });
});
