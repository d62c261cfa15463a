// The 国保連 電子請求受付システム pages in a real browser (docs/kokuhoren.md "Pages"; seeds
// 001 Q10, 002 Q1–Q3): an office and an agent (for 120 offices) go their whole way, the
// server restarted with --at where time matters. The office: first login with the
// temporary password of its registration notice, the forced password change, 証明書の発行申請
// (a wrong 証明書発行用パスワード, then the right one; 発行日から有効), the 利用規約 whose check
// box stays disabled until the text is scrolled to its end (and a 送信 without it refused by
// the server), 発行申請中, the operator's 承認 in the console, download of the PKCS#12
// (openssl opens it with the 証明書発行用パスワード) and download again, then the re-issue of
// the 証明書発行用パスワード: the notice in お知らせ as a ZIP whose PDF opens with the login
// password (qpdf) and not without, and the old certificate refused with the words of 002 Q3.
// The agent: forced change, an office chosen among 120, 相殺 with the offset office's user
// ID and password (a wrong one refused), the operator's 承認, download; 2 months before the
// end the renewal offers 「YYYY/MM/DDから有効な証明書」 (the end + 1 s), and the renewed
// certificate starts exactly one second after the old one ends. A third office locks after
// 3 wrong passwords. Screenshots go to $CLAIMSCA_E2E_OUT (kokuhoren-*.png).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { BIN, OUT, claimsca } = lib;

let work;
let data;
let server;
let base;
let browser;
let rootSha1;

// A valid 介護保険事業所番号 "137" + 6 digits + check digit (domain::CareOfficeNumberOk:
// weights 2, 1, 2, … from the right, digit sums, 10 − sum mod 10).
function careOffice(n) {
  const payload = `137${String(n).padStart(6, '0')}`;
  let sum = 0;
  let weight = 2;
  for (let i = payload.length - 1; i >= 0; i -= 1) {
    const p = Number(payload[i]) * weight;
    sum += Math.floor(p / 10) + (p % 10);
    weight = 3 - weight;
  }
  return payload + String((10 - (sum % 10)) % 10);
}

// The registration result notices of a command (one page each, 電子請求登録結果に関するお知らせ
// / 代理人申請登録結果に関するお知らせ): user ID, 仮パスワード and 証明書発行用パスワード as
// pdftotext reads them.
function register(args) {
  const pdf = path.join(work, `notice-${Math.random().toString(16).slice(2)}.pdf`);
  claimsca(['kokuhoren', ...args, '--data', data, '--notice', pdf]);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((page) => /ユーザID/.test(page)).map((page) => {
    const get = (re) => {
      const m = page.match(re);
      assert.ok(m, `${re} not in: ${page}`);
      return m[1];
    };
    return {
      userId: get(/ユーザID\s+(KJ\d{8})/),
      temporary: get(/仮パスワード\s+(\S+)/),
      issuance: get(/証明書発行用パスワード\s+(\S+)/),
    };
  });
}

function registerOffice(number, name) {
  return register(['office', 'add', number, '--name', name, '--postal-code', '1000001',
    '--address', '東京都千代田区千代田1-1'])[0];
}

async function serveAt(at) {
  await lib.stopProcess(server);
  const s = await lib.spawnServer(data, ['--at', at]);
  server = s.proc;
  base = s.base;
}

async function newSession() {
  const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  return { context, page };
}

const shot = (page, name) => lib.shot(page, `kokuhoren-${name}`);

async function kjLogin(page, userId, password) {
  await page.goto(`${base}/kj/login`);
  await page.fill('#user_id', userId);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("ログイン")')]);
}

