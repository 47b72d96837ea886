// Browser journey of the training path: an approved ambassador opens "Pelatihan" on her
// phone, reads the lesson on countering hoaxes, answers one question wrong and reads why,
// then answers every question right and sees the lesson completed. Screenshots: t0-… t3-….

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN, approvedAmbassador, acrossEveryVisitedPage, api, checkA11y, checkPhoneLayout, clearShots, closeBrowser, expectFlash, h1,
  login, menu, newContext, shot, startBrowser, startServer, stepper, stopServer, submit, text,
} from './lib.mjs';

const SMALL_PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DUTA = {
  name: 'Putri Anggraeni', display: 'Putri A', nip: '19910708 201604 2 002', email: 'putri@gunungkidul.go.id',
  phone: '0812 9999 0000', password: 'duta-putri-2026!',
};
const LESSON = 'Menangkal hoaks: periksa, jangan sebarkan, luruskan';

before(async () => {
  clearShots(/^t\d-.*\.png$/);
  await startServer();
  await startBrowser();
});

after(async () => {
  try { await closeBrowser(); } finally { await stopServer(); }
});

describe('a lesson completed on a phone', () => {
  const step = stepper();
  let phone;
  let duta;
  let right;

  before(async () => {
    phone = await newContext(SMALL_PHONE);
    duta = await phone.newPage();
  });
  after(async () => { await phone?.close(); });

  step('an institution and an approved ambassador (API)', async () => {
    const { token } = await api('POST', '/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const inst = await api('POST', '/institutions', { token, body: { name: 'Pemerintah Kabupaten Gunungkidul', kind: 'regency' }, expect: 201 });
    const unit = await api('POST', `/institutions/${inst.id}/work-units`, { token, body: { name: 'Diskominfo' }, expect: 201 });
    await approvedAmbassador(token, inst.id, unit.id, DUTA, { facebook: 'putri.a.fb', x: 'putria_x', instagram: 'putri.a.ig' });
    // The right answers, as staff read them.
    const path = await api('GET', '/lessons', { token });
    const lesson = path.lessons.find((l) => l.title === LESSON);
    right = (await api('GET', `/lessons/${lesson.id}`, { token })).questions.map((q) => q.answer);
  });

  step('the ambassador opens "Pelatihan" and the lesson on hoaxes', async () => {
    await login(duta, DUTA);
    await submit(duta, (await menu(duta)).getByRole('link', { name: 'Pelatihan', exact: true }));
    assert.equal(await h1(duta), 'Jalur pelatihan');
    assert.equal(await text(duta.locator('#training-progress')), '0 dari 5 pelajaran selesai');
    await shot(duta, 't0-path-phone.png');
    await checkA11y(duta, 'training path (phone)');
    await checkPhoneLayout(duta, 'training path');
    await submit(duta, duta.getByRole('link', { name: LESSON, exact: true }));
    assert.equal(await h1(duta), LESSON);
    await checkA11y(duta, 'lesson (phone)');
    await checkPhoneLayout(duta, 'lesson');
  });

  step('one wrong answer: the grade and why, the answers chosen kept', async () => {
    const questions = duta.locator('fieldset.question');
    assert.equal(await questions.count(), right.length);
    for (let i = 0; i < right.length; i += 1) {
      const pick = i === 0 ? (right[0] + 1) % 4 : right[i];
      await questions.nth(i).locator('input[type=radio]').nth(pick).check();
    }
    await submit(duta, duta.getByRole('button', { name: 'Kirim jawaban', exact: true }));
    assert.equal(await text(duta.locator('#attempt-result')), `${right.length - 1} dari ${right.length} jawaban benar. Baca penjelasannya, lalu coba lagi.`);
    assert.match(await text(questions.nth(0).locator('p.wrong')), /^Belum tepat; jawaban yang benar: /);
    assert.ok(await questions.nth(1).locator('input[type=radio]').nth(right[1]).isChecked(), 'the answers chosen are kept');
    await shot(duta, 't1-wrong-answer-phone.png');
    await checkA11y(duta, 'lesson after a wrong answer (phone)');
  });

  step('every answer right: the lesson is completed', async () => {
    const questions = duta.locator('fieldset.question');
    await questions.nth(0).locator('input[type=radio]').nth(right[0]).check();
    await submit(duta, duta.getByRole('button', { name: 'Kirim jawaban', exact: true }));
    await expectFlash(duta, 'Pelajaran selesai: semua jawaban benar.');
    assert.equal(await text(duta.locator('#lesson-done')), 'Selesai');
    await shot(duta, 't2-completed-phone.png');
    await submit(duta, duta.getByRole('link', { name: '← Jalur pelatihan', exact: true }));
    assert.equal(await text(duta.locator('#training-progress')), '1 dari 5 pelajaran selesai');
    await shot(duta, 't3-path-progress-phone.png');
  });
});

acrossEveryVisitedPage({ phoneLayout: true });
