// The clinic's application in a real browser (issue 24 points 3, 4, 10; docs/portal.md "The
// application form", "A slip costs nothing", "Many terminals at once"):
//  4. the form pre-filled from the account's institution with only its category; a
//     prefecture that does not fit the code marked on both fields with one message; a phone
//     number in parentheses accepted and shown normalised;
//  3. the done screen and the list say until when cancellation is free; a cancellation
//     inside the window leaves no charge (the certificate revoked); after the notice batch
//     took the other one, its cancellation is refused with the reason;
// 10. a CSV file of several terminals (Shift_JIS as Excel writes it): a refused row listed by
//     row and field with nothing stored, then the count and total, one confirmation.
// Every screen through lib.shot (screenshots apply-*.png, axe-core, 360 px).
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

const shot = (page, name) => lib.shot(page, `apply-${name}`);

// The SQLite database of the test, read by the sqlite3 command line.
function sql(query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(data, 'claimsca.db'), query],
    { encoding: 'utf8' }).trim();
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-apply-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2026-11-24T09:00']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  claimsca(['admin', 'create-account', '--data', data, '--id', 'iji@example.jp', '--kind', 'institution',
    '--code', '0110112489', '--name', '医療法人 愛全病院'], 'clinic-password-1234\n');
  const s = await lib.spawnServer(data, ['--at', '2026-11-24T10:00', '--set', 'key_pool.threads=0']);
  server = s.proc;
  base = s.base;
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the application form, the free cancellation and the CSV of many terminals', async (t) => {
  const { context, page } = await lib.session(browser, base, 'iji@example.jp', 'clinic-password-1234');
  const requestIds = [];

  await t.test('4: the form is pre-filled and offers only the institution\'s category', async () => {
    await page.goto(`${base}/portal/apply`);
    assert.equal(await page.inputValue('#f-facility_code'), '0112489');
    assert.equal(await page.inputValue('#f-prefecture'), '01');
    assert.equal(await page.inputValue('#f-score_table'), '1');
    assert.equal(await page.inputValue('#f-category'), '1');
    assert.equal(await page.inputValue('#f-institution_name'), '医療法人 愛全病院');
    assert.deepEqual(await page.locator('#f-category option').allInnerTexts(),
      ['選んでください', '1：保険医療機関（医科）']);
    assert.match(await page.locator('label[for="f-facility_code"]').innerText(), /医療機関コード（7桁）/);
    assert.equal(await page.locator('a:has-text("医療保険者等の申請はこちら")').count(), 0);
    await shot(page, '01-form-prefilled');
  });

  await t.test('4: a prefecture that does not fit the code: both fields, one message', async () => {
    await page.selectOption('#f-prefecture', '02');
    await page.fill('#f-contact_name', '医事課 山田');
    await page.fill('#f-phone', '（011）123-4567');
    await page.fill('#f-email', 'iji@example.jp');
    await page.fill('#f-terminal_name', '受付PC1');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
    assert.equal(await page.getAttribute('#f-prefecture', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#f-facility_code', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#f-facility_code', 'aria-describedby'), 'e-prefecture h-facility_code');
    assert.equal(await page.locator('.field-error:has-text("組み合わせが正しくありません")').count(), 1);
    assert.match(await page.locator('#e-prefecture').innerText(), /「01：北海道/);
    await shot(page, '02-form-prefecture-error');
  });

  await t.test('4 and 3: the phone in parentheses, issued at once, free cancellation until the batch', async () => {
    await page.selectOption('#f-prefecture', '01');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
    const dialog = page.locator('#preview-dialog');
    await dialog.waitFor({ state: 'visible' });
    await shot(page, '03-popup');
    await dialog.locator('button:has-text("OK")').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#c-phone').innerText(), '011-123-4567');
    await shot(page, '04-confirm');
    await Promise.all([page.waitForNavigation(), page.click('button:text-is("申請")')]);
    requestIds.push(await page.locator('#done-request-id').innerText());
    assert.equal(await page.locator('#done-state').innerText(), '発行済み');
    assert.match(await page.locator('#done-free-cancel').innerText(),
      /2026\/11\/24 14:00（発行通知書の作成）までであれば.*キャンセルでき、発行料はかかりません/);
    await shot(page, '05-done');
    // 続けてもう1枚申請: the second terminal.
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("続けてもう1枚申請")')]);
    await page.fill('#f-terminal_name', '受付PC2');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
    await page.locator('#preview-dialog button:has-text("OK")').click();
    await Promise.all([page.waitForNavigation(), page.click('button:text-is("申請")')]);
    requestIds.push(await page.locator('#done-request-id').innerText());
  });

  await t.test('3: the list says until when; a cancellation inside the window costs nothing', async () => {
    await page.goto(`${base}/portal/applications`);
    assert.equal(await page.locator('p.free-cancel').count(), 2);
    assert.match(await page.locator('p.free-cancel').first().innerText(), /2026\/11\/24 14:00/);
    await shot(page, '06-list-free-cancel');
    const row = page.locator(`tr[data-request-id="${requestIds[0]}"]`);
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForURL(/done=cancel/), row.locator('button:has-text("発行申請のキャンセル")').click()]);
    assert.equal(await page.locator(`tr[data-request-id="${requestIds[0]}"] td.state`).innerText(), '申請取消済み');
    assert.equal(sql(`SELECT sum(total_yen) || ' ' || count(*) FROM fee_charges WHERE request_id = '${requestIds[0]}'`), '0 2');
    assert.equal(sql(`SELECT count(*) FROM certificates WHERE request_id = '${requestIds[0]}' AND revoked_at IS NOT NULL`), '1');
    await shot(page, '07-list-cancelled');
  });

  await t.test('3: after the notice batch took it, the cancellation is refused with the reason', async () => {
    // The page was loaded before the batch: the button is still there.
    const printed = claimsca(['notices', 'print', '--data', data, '--out', path.join(work, 'notices'),
      '--at', '2026-11-24T14:00']);
    assert.match(printed, /^batch=1 pages=1 /m);
    const row = page.locator(`tr[data-request-id="${requestIds[1]}"]`);
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForNavigation(), row.locator('button:has-text("発行申請のキャンセル")').click()]);
    assert.match(await page.locator('main').innerText(), /発行通知書の作成が済んでいる.*キャンセルできません/s);
    assert.equal(sql(`SELECT state FROM applications WHERE request_id = '${requestIds[1]}'`), 'issued');
    await shot(page, '08-cancel-refused');
  });

  await t.test('10: a CSV file of several terminals', async () => {
    await page.goto(`${base}/portal/apply/bulk`);
    await shot(page, '09-bulk-upload');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-template')]);
    const template = fs.readFileSync(await download.path(), 'utf8');
    assert.match(template, /^\uFEFF分類,都道府県コード,点数表,医療機関コード（7桁）/);
    assert.match(template, /"1","01","1","0112489","医療法人 愛全病院"/);
    const header = template.replace(/^\uFEFF/, '').split('\r\n')[0];
    const sjis = (text, name) => {
      const file = path.join(work, name);
      fs.writeFileSync(file, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text }));
      return file;
    };
    const row = (code, phone, terminal) => `1,1,1,${code},医療法人 愛全病院,医事課,${phone},iji@example.jp,${terminal}`;
    const before = sql('SELECT count(*) FROM applications');
    await page.setInputFiles('#bulk-file', sjis([header, row('112489', '(011)123-4567', '病棟1'),
      row('0112488', '011-123-4567', '病棟2')].join('\r\n') + '\r\n', 'bad.csv'));
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("内容を確認する")')]);
    assert.match(await page.locator('#bulk-refused').innerText(), /1台も登録していません/);
    assert.match(await page.locator('#bulk-errors').innerText(), /3行目\s+病棟2\s+医療機関コード（7桁）/);
    assert.equal(sql('SELECT count(*) FROM applications'), before);
    await shot(page, '10-bulk-refused');
    await page.setInputFiles('#bulk-file', sjis([header, row('112489', '(011)123-4567', '病棟1'),
      row('0112489', '011 123 4567', '病棟2'), row('0112489', '０１１−１２３−４５６７', '病棟3')].join('\r\n') + '\r\n',
    'good.csv'));
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("内容を確認する")')]);
    assert.equal(await page.locator('#bulk-count').innerText(), '3');
    assert.match(await page.locator('#bulk-total').innerText(), /^[0-9,]+円$/);
    await shot(page, '11-bulk-confirm');
    await Promise.all([page.waitForNavigation(), page.click('#bulk-submit button:text-is("申請")')]);
    assert.equal(await page.locator('#bulk-done-rows tbody tr').count(), 3);
    assert.equal(sql('SELECT count(*) FROM applications'), String(Number(before) + 3));
    assert.equal(sql("SELECT count(*) FROM applications WHERE terminal_name LIKE '病棟%' AND phone = '011-123-4567'"), '3');
    await shot(page, '12-bulk-done');
  });
  await context.close();
});

test('no accessibility violation and no sideways scroll on any screen', () => {
  lib.assertNoFindings(assert);
});