async function next(page, selector = '#next') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// First login: the temporary password leads to パスワード変更, every other page too, until
// it is changed.
async function firstLogin(page, who, newPassword, name) {
  await kjLogin(page, who.userId, who.temporary);
  assert.equal(new URL(page.url()).pathname, '/kj/password');
  assert.match(await page.locator('#forced').innerText(), /仮パスワード/);
  await shot(page, `${name}-password-forced`);
  await page.goto(`${base}/kj/certificate`);
  assert.equal(new URL(page.url()).pathname, '/kj/password', 'no page before the change');
  await page.fill('#current', who.temporary);
  await page.fill('#new-password', newPassword);
  await page.fill('#new-password2', `${newPassword}x`);
  await next(page, 'button:has-text("変更")');
  assert.match(await page.locator('#password-error').innerText(), /一致しません/);
  await page.fill('#current', who.temporary);
  await page.fill('#new-password', newPassword);
  await page.fill('#new-password2', newPassword);
  await next(page, 'button:has-text("変更")');
  assert.match(await page.locator('main').innerText(), /パスワードを変更しました/);
  await page.goto(`${base}/kj/`);
  assert.equal(new URL(page.url()).pathname, '/kj/');
  await shot(page, `${name}-menu`);
}

// 送信確認: the check box is disabled until the 利用規約 is scrolled to its end.
async function agreeAndSend(page, name) {
  assert.equal(await page.locator('#agree').isDisabled(), true, 'not agreeable before reading');
  await shot(page, `${name}-confirm`);
  await page.locator('#terms').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => !document.getElementById('agree').disabled);
  await page.check('#agree');
  await next(page, '#submit');
  assert.match(await page.locator('#apply-done').innerText(), /受け付けました/);
  await shot(page, `${name}-done`);
}

// The 証明書 screen of `office` (agents: chosen in the select).
async function certificateScreen(page, office) {
  await page.goto(`${base}/kj/certificate${office ? `?office=${office}` : ''}`);
  return page.locator('#certificates tbody tr');
}

async function choose(page, choice) {
  await page.check(`#choice-${choice}`);
  await next(page);
}

async function operatorDo(page, applicationState, button) {
  await page.goto(`${base}/console/kokuhoren?state=${applicationState}`);
  const row = page.locator('#kj-applications tbody tr').first();
  const id = await row.getAttribute('data-application');
  await Promise.all([page.waitForNavigation(), row.locator(button).click()]);
  assert.match(await page.locator('#done').innerText(), /しました/);
  return id;
}

async function downloadP12(page, password, name) {
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.locator('#issued button.download').first().click()]);
  const file = path.join(work, `${name}.p12`);
  await download.saveAs(file);
  const pem = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nokeys', '-clcerts'],
    { encoding: 'utf8' });
  assert.match(pem, /BEGIN CERTIFICATE/);
  assert.throws(() => execFileSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:wrong-password', '-nokeys'],
    { stdio: 'pipe' }));
  return file;
}

