// The download site and the terminal site in a real browser (docs/portal.md, "Download site"
// and "Terminal site"): a clinic downloads its certificate (the page says so and what to do
// next), then, with that certificate as the browser's client certificate on the mTLS
// listener (playwright-core's clientCertificates), opens the terminal page with the server's
// clock moved by --at outside the renewal window (the page says from which day renewal
// opens) and inside it (更新 → the fee → the renewed file with its password shown once);
// the portal's list shows 更新可能 from that day. Screenshots of every screen go to
// $CLAIMSCA_E2E_OUT, each checked by axe-core (lib.shot).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { SRC, OUT, claimsca } = lib;
const ACCOUNT = 'clinic@example.jp';
const ACCOUNT_PW = 'clinic-password-1234';

let work;
let data;
let server;
let base;
let mtlsBase;
let browser;
let requestId;
let downloadPassword;
let endSeconds; // the certificate's notAfter (Unix seconds)

async function startServer(extra = []) {
  if (server) await lib.stopProcess(server.proc);
  server = await lib.spawnServer(data, extra);
  base = server.base;
  const m = server.out.match(/mTLS\)\s+(https:\/\/127\.0\.0\.1:\d+)\//);
  assert.ok(m, `no mTLS listener in: ${server.out}`);
  mtlsBase = m[1];
}

