// 資格確認限定型 applications in a real browser (docs/qualcheck.md; seed 004): two staff
// members key the same paper form (1 and 2 together) with one difference (電話番号), the
// difference is shown on that field side by side, the misreader corrects it, the reviewer
// approves; the two letters (ユーザー設定情報 with the temporary password and the
// 運用開始（予定）日, the subsidy form) are checked with pdftotext; the post's tracking list is
// imported and the clinic sees the 追跡番号; the temporary password logs in only to the
// 初回パスワード変更 screen, and the new password to the portal. A clinic applies on the portal
// (申請区分 2 alone: the password must be its account's, refused on the field otherwise), sends
// the same form twice and gets one application. Screenshots go to $CLAIMSCA_E2E_OUT
// (qualcheck-*.png).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { BIN, SRC, OUT, claimsca } = lib;
const A = '0110112489'; // 医療法人 愛全病院: the paper form
const B = '0110112745'; // 平松記念病院: applies on the portal

let work;
let data;
let server;
let base;
let browser;

const session = (id, password) => lib.session(browser, base, id, password);
const shot = (page, name) => lib.shot(page, `qualcheck-${name}`);

// Fills the form of the paper (1 and 2 together: no password) on the current page.
async function fillPaper(page, phone, { all = true } = {}) {
  if (all) {
    await page.check('#f-kind1');
    await page.check('#f-kind2');
    await page.fill('#f-contact_name', '医事課 山田');
    await page.fill('#f-prefecture', '01');
    await page.fill('#f-score_table', '1');
    await page.fill('#f-facility_code', '0112489');
    await page.fill('#f-name', '医療法人 愛全病院');
    await page.fill('#f-founder_name', '愛全 太郎');
    await page.fill('#f-email', 'aizen@example.jp');
    await page.fill('#f-staff_count', '4');
    await page.fill('#f-devices', '2');
  }
  await page.fill('#f-phone', phone);
  await page.fill('#f-bank_last4', '７３１６'); // full width, as read from the paper
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-qualcheck-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2026-11-01T09:00']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  const account = (id, kind, extra, pw) => claimsca(['admin', 'create-account', '--data', data, '--id', id,
    '--kind', kind, ...extra], `${pw}\n`);
  account('ito', 'operator', ['--role', 'reviewer'], 'reviewer-pw-first-1');
  account('sato', 'operator', ['--role', 'reviewer'], 'reviewer-pw-second-2');
  account('hirama@example.jp', 'institution', ['--code', B, '--name', '平松記念病院'], 'Hirama2026portal');
  const csv = path.join(work, 'bank.csv');
  fs.writeFileSync(csv, `institution_code,last4\n${A},7316\n${B},1234\n`);
  claimsca(['qualcheck', 'bank-import', csv, '--data', data, '--by', 'suzuki']);
  fs.rmSync(csv);
  const s = await lib.spawnServer(data, ['--at', '2026-12-07T10:00']);
  server = s.proc;
  base = s.base;
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('qualcheck: double keying with one difference, correction, approval and the letters', async () => {
  const ito = await session('ito', 'reviewer-pw-first-1');
  await ito.page.goto(`${base}/console/qualcheck`);
  await ito.page.fill('#f-paper_ref', 'P-20261207-1');
  await fillPaper(ito.page, '011-123-4567');
  await Promise.all([ito.page.waitForNavigation(), ito.page.click('#qc-key-button')]);
  assert.equal(await ito.page.getAttribute('#qc-state', 'data-state'), 'keying');
  // The same person cannot supply the second keying.
  await ito.page.goto(`${base}/console/qualcheck`);
  await ito.page.fill('#f-paper_ref', 'P-20261207-1');
  await fillPaper(ito.page, '011-123-4567');
  await Promise.all([ito.page.waitForNavigation(), ito.page.click('#qc-key-button')]);
  assert.match(await ito.page.textContent('body'), /別の職員/);

  // sato misreads the phone number.
  const sato = await session('sato', 'reviewer-pw-second-2');
  await sato.page.goto(`${base}/console/qualcheck`);
  await sato.page.fill('#f-paper_ref', 'P-20261207-1');
  await fillPaper(sato.page, '０１１－１２３－４５５７');
  await Promise.all([sato.page.waitForNavigation(), sato.page.click('#qc-key-button')]);
  assert.equal(await sato.page.getAttribute('#qc-state', 'data-state'), 'differs');
  assert.equal(await sato.page.getAttribute('#cmp-phone', 'data-differs'), '1');
  assert.equal(await sato.page.getAttribute('#cmp-name', 'data-differs'), '0');
  assert.equal(await sato.page.getAttribute('#cmp-bank_last4', 'data-differs'), '0');
  const row = await sato.page.textContent('#cmp-phone');
  assert.match(row, /0111234567/);
  assert.match(row, /0111234557/);
  assert.equal(await sato.page.isVisible('#qc-approve'), false); // not while differing
  await shot(sato.page, 'differs');

  // The correction: the agreed fields are filled in, the phone is blank; sato re-reads it.
  assert.equal(await sato.page.inputValue('#f-phone'), '');
  assert.equal(await sato.page.inputValue('#f-name'), '医療法人 愛全病院');
  await fillPaper(sato.page, '011-123-4567', { all: false });
  await Promise.all([sato.page.waitForNavigation(), sato.page.click('#qc-key-button')]);
  assert.equal(await sato.page.getAttribute('#qc-state', 'data-state'), 'agreed');
  assert.match(await sato.page.textContent('#qc-bank'), /一致/);

  await ito.page.goto(sato.page.url());
  await Promise.all([ito.page.waitForNavigation(), ito.page.click('#qc-approve')]);
  assert.equal(await ito.page.getAttribute('#qc-state', 'data-state'), 'approved');
  assert.match(await ito.page.textContent('#qc-use-start'), /2026\/12\/07/);
  await shot(ito.page, 'approved');

  // The day's letters: the user settings with the temporary password, and the subsidy form.
  const out = path.join(work, 'letters');
  const files = claimsca(['qualcheck', 'letters', '--data', data, '--out', out, '--at', '2026-12-07T17:00'])
    .trim().split('\n');
  const text = (f) => execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
  const settings = text(files.find((f) => f.endsWith('-settings.pdf')));
  assert.match(settings, /マイナ資格確認アプリ ユーザー設定情報/);
  assert.match(settings, /aizen@example\.jp/);
  assert.match(settings, /2026\/12\/07/);
  const temporary = (settings.match(/仮パスワード\s+(\S+)/) || [])[1];
  assert.ok(temporary && temporary.length === 16, settings);
  const subsidy = text(files.find((f) => f.endsWith('-subsidy.pdf')));
  for (const s of ['補助金に関する申請書', '31000', 'スマートフォン', 'タブレット', '汎用カードリーダー']) {
    assert.ok(subsidy.includes(s), s);
  }
  assert.ok(!settings.includes('7316') && !subsidy.includes('7316'));

  // The post's tracking list (the notices' format, request_id = the application ID).
  const mailing = fs.readFileSync(files.find((f) => f.endsWith('-mailing.csv')), 'utf8');
  const appId = (mailing.match(/QC\d{10}/) || [])[0];
  assert.ok(appId, mailing);
  const tracking = path.join(work, 'tracking.csv');
  fs.writeFileSync(tracking, `request_id,tracking_number,status,date\n${appId},1234-5678-9012,発送済み,2026/12/08\n`);
  assert.match(claimsca(['qualcheck', 'import-tracking', tracking, '--data', data, '--by', 'suzuki',
    '--at', '2026-12-08T18:00']), /changed 1/);

  // The temporary password logs in to 初回パスワード変更 only: no session before the change.
  const clinic = await session('aizen@example.jp', temporary);
  assert.equal(await clinic.page.textContent('#initial-account'), 'aizen@example.jp');
  await shot(clinic.page, 'initial-password');
  const cookies = await clinic.context.cookies();
  assert.ok(!cookies.some((c) => c.name.includes('session')), JSON.stringify(cookies));
  await clinic.page.fill('#f-current', temporary);
  await clinic.page.fill('#f-password', temporary);
  await clinic.page.fill('#f-password_again', temporary);
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#initial-password-button')]);
  assert.match(await clinic.page.textContent('#e-password'), /仮パスワードとは違う/);
  await shot(clinic.page, 'initial-password-error');
  await clinic.page.fill('#f-current', temporary);
  await clinic.page.fill('#f-password', 'Aizen-clinic-2026');
  await clinic.page.fill('#f-password_again', 'Aizen-clinic-2026');
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#initial-password-button')]);
  assert.match(await clinic.page.textContent('body'), /パスワードを変更しました/);
  await clinic.page.goto(`${base}/portal/qualcheck`);
  assert.match(clinic.page.url(), /\/portal\/login/);
  // The temporary password no longer works; the new one opens the portal.
  const stale = await session('aizen@example.jp', temporary);
  assert.match(await stale.page.textContent('body'), /正しくありません/);
  const own = await session('aizen@example.jp', 'Aizen-clinic-2026');
  await own.page.goto(`${base}/portal/qualcheck`);
  assert.match(await own.page.textContent('#qc-list'), /承認済み/);
  const shipping = await own.page.textContent('#qc-list');
  assert.match(shipping, /発送済み（2026\/12\/08）/);
  assert.match(shipping, /追跡番号 1234-5678-9012/);
  await shot(own.page, 'tracking');
});