// notBefore / notAfter of the certificate in a PKCS#12.
function certDates(p12, password) {
  const pem = execFileSync('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nokeys', '-clcerts'],
    { encoding: 'utf8' });
  const out = execFileSync('openssl', ['x509', '-noout', '-startdate', '-enddate'], { input: pem, encoding: 'utf8' });
  return {
    notBefore: new Date(out.match(/notBefore=(.*)/)[1]),
    notAfter: new Date(out.match(/notAfter=(.*)/)[1]),
  };
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-kokuhoren-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2026-11-01T09:00']);
  claimsca(['admin', 'create-account', '--data', data, '--id', 'yamada', '--kind', 'operator', '--role', 'operator',
    '--password-file', '-'], 'operator-password-1234\n');
  rootSha1 = execFileSync('openssl', ['x509', '-in', path.join(data, 'ca/root.pem'), '-noout', '-fingerprint', '-sha1'],
    { encoding: 'utf8' }).trim().split('=')[1];
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('office: first login, application, terms, approval, download, re-issue', async () => {
  const number = careOffice(1);
  const office = registerOffice(number, 'さくら訪問介護ステーション');
  await serveAt('2026-12-01T10:00');
  const { context, page } = await newSession();
  await firstLogin(page, office, 'sakura-login-pass-1', 'office');

  // 証明書 → 証明書の発行申請をする → 証明書発行用パスワード入力.
  await page.click('#nav-certificate');
  assert.match(await page.locator('#no-certificates').innerText(), /まだありません/);
  await shot(page, 'office-certificate-empty');
  await choose(page, 'apply');
  assert.match(await page.locator('h1').innerText(), /証明書発行用パスワード入力/);
  await page.fill('#issuance_password', 'not-the-password');
  await next(page);
  assert.match(await page.locator('#apply-error').innerText(), /正しくありません/);
  await page.fill('#issuance_password', office.issuance);
  await next(page);
  // 有効期間選択: no current certificate, so only 発行日から.
  assert.equal(await page.locator('#validity-continue').count(), 0);
  assert.equal(await page.locator('#validity-from-issuance').isChecked(), true);
  await shot(page, 'office-validity');
  await next(page);
  // 送信確認: without the check box the server refuses (the no-JavaScript path).
  assert.equal(await page.locator('#usage-care').count(), 0, 'an office has no usage or payment choice');
  await page.locator('#agree').evaluate((el) => { el.disabled = false; el.checked = false; });
  await next(page, '#submit');
  assert.match(await page.locator('#apply-error').innerText(), /同意する/);
  await agreeAndSend(page, 'office');
  await next(page, '#finish');
  const rows = page.locator('#certificates tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /2026\/12\/01[\s\S]*発行申請中/);
  assert.equal(await page.locator('#balance').innerText(), '7,800円', '発行手数料残高: the ledger');
  await shot(page, 'office-pending');

  // The operator approves it in the console (program filter 国保連).
  const op = await newSession();
  await lib.login(op.page, base, 'yamada', 'operator-password-1234');
  await op.page.click('#program-kokuhoren');
  assert.equal(new URL(op.page.url()).pathname, '/console/kokuhoren');
  await shot(op.page, 'console-waiting');
  await operatorDo(op.page, 'pending', 'button.approve');

  // 発行済み; download, and download again (a reinstalled PC).
  await certificateScreen(page);
  assert.match(await rows.first().innerText(), /発行済み/);
  await choose(page, 'download');
  assert.equal(await page.locator('#root-sha1').innerText(), rootSha1, 'the thumbprint Windows shows');
  await shot(page, 'office-download');
  await downloadP12(page, office.issuance, 'office-1');
  await page.goto(`${base}/kj/download`);
  await downloadP12(page, office.issuance, 'office-2');

  // 証明書発行用パスワード再発行 (002 Q3).
  await page.goto(`${base}/kj/apply`);
  await next(page, '#reissue');
  await next(page, '#lost');
  await shot(page, 'office-reissue');
  await page.fill('#login-password', 'wrong-password-9');
  await next(page, '#reissue-submit');
  assert.match(await page.locator('#reissue-error').innerText(), /正しくありません/);
  await page.fill('#login-password', 'sakura-login-pass-1');
  await next(page, '#reissue-submit');
  assert.match(await page.locator('#reissued').innerText(), /再発行されました/);
  await next(page, '#to-inbox');
  const message = page.locator('#messages tbody tr').first();
  assert.match(await message.innerText(), /証明書発行用パスワード通知書\.zip/);
  await Promise.all([page.waitForNavigation(), message.locator('a').click()]);
  await shot(page, 'office-message');
  const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#attachment')]);
  assert.equal(zip.suggestedFilename(), '証明書発行用パスワード通知書.zip');
  const zipFile = path.join(work, 'notice.zip');
  await zip.saveAs(zipFile);
  const dir = path.join(work, 'notice');
  fs.mkdirSync(dir);
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zipFile, dir]);
  const pdf = path.join(dir, '証明書発行用パスワード通知書.pdf');
  assert.ok(fs.existsSync(pdf));
  assert.throws(() => execFileSync('qpdf', ['--decrypt', pdf, path.join(work, 'no.pdf')], { stdio: 'pipe' }));
  execFileSync('qpdf', ['--password=sakura-login-pass-1', '--decrypt', pdf, path.join(work, 'open.pdf')]);

  // The certificate applied for with the old password can no longer be installed.
  await page.goto(`${base}/kj/download`);
  assert.match(await page.locator('#issued .old-generation').innerText(), /以前の証明書発行用パスワードで申請した電子証明書/);
  await Promise.all([page.waitForNavigation(), page.locator('#issued button.download').first().click()]);
  assert.match(await page.locator('#download-error').innerText(), /インストールできません/);
  await shot(page, 'office-old-generation');
  // And the old 証明書発行用パスワード no longer applies.
  await page.goto(`${base}/kj/apply`);
  await page.fill('#issuance_password', office.issuance);
  await next(page);
  assert.match(await page.locator('#apply-error').innerText(), /正しくありません/);
  await op.context.close();
  await context.close();
});

