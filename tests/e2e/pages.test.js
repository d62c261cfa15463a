// The clinic's pages in a real browser (issue 24 point 5; docs/portal.md "The detail page",
// "Dates", "CA certificates"):
//  - the detail page of each state says what happened and what to do: pending, rejected
//    (the operator's reason shown, no word of a notice being sent), cancelled before
//    approval and after it (the fee credited), issued before and after the notice batch,
//    revoked;
//  - the edit screen's inputs fit their values (width, maxlength, inputmode);
//  - /ca/ in Japanese: what each certificate is for, the 拇印（フィンガープリント） the same as
//    /ca/thumbprints, the files downloadable;
//  - on every clinic page opened: no "Common Name" nor other English PKI word, and every
//    date YYYY/MM/DD (zero-padded; none as 2026年11月24日 or 2026-11-24).
// Every screen through lib.shot (screenshots pages-*.png, axe-core, 360 px).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
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

const shot = (page, name) => lib.shot(page, `pages-${name}`);

function sql(query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(data, 'claimsca.db'), query],
    { encoding: 'utf8' }).trim();
}

// What every clinic page must hold to: no English PKI word, every date as the guide writes
// it. `wantDate`: the page shows at least one date.
async function checkWords(page, where, { wantDate = true } = {}) {
  const text = await page.locator('main').innerText();
  for (const word of ['Common Name', 'CommonName', 'PKCS', 'Thumbprint', 'thumbprint', 'Fingerprint']) {
    assert.ok(!text.includes(word), `${where}: "${word}" on the page`);
  }
  assert.doesNotMatch(text, /\d{1,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/, `${where}: a date in 年月日`);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/, `${where}: an ISO date`);
  for (const m of text.matchAll(/\d{4}\/\d{1,2}\/\d{1,2}/g)) {
    assert.match(m[0], /^\d{4}\/\d{2}\/\d{2}$/, `${where}: ${m[0]} is not zero-padded YYYY/MM/DD`);
  }
  if (wantDate) assert.match(text, /\d{4}\/\d{2}\/\d{2}/, `${where}: no date shown`);
  return text;
}

// Words that promise a mailed notice.
const NOTICE_PROMISE = /郵送します|発送します|発行通知書を作成して|翌発送対応日/;

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-pages-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2026-11-24T09:00']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  claimsca(['admin', 'create-account', '--data', data, '--id', 'iji@example.jp', '--kind', 'institution',
    '--code', '0110112489', '--name', '医療法人 愛全病院'], 'clinic-password-1234\n');
  // Every application waits for a person: the test decides each one's fate.
  const s = await lib.spawnServer(data, ['--at', '2026-11-24T10:00', '--set', 'key_pool.threads=0',
    '--set', 'ra.auto_review=false']);
  server = s.proc;
  base = s.base;
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// One application through the form (pre-filled with the account's institution).
async function apply(page, terminal) {
  await page.goto(`${base}/portal/apply`);
  await page.fill('#f-contact_name', '医事課 山田');
  await page.fill('#f-phone', '011-123-4567');
  await page.fill('#f-email', 'iji@example.jp');
  await page.fill('#f-terminal_name', terminal);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
  await page.locator('#preview-dialog button:has-text("OK")').click();
  await Promise.all([page.waitForNavigation(), page.click('button:text-is("申請")')]);
  return page.locator('#done-request-id').innerText();
}

async function detail(page, id) {
  await page.goto(`${base}/portal/applications/${id}`);
  return {
    state: await page.locator('#d-state').innerText(),
    status: await page.locator('#d-status-card').innerText(),
  };
}

// The list's operation on a row, behind the browser's confirmation.
async function listAction(page, id, label) {
  await page.goto(`${base}/portal/applications`);
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForURL(/done=/),
    page.locator(`tr[data-request-id="${id}"] button:has-text("${label}")`).click()]);
}

