// Newly opened institutions in a real browser (docs/newinst.md): the operator issues 仮コード
// on /console/newinst (one refused with the reason on the page), the clinics see their
// deadlines on 新規開設の手続き (/portal/newinst) and enter the 受付番号 (a wrong check digit
// refused, one on time, one after the presentation deadline with the late warning), the
// bureau's list is uploaded as CSV on the console (the 受付番号 becomes the real code), and a
// clinic that was not designated withdraws everything after one confirmation. The server
// runs at 2027-03-16 (--at): the presentation deadline of an April opening (2027/03/15) has
// passed, a May opening's (2027/04/15) has not. Screenshots go to $CLAIMSCA_E2E_OUT
// (newinst-*.png).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { BIN, SRC, OUT, claimsca } = lib;

let work;
let data;
let server;
let base;
let browser;
let operator;
const codes = {}; // clinic key → its 仮コード

const session = (id, password) => lib.session(browser, base, id, password);
const shot = (page, name) => lib.shot(page, `newinst-${name}`);

// Issues a 仮コード on the console's form; resolves to the page after the answer.
async function issue(page, { prefecture = '13', name, opening, email }) {
  await page.goto(`${base}/console/newinst`);
  await page.fill('#prefecture', prefecture);
  await page.selectOption('#score_table', '1');
  await page.fill('#category', '1');
  await page.fill('#name', name);
  await page.fill('#postal_code', '1008916');
  await page.fill('#address', '東京都千代田区霞が関１－２－２');
  await page.fill('#opening_month', opening);
  await page.fill('#email', email);
  await Promise.all([page.waitForNavigation(), page.click('#newinst-issue button[type=submit]')]);
}

// The 受付番号 entered on 新規開設の手続き for `code`.
async function present(page, code, number) {
  await page.goto(`${base}/portal/newinst`);
  await page.fill(`#reception-${code}`, number);
  await Promise.all([page.waitForNavigation(),
    page.click(`section[data-code="${code}"] form.present button[type=submit]`)]);
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-newinst-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2027-03-01T09:00']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  claimsca(['admin', 'create-account', '--data', data, '--id', 'tanaka', '--kind', 'operator', '--role', 'operator'],
    'operator-pw-first-1\n');
  const s = await lib.spawnServer(data, ['--at', '2027-03-16T10:00']);
  server = s.proc;
  base = s.base;
  browser = await lib.launchChromium();
  operator = await session('tanaka', 'operator-pw-first-1');
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('newinst: the operator issues 仮コード on the console', async () => {
  const page = operator.page;
  // An opening month already past is refused, with the reason on the page.
  await issue(page, { name: '霞が関クリニック', opening: '2027-02', email: 'old@example.jp' });
  assert.ok(await page.isVisible('#newinst-error'));
  assert.equal(await page.isVisible('#newinst-issued'), false);
  await shot(page, 'issue-refused');
  for (const [key, name, opening] of [['may', '霞が関クリニック', '2027-05'], ['april', '虎ノ門歯科医院', '2027-04'],
    ['gone', '日比谷内科', '2027-05']]) {
    await issue(page, { name, opening, email: `${key}@example.jp` });
    codes[key] = (await page.textContent('#newinst-issued-code')).trim();
    assert.match(codes[key], /^131000\d{4}$/);
  }
  assert.equal(codes.may, '1310000013'); // the first serial of 東京都 / 医科 (docs/newinst.md)
  const may = await page.textContent(`#newinst-list tr[data-code="${codes.may}"]`);
  assert.match(may, /2027\/04\/12\(月\)/); // 4/10 is a Saturday: the next open day
  assert.match(may, /2027\/04\/15\(木\)/);
  const april = await page.textContent(`#newinst-list tr[data-code="${codes.april}"]`);
  assert.match(april, /2027\/03\/10\(水\)/);
  assert.match(april, /提示期限超過/);
  await shot(page, 'console-list');
  // Each clinic registers its portal account on its 仮コード (here by the operator's CLI).
  for (const key of Object.keys(codes)) {
    claimsca(['admin', 'create-account', '--data', data, '--id', `${key}@example.jp`, '--kind', 'institution',
      '--code', codes[key], '--name', key], 'clinic-password-1234\n');
  }
});