test('agent: 120 offices, 相殺 with the offset office, renewal continuing from the end', async () => {
  const offices = [];
  for (let i = 0; i < 120; i += 1) offices.push(careOffice(1000 + i));
  const csv = path.join(work, 'offices.csv');
  fs.writeFileSync(csv, `care_office_number,name,postal_code,address,email\n${offices.map((n, i) =>
    `${n},ひまわり介護サービス${i + 1},1000001,東京都千代田区千代田1-${i + 1},`).join('\n')}\n`);
  assert.equal(register(['office', 'import', '--file', csv]).length, 120);
  const offset = registerOffice(careOffice(2), 'つばき介護センター');
  const list = path.join(work, 'agent-offices.txt');
  fs.writeFileSync(list, `${offices.join('\n')}\n`);
  const [agent] = register(['agent', 'add', '--name', '介護請求代行株式会社', '--postal-code', '1000001',
    '--address', '東京都千代田区千代田2-2', '--offices-file', list]);
  await serveAt('2026-12-02T10:00');

  // The offset office logs in once (its own password is what the agent types for 相殺).
  const o = await newSession();
  await firstLogin(o.page, offset, 'tsubaki-login-pass-1', 'offset');
  await o.context.close();

  const { context, page } = await newSession();
  await firstLogin(page, agent, 'agent-login-pass-1', 'agent');
  assert.match(await page.locator('main').innerText(), /120 事業所/);
  await page.click('#nav-certificate');
  assert.equal(await page.locator('#office option').count(), 120);
  const first = offices[37];
  const second = offices[99];
  await page.selectOption('#office', first);
  await next(page, '#office-form button');
  assert.equal(await page.locator('#office-number').innerText(), first);
  await shot(page, 'agent-certificate');

  const op = await newSession();
  await lib.login(op.page, base, 'yamada', 'operator-password-1234');
  // 相殺 for another office: the offset office's password is checked.
  await certificateScreen(page, second);
  await choose(page, 'apply');
  await page.fill('#issuance_password', agent.issuance);
  await next(page);
  await next(page);
  await page.check('#usage-care');
  await page.check('#payment-offset');
  await next(page);
  await page.fill('#offset_user_id', offset.userId);
  await page.fill('#offset_password', 'wrong-password-1');
  await next(page);
  assert.match(await page.locator('#apply-error').innerText(), /正しくありません/);
  await page.fill('#offset_user_id', offset.userId.toLowerCase());
  await page.fill('#offset_password', 'tsubaki-login-pass-1');
  await next(page);
  assert.match(await page.locator('#summary-payment').innerText(), new RegExp(`相殺[\\s\\S]*${offset.userId}`));
  await agreeAndSend(page, 'agent-offset');
  await operatorDo(op.page, 'pending', 'button.approve');
  await certificateScreen(page, second);
  await choose(page, 'download');
  const p12 = await downloadP12(page, agent.issuance, 'agent');
  await certificateScreen(page, second);
  const end = (await page.locator('#certificates tbody tr').first().locator('td').nth(2).innerText()).trim();
  assert.match(end, /^2029\/12\/0[23]$/, `three years: ${end}`);
  await op.context.close();
  await context.close();

  // Two months before the end: 「YYYY/MM/DDから有効な証明書」, the end + 1 s (JST date);
  // the renewal's certificate starts exactly there (no gap, no overlap).
  const [y, m, d] = end.split('/').map(Number);
  const at = new Date(Date.UTC(y, m - 3, d, 1, 0));
  await serveAt(at.toISOString().slice(0, 16));
  const again = await newSession();
  await kjLogin(again.page, agent.userId, 'agent-login-pass-1');
  await certificateScreen(again.page, second);
  await choose(again.page, 'apply');
  await again.page.fill('#issuance_password', agent.issuance);
  await next(again.page);
  const from = await again.page.locator('#continue-from').innerText();
  const oldEnd = certDates(p12, agent.issuance).notAfter;
  const start = new Date(oldEnd.getTime() + 1000 + 9 * 3600 * 1000); // JST
  const pad = (n) => String(n).padStart(2, "0");
  assert.equal(from, `${start.getUTCFullYear()}/${pad(start.getUTCMonth() + 1)}/${pad(start.getUTCDate())}`);
  assert.equal(await again.page.locator('#validity-continue').isChecked(), true);
  await next(again.page);
  await next(again.page); // 介護保険証明書, 相殺
  await again.page.fill('#offset_user_id', offset.userId);
  await again.page.fill('#offset_password', 'tsubaki-login-pass-1');
  await next(again.page);
  assert.match(await again.page.locator('#summary-validity').innerText(), new RegExp(`${from}から有効な証明書`));
  await agreeAndSend(again.page, 'agent-renewal');
  const op2 = await newSession();
  await lib.login(op2.page, base, 'yamada', 'operator-password-1234');
  await operatorDo(op2.page, 'pending', 'button.approve');
  await op2.context.close();
  await again.page.goto(`${base}/kj/download?office=${second}`);
  assert.equal(await again.page.locator('#issued tbody tr').count(), 2);
  const renewed = certDates(await downloadP12(again.page, agent.issuance, 'agent-renewed'), agent.issuance);
  assert.equal(renewed.notBefore.getTime(), oldEnd.getTime() + 1000, 'the periods join');
  await shot(again.page, 'agent-renewal');
  await again.context.close();
});

