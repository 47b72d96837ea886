// Shared helpers for Duta's browser end-to-end tests: a real `duta serve` on a free port
// with a fresh data dir, Debian's Chromium driven by playwright-core, axe-core on every
// visited page, full-page screenshots. Each *.test.mjs file runs in its own process (node
// --test), so each gets its own server, browser and findings.
//
// Environment:
//   DUTA_BIN          the duta binary (default: ../../target/debug/duta)
//   DUTA_SCREENSHOTS  where the full-page screenshots go (default: ./screenshots)
//   CHROMIUM          the browser (default: /usr/bin/chromium)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const BIN = path.resolve(process.env.DUTA_BIN || path.join(REPO, 'target', 'debug', 'duta'));
export const SHOTS = path.resolve(process.env.DUTA_SCREENSHOTS || path.join(HERE, 'screenshots'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync',
];

export const ADMIN = { email: 'admin@duta.test', name: 'Admin Duta', password: 'rahasia-admin-2024' };

/** A phone as the journeys use it: 390×844 CSS pixels, touch, rendered at 2×. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// ---------------------------------------------------------------------------------------
// The server

export const server = { proc: null, dataDir: null, base: null, log: [] };

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

export function serverLog() {
  return server.log.join('').split('\n').slice(-40).join('\n');
}

/** Makes a fresh data dir with the admin account and starts `duta serve` on a free port. */
/** Starts `duta serve` on a fresh data folder; `extraEnv` adds settings (`DUTA_*`). */
export async function startServer(extraEnv = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`duta binary not found at ${BIN} (build it with cargo build, or set DUTA_BIN)`);
  }
  server.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duta-e2e-'));
  // Background jobs stay off, as in the integration tests: from Thursday 09:00 to Sunday the
  // weekly reminder's run would fall due a few seconds after the start and add a
  // notification the journeys do not expect, depending on the day the suite runs.
  const env = { ...process.env, DUTA_DATA_DIR: server.dataDir, NO_COLOR: '1', DUTA_JOBS: '{enabled=false}', ...extraEnv };
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

export async function stopServer() {
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

/**
 * Calls the JSON API (`/api/v1…`) from node, with a Bearer token when given, and returns
 * the parsed answer; any status other than `expect` fails with the answer in the message.
 */
export async function api(method, p, { body, token, expect = 200 } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${server.base}/api/v1${p}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const raw = await res.text();
  let json = null;
  try { json = raw ? JSON.parse(raw) : null; } catch { /* not JSON */ }
  assert.equal(res.status, expect, `${method} /api/v1${p} answered ${res.status}, expected ${expect}: ${raw.slice(0, 500)}`);
  return json;
}

// ---------------------------------------------------------------------------------------
// Browser helpers

let browser;
export const a11yProblems = []; // serious/critical: { page, rule, impact, help, targets }
export const a11yNotes = []; // moderate/minor, reported as diagnostics only
export const brokenResponses = []; // server errors and missing assets seen by the browser
export const layoutProblems = []; // e.g. sideways scrolling on a phone: { page, problem }
export const brokenReferences = []; // aria-describedby & co. naming no element: { page, target }

export async function startBrowser() {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return browser;
}

export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}