test('qualcheck: a clinic applies on the portal and sees the state', async () => {
  const clinic = await session('hirama@example.jp', 'Hirama2026portal');
  await clinic.page.goto(`${base}/portal/qualcheck`);
  assert.equal(await clinic.page.inputValue('#f-facility_code'), '0112745');
  await clinic.page.check('#f-kind2');
  await clinic.page.fill('#f-contact_name', '事務長');
  await clinic.page.fill('#f-name', '平松記念病院');
  await clinic.page.fill('#f-founder_name', '平松 花子');
  await clinic.page.fill('#f-phone', '011-555-0000');
  await clinic.page.fill('#f-email', 'hirama@example.jp');
  await clinic.page.fill('#f-password', 'abc');
  await clinic.page.fill('#f-bank_last4', '1234');
  await clinic.page.fill('#f-staff_count', '2');
  await clinic.page.fill('#f-devices', '1');
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#qc-apply-button')]);
  assert.match(await clinic.page.textContent('#e-password'), /8文字以上/);
  // 申請区分 2 alone: the password is the portal account's (注1), refused on the field.
  await clinic.page.fill('#f-password', 'Hirama2026');
  await clinic.page.fill('#f-bank_last4', '1234');
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#qc-apply-button')]);
  assert.match(await clinic.page.textContent('#e-password'), /アカウントのパスワードと一致しません/);
  assert.equal(await clinic.page.isVisible('#qc-done'), false);
  await shot(clinic.page, 'portal-password-mismatch');
  await clinic.page.fill('#f-password', 'Hirama2026portal');
  await clinic.page.fill('#f-bank_last4', '1234');
  // The same form sent twice (a double click), then the button: one application.
  // (The page's fields, posted by the page's own request context: its cookies.)
  const fields = await clinic.page.evaluate(() =>
    Object.fromEntries(new FormData(document.querySelector('#form-qc-apply'))));
  const send = async () => (await clinic.page.request.post(`${base}/portal/qualcheck`, { form: fields })).status();
  assert.deepEqual([await send(), await send()], [200, 200]);
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#qc-apply-button')]);
  assert.match(await clinic.page.textContent('#qc-done'), /QC\d{10}/);
  assert.match(await clinic.page.textContent('#qc-list'), /審査待ち/);
  assert.equal(await clinic.page.locator('#qc-list tbody tr').count(), 1);
  await shot(clinic.page, 'portal');
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