test('agent: 振込 with the invoice and the operator payment confirmation', async () => {
  const [agent] = register(['agent', 'add', '--name', '振込代行株式会社', '--office', careOffice(2)]);
  const first = careOffice(2);
  const { context, page } = await newSession();
  await firstLogin(page, agent, 'transfer-agent-pass-1', 'transfer-agent');
  await certificateScreen(page, first);
  // 振込, 介護・障害共通証明書.
  await choose(page, 'apply');
  await page.fill('#issuance_password', agent.issuance);
  await next(page);
  await next(page); // 発行日から
  await page.check('#usage-both');
  await page.check('#payment-transfer');
  await shot(page, 'agent-usage');
  await next(page);
  assert.match(await page.locator('#summary-usage').innerText(), /介護・障害共通証明書/);
  assert.match(await page.locator('#summary-payment').innerText(), /振込/);
  await agreeAndSend(page, 'agent-transfer');
  assert.match(await page.locator('#transfer-note').innerText(), /請求書を表示する/);
  await next(page, '#finish');
  assert.match(await page.locator('#certificates tbody tr').first().innerText(), /入金確認待ち/);
  await choose(page, 'invoice');
  await shot(page, 'agent-invoices');
  const href = await page.locator('#invoices a.invoice').first().getAttribute('href');
  const pdf = await page.request.get(`${base}${href}`);
  assert.equal(pdf.status(), 200);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  const other = await page.request.get(`${base}${href.replace(/office=\d+/, `office=${careOffice(1)}`)}`);
  assert.equal(other.status(), 404, 'another office: not found');

  // The operator confirms the payment, then approves.
  const op = await newSession();
  await lib.login(op.page, base, 'yamada', 'operator-password-1234');
  await operatorDo(op.page, 'awaiting_payment', 'button.confirm-payment');
  await operatorDo(op.page, 'pending', 'button.approve');
  await certificateScreen(page, first);
  assert.match(await page.locator('#certificates tbody tr').first().innerText(), /発行済み[\s\S]*介護・障害共通証明書[\s\S]*振込/);

  await op.context.close();
  await context.close();
});

test('lockout after 3 wrong passwords', async () => {
  const third = registerOffice(careOffice(3), 'もみじデイサービス');
  const { context, page } = await newSession();
  for (let i = 0; i < 2; i += 1) {
    await kjLogin(page, third.userId, `wrong-password-${i}`);
    assert.match(await page.locator('#login-error').innerText(), /ユーザIDまたはパスワードが正しくありません/);
  }
  await kjLogin(page, third.userId, 'wrong-password-2');
  assert.match(await page.locator('#login-error').innerText(), /ロックしました/);
  await kjLogin(page, third.userId, third.temporary);
  assert.match(await page.locator('#login-error').innerText(), /ロックしました/, 'locked even with the right password');
  await shot(page, 'lockout');
  await context.close();
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