test('the detail page of each state, the edit screen and /ca/', async (t) => {
  const { context, page } = await lib.session(browser, base, 'iji@example.jp', 'clinic-password-1234');
  const id = {};
  for (const k of ['pending', 'rejected', 'cancelled', 'issued', 'credited']) id[k] = await apply(page, `受付PC-${k}`);
  const reason = '端末名称等に医療機関の名称が入っています。端末を区別できる名前（例：受付PC1）にして、あらためて申請してください。';

  await t.test('pending: being reviewed, the notice follows the approval', async () => {
    const d = await detail(page, id.pending);
    assert.equal(d.state, '発行承認待ち');
    assert.match(d.status, /審査しています/);
    assert.match(d.status, /申請日\s+2026\/11\/24/);
    assert.match(await page.locator('#d-shipping-status').innerText(), /承認されたあとに作成/);
    assert.equal(await page.locator('#f-email').count(), 0, 'not editable before issuance');
    await checkWords(page, 'pending');
    await shot(page, '01-pending');
  });

  await t.test('rejected: the operator\'s reason, no notice, apply again', async () => {
    claimsca(['admin', 'reject', '--data', data, '--request-id', id.rejected, '--reason', reason, '--by', 'shinsa',
      '--at', '2026-11-24T10:05']);
    const d = await detail(page, id.rejected);
    assert.equal(d.state, '発行申請棄却');
    assert.equal(await page.locator('#d-reject-reason').innerText(), reason);
    assert.match(d.status, /発行通知書も送られません/);
    assert.match(d.status, /発行料はかかりません/);
    assert.match(d.status, /棄却日\s+2026\/11\/24/);
    const text = await checkWords(page, 'rejected');
    assert.doesNotMatch(text, NOTICE_PROMISE, 'a rejected application promises no notice');
    assert.equal(await page.locator('#d-shipping').count(), 0, 'no shipping section');
    assert.equal(await page.locator('#d-apply-again').getAttribute('href'), '/portal/apply');
    await shot(page, '02-rejected');
  });

  await t.test('cancelled before approval: no fee, no notice', async () => {
    await listAction(page, id.cancelled, '発行申請のキャンセル');
    const d = await detail(page, id.cancelled);
    assert.equal(d.state, '申請取消済み');
    assert.match(d.status, /キャンセルされました/);
    assert.match(d.status, /承認の前にキャンセルしたため、発行料はかかりません/);
    assert.match(d.status, /キャンセル日\s+2026\/11\/24/);
    const text = await checkWords(page, 'cancelled');
    assert.doesNotMatch(text, NOTICE_PROMISE, 'a cancelled application promises no notice');
    await shot(page, '03-cancelled');
  });

  await t.test('cancelled after approval, before the notice: the fee credited', async () => {
    claimsca(['admin', 'approve', '--data', data, '--request-id', id.credited, '--by', 'shinsa', '--at', '2026-11-24T10:06']);
    await listAction(page, id.credited, '発行申請のキャンセル');
    const d = await detail(page, id.credited);
    assert.equal(d.state, '申請取消済み');
    assert.match(d.status, /いったん計上した発行料は取り消しました/);
    assert.equal(sql(`SELECT sum(total_yen) FROM fee_charges WHERE request_id = '${id.credited}'`), '0');
    const text = await checkWords(page, 'credited');
    assert.doesNotMatch(text, NOTICE_PROMISE);
    await shot(page, '04-cancelled-credited');
  });

  await t.test('issued, before the notice: until when cancelling is free, the dates', async () => {
    claimsca(['admin', 'approve', '--data', data, '--request-id', id.issued, '--by', 'shinsa', '--at', '2026-11-24T10:07']);
    const d = await detail(page, id.issued);
    assert.equal(d.state, '発行済み');
    assert.match(d.status, /2026\/11\/24 14:00（発行通知書の作成）までであれば/);
    assert.match(d.status, /ダウンロード有効期限\s+2027\/05\/23/);
    assert.match(d.status, /証明書有効期限\s+\d{4}\/\d{2}\/\d{2}/);
    assert.match(await page.locator('#d-shipping-status').innerText(), /まだ作成していません/);
    assert.match(await page.locator('#d-common-name').innerText(), /^\d{12}$/);
    assert.match(await page.locator('main').innerText(), /証明書の識別番号（発行先）/);
    await checkWords(page, 'issued');
    await shot(page, '05-issued');
  });

  await t.test('the edit screen: inputs fit their values', async () => {
    const long = 'uketsuke-kakari@aizen-hospital.example.jp';
    const attrs = async (sel) => page.$eval(sel, (el) => ({
      maxlength: el.getAttribute('maxlength'), inputmode: el.getAttribute('inputmode'), type: el.type,
      autocomplete: el.getAttribute('autocomplete'), width: el.getBoundingClientRect().width }));
    const phone = await attrs('#f-phone');
    const email = await attrs('#f-email');
    const contact = await attrs('#f-contact_name');
    assert.deepEqual([phone.type, phone.inputmode, phone.autocomplete, phone.maxlength], ['tel', 'tel', 'tel', '20']);
    assert.deepEqual([email.type, email.autocomplete, email.maxlength], ['email', 'email', '254']);
    assert.equal(contact.maxlength, '100');
    assert.equal(await page.getAttribute('#f-terminal_name', 'maxlength'), '100');
    assert.ok(phone.width < email.width, `the phone box (${phone.width}px) is narrower than the e-mail box (${email.width}px)`);
    assert.ok(phone.width <= 200, `the phone box is not a full-width box: ${phone.width}px`);
    await page.fill('#f-email', long);
    const fits = await page.$eval('#f-email', (el) => el.scrollWidth <= el.clientWidth);
    assert.ok(fits, 'a long e-mail address fits its box');
    await Promise.all([page.waitForURL(/updated=1/), page.click('button:text-is("更新")')]);
    assert.equal(await page.inputValue('#f-email'), long);
    assert.equal(await page.locator('#updated').count(), 1);
    await checkWords(page, 'edited');
    await shot(page, '06-edit');
    // The same screen at phone width: the rows stack and every input stays inside.
    await page.setViewportSize({ width: 360, height: 740 });
    const inside = await page.$$eval('table.edit input', (els) => els.every((el) =>
      el.getBoundingClientRect().right <= document.documentElement.clientWidth));
    assert.ok(inside, 'inputs inside a 360 px screen');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  await t.test('issued, after the notice batch: the shipping date as YYYY/MM/DD', async () => {
    const printed = claimsca(['notices', 'print', '--data', data, '--out', path.join(work, 'notices'),
      '--at', '2026-11-24T14:00']);
    assert.match(printed, /^batch=1 pages=1 /m);
    const d = await detail(page, id.issued);
    assert.equal(d.state, '発行済み');
    assert.match(d.status, /発行通知書を作成しました/);
    assert.doesNotMatch(d.status, /までであれば/, 'no free cancellation after the batch');
    const shipping = await page.locator('#d-shipping').innerText();
    assert.match(shipping, /発送予定日\s+\d{4}\/\d{2}\/\d{2}/);
    await checkWords(page, 'notice printed');
    await shot(page, '07-issued-notice-printed');
  });

  await t.test('revoked: when and why, remove it from the terminal', async () => {
    await listAction(page, id.issued, '証明書の失効');
    const d = await detail(page, id.issued);
    assert.equal(d.state, '失効済み');
    assert.match(d.status, /失効しています（失効の理由：/);
    assert.match(d.status, /失効日\s+2026\/11\/24/);
    assert.match(d.status, /端末から削除/);
    assert.equal(await page.locator('#f-email').count(), 0, 'not editable once revoked');
    await checkWords(page, 'revoked');
    await shot(page, '08-revoked');
  });

  await t.test('the list of every state', async () => {
    await page.goto(`${base}/portal/applications`);
    assert.equal(await page.locator('#applications tbody tr').count(), 5);
    await checkWords(page, 'list');
    await shot(page, '09-list');
  });

  await t.test('/ca/ in Japanese: the certificates, their 拇印, the files', async () => {
    const res = await page.goto(`${base}/ca/`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/html/);
    assert.equal(await page.locator('h1').innerText(), '認証局の証明書と拇印');
    const json = await (await context.request.get(`${base}/ca/thumbprints`)).json();
    const root = json.certificates.find((c) => c.name === 'root');
    const card = page.locator('#ca-root');
    assert.match(await card.locator('h2').innerText(), /ルート証明書/);
    assert.equal(await card.locator('code.sha1').innerText(), root.sha1);
    assert.equal(await card.locator('code.sha256').innerText(), root.sha256);
    assert.match(await card.innerText(), /Windows の画面で比べる値/);
    assert.equal(await page.locator('section.ca-cert').count(), json.certificates.length);
    for (const c of json.certificates) {
      const href = await page.locator(`#ca-${c.name} a[href$=".der"]`).getAttribute('href');
      const file = await context.request.get(`${base}${href}`);
      assert.equal(file.status(), 200, href);
    }
    const text = await checkWords(page, '/ca/');
    assert.match(text, /拇印（フィンガープリント）とは/);
    assert.doesNotMatch(text, /Compare the thumbprint|CA certificates/);
    await shot(page, '10-ca');
  });

  await t.test('the download site and the footer link say 拇印 in Japanese', async () => {
    await page.goto(`${base}/download/`);
    const text = await checkWords(page, '/download/', { wantDate: false });
    assert.match(text, /ファイル名は「リクエストID\.p12」。パスワードで守られた、電子証明書と鍵をまとめたファイル/);
    assert.equal(await page.locator('footer a[href="/ca/"]').innerText(), '認証局の証明書と拇印');
  });
  await context.close();
});

test('no accessibility violation and no sideways scroll on any screen', () => {
  lib.assertNoFindings(assert);
});