// --at, `days` whole days before the certificate's end.
// Noon (11:59:59 JST) of the day `days` before the end date: the end is 23:59:59 JST, so
// end − 91 days is one second before the window opens and the server's clock runs on.
function daysBeforeEnd(days) {
  return new Date((endSeconds - days * 86400 - 43200) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

// "YYYY/MM/DD" in Asia/Tokyo.
function jstDay(seconds) {
  const d = new Date(seconds * 1000 + 9 * 3600 * 1000);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}

// A browser context presenting the terminal's certificate to the mTLS listener.
async function terminalPage() {
  const context = await browser.newContext({
    locale: 'ja-JP', acceptDownloads: true, ignoreHTTPSErrors: true,
    clientCertificates: [{ origin: mtlsBase, certPath: path.join(work, 't.pem'), keyPath: path.join(work, 't.key') }],
  });
  const page = await context.newPage();
  page.on('dialog', (d) => d.accept());
  return { context, page };
}

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-terminal-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  claimsca(['admin', 'create-account', '--data', data, '--id', ACCOUNT, '--kind', 'institution',
    '--code', '0110112489', '--name', '医療法人 愛全病院'], `${ACCOUNT_PW}\n`);
  await startServer();
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await lib.stopProcess(server.proc);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('terminal: download site and renewal by a person', async (t) => {
  await t.test('an application, approved by automatic review', async () => {
    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account_id: ACCOUNT, password: ACCOUNT_PW }),
    });
    const { token } = await login.json();
    const res = await fetch(`${base}/api/v1/applications`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ applicant_kind: 'institution', category: '1', prefecture: '01', score_table: '1',
        facility_code: '0112489', institution_name: '医療法人 愛全病院', contact_name: '医事課',
        phone: '011-123-4567', email: 'iji@example.jp', terminal_name: '受付PC1' }),
    });
    assert.equal(res.status, 201);
    requestId = (await res.json()).request_id;
    const out = claimsca(['admin', 'download-password', '--data', data, '--request-id', requestId, '--by', 'printer']);
    downloadPassword = (out.match(/^password=(.+)$/m) || [])[1];
    assert.ok(downloadPassword, out);
  });

  await t.test('download site: the error, then a page that says the file was downloaded and what comes next', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/download/`);
    assert.equal(await page.locator('label[for="password"]').innerText(), 'ダウンロードパスワード');
    await lib.shot(page, 'terminal-01-download-form');
    await page.fill('#request_id', requestId);
    await page.fill('#password', 'WRONG-password-0');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("ダウンロード")')]);
    assert.match(await page.locator('#download-error').innerText(), /ダウンロードパスワードが正しくありません/);
    await lib.shot(page, 'terminal-02-download-wrong');
    await page.fill('#password', downloadPassword);
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.click('button:has-text("ダウンロード")')]);
    assert.equal(download.suggestedFilename(), `${requestId}.p12`);
    const file = path.join(work, 't.p12');
    await download.saveAs(file);
    for (const [flag, out] of [['-nokeys', 't.pem'], ['-nocerts', 't.key']]) {
      execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${downloadPassword}`, flag, '-nodes',
        '-clcerts', '-out', path.join(work, out)]);
    }
    const end = execFileSync('openssl', ['x509', '-in', path.join(work, 't.pem'), '-noout', '-enddate'],
      { encoding: 'utf8' }).trim().split('=')[1];
    endSeconds = Math.floor(Date.parse(end) / 1000);
    await page.locator('#download-done').waitFor();
    assert.equal(await page.locator('#download-error').count(), 0, 'the earlier error is gone');
    assert.match(await page.locator('#download-done').innerText(), new RegExp(`${requestId}\\.p12`));
    assert.match(await page.locator('#install-steps').innerText(), /証明書のインポート ウィザード/);
    const root = execFileSync('openssl', ['x509', '-in', path.join(data, 'ca/root.pem'), '-noout', '-fingerprint',
      '-sha1'], { encoding: 'utf8' }).trim().split('=')[1];
    assert.equal(await page.locator('#thumb-sha1').innerText(), root);
    await lib.shot(page, 'terminal-03-download-done');
    await context.close();
  });

  await t.test('outside the renewal window: the end date and the day renewal opens, no 更新 button', async () => {
    await startServer(['--at', daysBeforeEnd(91)]);
    const { context, page } = await terminalPage();
    await page.goto(`${mtlsBase}/terminal/`);
    assert.equal(await page.locator('#terminal-end').innerText(), jstDay(endSeconds));
    assert.match(await page.locator('#renewal-not-yet').innerText(),
      new RegExp(jstDay(endSeconds - 90 * 86400))); // 00:00 JST of the end date − 90 days
    assert.equal(await page.locator('button:has-text("更新")').count(), 0);
    await lib.shot(page, 'terminal-04-not-yet');
    await context.close();
    const portal = await lib.session(browser, base, ACCOUNT, ACCOUNT_PW);
    await portal.page.goto(`${base}/portal/applications`);
    assert.equal(await portal.page.locator(`tr[data-request-id="${requestId}"] .renewable`).count(), 0);
    await portal.context.close();
  });

  await t.test('inside the window: 更新 states the fee, then the renewed file with its password shown once', async () => {
    await startServer(['--at', daysBeforeEnd(89)]);
    const portal = await lib.session(browser, base, ACCOUNT, ACCOUNT_PW);
    await portal.page.goto(`${base}/portal/applications`);
    assert.equal(await portal.page.locator(`tr[data-request-id="${requestId}"] .renewable`).innerText(), '更新可能');
    await lib.shot(portal.page, 'terminal-05-list-renewable');
    await portal.context.close();

    const { context, page } = await terminalPage();
    await page.goto(`${mtlsBase}/terminal/`);
    assert.match(await page.locator('#renewal').innerText(), /更新料：1,500円/);
    await lib.shot(page, 'terminal-06-renewal-open');
    await Promise.all([page.waitForNavigation(), page.click('#renewal button:has-text("更新")')]);
    assert.match(await page.locator('#renew-fee').innerText(), /^1,500円/);
    await lib.shot(page, 'terminal-07-renewal-confirm');
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.click('button:has-text("更新する")')]);
    assert.equal(download.suggestedFilename(), `${requestId}.p12`);
    const file = path.join(work, 'renewed.p12');
    await download.saveAs(file);
    const password = (await page.locator('#renewal-password').innerText()).trim();
    assert.equal(password.length, 16);
    const info = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nokeys',
      '-clcerts'], { encoding: 'utf8' });
    assert.match(info, /BEGIN CERTIFICATE/);
    assert.match(await page.locator('#renewed').innerText(), /更新料 1,500円/);
    await lib.shot(page, 'terminal-08-renewed');
    await context.close();
  });

  await t.test('no accessibility violation on any screen', () => {
    lib.assertNoFindings(assert);
  });
});