/** A context as an Indonesian user's browser sees Duta; CSP bypassed only to inject axe. */
export async function newContext(options = {}) {
  const context = await browser.newContext({
    bypassCSP: true,
    locale: 'id-ID',
    viewport: { width: 1280, height: 800 },
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.on('response', (res) => {
    const url = new URL(res.url());
    if (!server.base || url.origin !== new URL(server.base).origin) return;
    const status = res.status();
    if (status >= 500 || (status >= 400 && (url.pathname.startsWith('/assets/') || url.pathname === '/favicon.ico'))) {
      brokenResponses.push(`${status} ${res.request().method()} ${url.pathname}`);
    }
  });
  return context;
}

/** A context outside Duta (no response tracking), e.g. to render test images. */
export function newPlainContext(options = {}) {
  return browser.newContext(options);
}

export const url = (p) => `${server.base}${p}`;
export const pathOf = (page) => new URL(page.url()).pathname;

/** Removes this file's old numbered screenshots (those whose name matches `pattern`). */
export function clearShots(pattern) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (pattern.test(f)) fs.rmSync(path.join(SHOTS, f));
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

/** Runs axe on the page and records serious/critical violations under `label`. */
export async function checkA11y(page, label) {
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
  // axe only lists a reference to a missing element as "needs review"; HTML does not allow
  // it, and a screen reader then silently announces nothing.
  const dangling = await page.evaluate(() => {
    const out = [];
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage', 'for']) {
      for (const el of document.querySelectorAll(`[${attr}]`)) {
        const missing = el.getAttribute(attr).split(/\s+/).filter((id) => id && !document.getElementById(id));
        if (missing.length) {
          const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className ? `.${[...el.classList].join('.')}` : ''}`;
          out.push(`${name}[${attr}] → no element with id ${missing.map((id) => `"${id}"`).join(', ')}`);
        }
      }
    }
    return out;
  });
  for (const target of dangling) brokenReferences.push({ page: label, target });
}

/**
 * Records (without failing at once) what makes a page awkward on a phone: sideways
 * scrolling, form controls or images that stick out of the screen, and fields or buttons
 * too small to tap.
 */
export async function checkPhoneLayout(page, label) {
  const found = await page.evaluate(() => {
    const problems = [];
    // A phone browser zooms a page that is too wide out until it fits, which widens the
    // layout viewport itself: measure against the screen.
    const width = Math.min(document.documentElement.clientWidth, window.screen.width);
    const overflow = document.documentElement.scrollWidth - width;
    if (overflow > 0) problems.push(`the page is ${overflow}px wider than the ${width}px screen (sideways scrolling)`);
    const nameOf = (el) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className ? `.${[...el.classList].join('.')}` : ''}`);
    // Nothing inside scrolls sideways either: a table on a phone is cards, not a strip to
    // swipe (a chart's own box may be wider than the screen only if it scales down).
    for (const el of document.querySelectorAll('main *')) {
      const x = getComputedStyle(el).overflowX;
      if ((x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${nameOf(el)} scrolls sideways (${el.scrollWidth}px of content in ${el.clientWidth}px)`);
      }
    }
    for (const el of document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button, main img')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -1 || r.right > width + 1) {
        problems.push(`${nameOf(el)} spans x=${Math.round(r.left)}…${Math.round(r.right)}, outside the ${width}px screen`);
      }
      // Text fields, lists and buttons one types into or taps need a finger-sized height
      // (the same 40 px the login page is held to); radios and ticks have a label to tap.
      const tappable = el.matches('input:not([type=radio]):not([type=checkbox]), select, textarea, button');
      if (tappable && r.height < 40) {
        const label = el.labels?.[0]?.innerText.trim() || el.innerText?.trim() || '';
        problems.push(`${nameOf(el)}${label ? ` ("${label}")` : ''} is only ${Math.round(r.height)}px high (${Math.round(r.width)}px wide), too small to tap`);
      }
    }
    return problems;
  });
  for (const problem of found) layoutProblems.push({ page: label, problem });
}

/** Clicks something that submits a form and waits for the resulting page to load. */
export async function submit(page, locator, { responseFor } = {}) {
  const waits = [page.waitForEvent('load')];
  if (responseFor) {
    waits.push(page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === responseFor));
  }
  const [, response] = await Promise.all([...waits, locator.click()]);
  return response;
}

export const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
export const h1 = (page) => text(page.locator('h1'));
export const htmlLang = (page) => page.locator('html').getAttribute('lang');
/** The page's flash message (the layout puts it first in <main>; other .flash boxes are notices). */
export const flash = (page) => page.locator('main > .flash');

export async function expectFlash(page, message) {
  const f = flash(page);
  assert.equal(await f.count(), 1,
    `expected one flash message "${message}" on ${page.url()}, found ${JSON.stringify(await f.allInnerTexts())}`);
  assert.equal(await text(f), message);
}

export async function login(page, who, screenshot) {
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

/**
 * The signed-in menu: on a phone it is behind the "Menu" button, which this opens first
 * (a closed menu is not in the accessibility tree); on a wide screen it is always shown.
 */
export async function menu(page) {
  const toggle = page.locator('button.menu-toggle');
  if (await toggle.isVisible() && (await toggle.getAttribute('aria-expanded')) !== 'true') {
    await toggle.click();
  }
  return page.getByRole('navigation', { name: 'Menu' });
}

export async function logout(page) {
  await menu(page);
  await submit(page, page.getByRole('button', { name: 'Keluar', exact: true }));
  assert.equal(pathOf(page), '/login');
  assert.equal(await h1(page), 'Masuk ke Duta');
  await expectFlash(page, 'Anda telah keluar.');
}

/** The horizontal position where the visible text of an element starts. */
export function textLeft(locator) {
  return locator.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().left;
  });
}

// ---------------------------------------------------------------------------------------
// Steps: each `step` is skipped once an earlier essential step has failed, so one break
// shows up as one failure rather than a cascade.

export function stepper() {
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

/** The checks over everything the file's browser saw; call once, after the journeys. */
export function acrossEveryVisitedPage({ phoneLayout = false } = {}) {
  describe('across every visited page', () => {
    it('has no serious or critical axe-core violations', (t) => {
      for (const v of a11yNotes) t.diagnostic(`axe (not failing) [${v.impact}] ${v.rule} on "${v.page}": ${v.help} — ${v.targets.join('; ')}`);
      const report = a11yProblems.map((v) => `- [${v.impact}] ${v.rule} on "${v.page}": ${v.help}\n${v.targets.map((t) => `    ${t}`).join('\n')}`);
      assert.equal(a11yProblems.length, 0, `axe-core found serious/critical violations:\n${report.join('\n')}`);
    });

    it('every aria-describedby, aria-labelledby and label for= points to an element on the page', () => {
      const report = brokenReferences.map((r) => `- on "${r.page}": ${r.target}`);
      assert.equal(brokenReferences.length, 0, `references to missing elements:\n${report.join('\n')}`);
    });

    if (phoneLayout) {
      it('every phone page fits the screen', () => {
        const byPage = new Map();
        for (const p of layoutProblems) byPage.set(p.page, [...(byPage.get(p.page) || []), p.problem]);
        const report = [...byPage].map(([pageName, problems]) => `- on "${pageName}":\n${problems.map((p) => `    ${p}`).join('\n')}`);
        assert.equal(layoutProblems.length, 0, `pages that do not fit a phone:\n${report.join('\n')}`);
      });
    }

    it('the browser saw no server errors or missing assets', () => {
      assert.deepEqual(brokenResponses, [], `broken responses:\n${brokenResponses.join('\n')}\n\nserver log:\n${serverLog()}`);
    });
  });
}

/** This week in Jakarta, like 2026-W48. */
export function isoWeekJakarta() {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date()).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7)); // the Thursday decides the year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * Signs `who` ({ name, display, nip, email, phone, password }) up to a unit through the
 * API with three accounts above every threshold (`handles`: { facebook, x, instagram }),
 * records their follower counts and approves them with `token` (an admin's or the
 * institution's coordinator's). Returns the sign-up ({ id, … }).
 */
export async function approvedAmbassador(token, institutionId, unitId, who, handles) {
  const consent = (await api('GET', '/signup/form')).consent_version;
  const counts = { facebook: 900, x: 1200, instagram: 2400 };
  const signup = await api('POST', '/signup', {
    expect: 201,
    body: {
      name: who.name, display_name: who.display, nip: who.nip, employee_type: 'pns', email: who.email, phone: who.phone,
      institution_id: institutionId, work_unit_id: unitId, password: who.password, consent: true, consent_version: consent,
      platforms: Object.entries(counts).map(([platform, count]) => ({ platform, handle: handles[platform], method: 'screenshot', count })),
    },
  });
  for (const [platform, count] of Object.entries(counts)) {
    await api('POST', `/vetting/candidates/${signup.id}/followers`, { token, body: { platform, count } });
  }
  await api('POST', `/vetting/candidates/${signup.id}/approve`, { token, body: {} });
  return signup;
}