test('newinst: the clinic sees its deadlines and enters the 受付番号', async () => {
  const { page } = await session('may@example.jp', 'clinic-password-1234');
  await page.goto(`${base}/portal/newinst`);
  const card = `section[data-code="${codes.may}"]`;
  assert.match(await page.textContent(`${card} .opening-month`), /2027年5月/);
  assert.match(await page.textContent(`${card} .reply-deadline`), /2027\/04\/12\(月\)まで/);
  assert.match(await page.textContent(`${card} .presentation-deadline`), /2027\/04\/15\(木\)まで/);
  await shot(page, 'portal-deadlines');
  // A wrong check digit is refused on the page; nothing is registered.
  await present(page, codes.may, '1310123456');
  assert.match(await page.textContent('#newinst-error'), /受付番号は10桁の医療機関等コードです/);
  await shot(page, 'portal-present-refused');
  // On time: registered, no warning.
  await present(page, codes.may, '1310123455');
  assert.match(await page.textContent('#newinst-presented'), /1310123455/);
  assert.equal(await page.isVisible('#newinst-late'), false);
  assert.match(await page.textContent(`${card} .reception-number`), /1310123455/);
  await shot(page, 'portal-presented');

  // April's presentation deadline (2027/03/15) has passed: the overdue notice, then the
  // 受付番号 is accepted with the warning that opening-day use is not guaranteed.
  const late = await session('april@example.jp', 'clinic-password-1234');
  await late.page.goto(`${base}/portal/newinst`);
  assert.match(await late.page.textContent(`section[data-code="${codes.april}"] .overdue`), /過ぎています/);
  await shot(late.page, 'portal-overdue');
  await present(late.page, codes.april, '1310123463');
  assert.match(await late.page.textContent('#newinst-late'), /保証されません/);
  assert.match(await late.page.textContent(`section[data-code="${codes.april}"] .state`), /期限後の提示/);
  await shot(late.page, 'portal-present-late');
});

test('newinst: the bureau\'s list (CSV) uploaded on the console swaps the code', async () => {
  const page = operator.page;
  const csv = path.join(work, 'designations.csv');
  fs.writeFileSync(csv, '医療機関等コード,医療機関名称,受付番号,仮コード,指定年月日\n'
    + `1310123455,霞が関クリニック,1310123455,${codes.may},2027/05/01\n`);
  await page.goto(`${base}/console/newinst/designations`);
  await page.setInputFiles('#file', csv);
  await Promise.all([page.waitForNavigation(), page.click('form[enctype="multipart/form-data"] button[type=submit]')]);
  assert.ok(await page.isVisible('#newinst-done'), await page.textContent('body'));
  assert.match(await page.textContent('#newinst-rows'), /1310123455/);
  await shot(page, 'designations');
  await page.goto(`${base}/console/newinst`);
  assert.match(await page.textContent(`#newinst-list tr[data-code="${codes.may}"]`), /指定済み/);
});

test('newinst: a clinic not designated withdraws after one confirmation', async () => {
  const { page } = await session('gone@example.jp', 'clinic-password-1234');
  await page.goto(`${base}/portal/newinst/withdraw?code=${codes.gone}`);
  assert.match(await page.textContent('.question'), new RegExp(`${codes.gone} で設定した内容.*よろしいでしょうか`));
  await shot(page, 'withdraw-confirm');
  // キャンセル changes nothing.
  await Promise.all([page.waitForNavigation(), page.click('a.button:has-text("キャンセル")')]);
  await operator.page.goto(`${base}/console/newinst`);
  assert.doesNotMatch(await operator.page.textContent(`#newinst-list tr[data-code="${codes.gone}"]`), /取り下げ/);
  await page.goto(`${base}/portal/newinst/withdraw?code=${codes.gone}`);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("OK")')]);
  assert.match(await page.textContent('h1'), /取り下げました/);
  await shot(page, 'withdrawn');
  await operator.page.goto(`${base}/console/newinst`);
  assert.match(await operator.page.textContent(`#newinst-list tr[data-code="${codes.gone}"]`), /取り下げ（指定なし）/);
  await shot(operator.page, 'console-after');
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
