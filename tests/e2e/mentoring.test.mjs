// Browser journey of mentoring on drafts: an ambassador composes an Instagram draft on
// her phone and asks for a review; the coordinator finds it on her home, selects a
// passage of it and suggests other wording; the ambassador revises; the coordinator
// accepts the new version; the ambassador posts. Screenshots: m0-… to m5-….

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, approvedAmbassador, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  isoWeekJakarta, login, newContext, pathOf, shot, startBrowser, startServer, stepper, stopServer, submit, text, url,
} from './lib.mjs';

const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const COORDINATOR = { email: 'humas@kulonprogo.go.id', name: 'Humas Kulon Progo', password: 'humas-kp-2026' };
const DUTA = {
  name: 'Dewi Ratnasari', display: 'Dewi R', nip: '19890304 201402 2 003', email: 'dewi@kulonprogo.go.id',
  phone: '0812 7777 8888', password: 'duta-dewi-2026!',
};
const PASSAGE = 'Datang saja ke kecamatan.';
const SUGGESTION = 'Bawa KK dan surat pengantar RT ke kecamatan.';

before(async () => {
  clearShots(/^m\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a draft reviewed before it is posted', () => {
  const step = stepper();
  let desk;
  let coordinator;
  let phone;
  let duta;
  let briefId;
  let templateId;
  let reviewPath;

  before(async () => {
    desk = await newContext();
    coordinator = await desk.newPage();
    phone = await newContext(SMALL_PHONE);
    duta = await phone.newPage();
  });
  after(async () => { await desk?.close(); await phone?.close(); });

  step('an institution, its coordinator, an approved ambassador and a brief with a template (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Pemerintah Kabupaten Kulon Progo', kind: 'regency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Dinas Kominfo' }, expect: 201 });
    await api('POST', '/users', {
      token, expect: 201,
      body: { email: COORDINATOR.email, name: COORDINATOR.name, role: 'coordinator', institution_id: inst.id, password: COORDINATOR.password },
    });
    const koor = await api('POST', '/auth/login', { body: { email: COORDINATOR.email, password: COORDINATOR.password } });
    await approvedAmbassador(koor.token, inst.id, unit.id, DUTA, { facebook: 'dewi.r.fb', x: 'dewir_x', instagram: 'dewi.r.ig' });
    const listed = await api('GET', '/story-templates', { token: koor.token });
    const templates = Array.isArray(listed) ? listed : listed.templates;
    templateId = templates[0].id;
    const brief = await api('POST', '/briefs', {
      token: koor.token,
      expect: 201,
      body: {
        title: 'KTP selesai sehari', week: isoWeekJakarta(), category: 'sosialisasi',
        key_messages: 'Layanan KTP kini selesai dalam satu hari.', platforms: ['instagram'],
        deadline: new Date(Date.now() + 3 * 86400000).toISOString(), status: 'published', template_ids: [templateId],
      },
    });
    briefId = brief.id;
  });

  step('the ambassador composes an Instagram draft on her phone, saves it and asks for a review', async () => {
    await login(duta, DUTA);
    await duta.goto(url(`/briefs/${briefId}/compose?template=${templateId}`));
    assert.equal(await h1(duta), 'Susun unggahan');
    const blanks = duta.locator('form textarea[name^="fields"], form input[type=text][name^="fields"]');
    const n = await blanks.count();
    assert.ok(n > 0, 'the template has blanks');
    for (let i = 0; i < n; i += 1) {
      await blanks.nth(i).fill(i === 0 ? `Layanan KTP di Kulon Progo kini selesai dalam 1 hari. ${PASSAGE}` : 'Cerita saya minggu ini.');
    }
    await submit(duta, duta.getByRole('button', { name: 'Lihat draf', exact: true }));
    await submit(duta, duta.locator('section.draft', { has: duta.getByRole('heading', { name: 'Instagram', exact: true }) })
      .getByRole('button', { name: 'Simpan draf', exact: true }));
    await expectFlash(duta, 'Draf tersimpan.');
    await submit(duta, duta.getByRole('button', { name: 'Minta review (Instagram)', exact: true }));
    assert.match(pathOf(duta), /^\/reviews\/\d+$/);
    reviewPath = pathOf(duta);
    await expectFlash(duta, 'Permintaan review terkirim. Koordinator atau mentor akan mengomentarinya.');
    assert.equal(await text(duta.locator('#review-state')), 'Menunggu review');
    assert.ok((await text(duta.locator('#latest-text'))).includes(PASSAGE));
    await shot(duta, 'm0-review-asked-phone.png');
    await checkA11y(duta, 'review asked (phone)');
    await checkPhoneLayout(duta, 'review asked');
  });

  step('the coordinator finds it on her home and comments on a selected passage', async () => {
    await login(coordinator, COORDINATOR);
    const tile = coordinator.locator('#home-reviews');
    assert.match(await text(tile), /^1 draf menunggu review/);
    await submit(coordinator, tile);
    assert.equal(pathOf(coordinator), '/reviews');
    await submit(coordinator, coordinator.locator('#reviews a').first());
    assert.equal(pathOf(coordinator), reviewPath);
    // Selecting the passage in the latest version fills the field.
    await coordinator.locator('#latest-text').evaluate((el, passage) => {
      const node = el.firstChild;
      const start = node.textContent.indexOf(passage);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + passage.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    }, PASSAGE);
    assert.equal(await coordinator.getByLabel('Bagian yang dikomentari (opsional)', { exact: true }).inputValue(), PASSAGE);
    await coordinator.getByLabel('Komentar', { exact: true }).fill('Sebutkan syaratnya agar warga tidak bolak-balik.');
    await coordinator.getByLabel('Usulan kata', { exact: true }).fill(SUGGESTION);
    await submit(coordinator, coordinator.getByRole('button', { name: 'Kirim komentar', exact: true }));
    await expectFlash(coordinator, 'Komentar terkirim.');
    assert.equal(await text(coordinator.locator('#review-state')), 'Sudah dikomentari');
    await shot(coordinator, 'm1-commented.png');
    await checkA11y(coordinator, 'review commented (coordinator)');
  });

  step('the ambassador reads the comment and revises', async () => {
    await duta.reload();
    const comment = duta.locator('#version-1 .comment').first();
    assert.equal(await text(comment.locator('blockquote.passage')), PASSAGE);
    assert.equal(await text(comment.locator('.suggestion')), `Usulan kata: ${SUGGESTION}`);
    const field = duta.getByLabel('Teks draf', { exact: true });
    await field.fill((await field.inputValue()).replace(PASSAGE, SUGGESTION));
    await submit(duta, duta.getByRole('button', { name: 'Simpan revisi', exact: true }));
    await expectFlash(duta, 'Revisi tersimpan sebagai versi baru; review menunggu lagi.');
    assert.ok((await text(duta.locator('#version-2 .version-text'))).includes(SUGGESTION));
    assert.equal(await text(duta.locator('#review-state')), 'Menunggu review');
    await shot(duta, 'm2-revised-phone.png');
    await checkA11y(duta, 'review revised (phone)');
    await checkPhoneLayout(duta, 'review revised');
  });

  step('the coordinator accepts the new version', async () => {
    await coordinator.reload();
    await coordinator.getByLabel('Komentar', { exact: true }).fill('Sudah jelas. Silakan unggah.');
    await coordinator.getByLabel('Draf ini siap diunggah', { exact: true }).check();
    await submit(coordinator, coordinator.getByRole('button', { name: 'Kirim komentar', exact: true }));
    await expectFlash(coordinator, 'Draf diterima sebagai siap unggah.');
    assert.equal(await text(coordinator.locator('#review-state')), 'Diterima');
    await shot(coordinator, 'm3-accepted.png');
  });

  step('the ambassador sees it accepted and posts it', async () => {
    await duta.reload();
    assert.match(await text(duta.locator('#ready-to-post')), /^Draf Anda diterima dan siap diunggah\./);
    await shot(duta, 'm4-ready-phone.png');
    await submit(duta, duta.getByRole('link', { name: 'Buka brief untuk mengirim unggahan', exact: true }));
    assert.equal(pathOf(duta), `/briefs/${briefId}`);
    const form = duta.locator('form.submission');
    await form.getByLabel('Platform', { exact: true }).selectOption('instagram');
    await form.getByLabel('Tautan unggahan', { exact: true }).fill('https://www.instagram.com/p/CKtpSehari1/');
    await submit(duta, form.getByRole('button', { name: 'Kirim unggahan', exact: true }));
    assert.equal(await text(duta.locator('main > .flash')), 'Unggahan terkirim dan menunggu verifikasi koordinator.');
    await shot(duta, 'm5-posted-phone.png');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
