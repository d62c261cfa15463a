// The portal in a real browser (docs/portal.md): Debian's headless chromium driven by
// playwright-core, against the real binary on loopback with a demo CA, the published
// institution register and accounts made with `claimsca admin create-account`.
// Screenshots of every screen go to $CLAIMSCA_E2E_OUT.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BIN = path.join(process.env.CLAIMSCA_BINARY_DIR || '', 'claimsca');
const SRC = process.env.CLAIMSCA_SOURCE_DIR || path.resolve(__dirname, '../..');
const OUT = process.env.CLAIMSCA_E2E_OUT || path.join(os.tmpdir(), 'claimsca-e2e-shots');
const HOSTILE_TEXT = 'テスト中です#%& * > ? @';
const HOSTILE_SCRIPT = '<script>alert(1)</script>';
const HOSTILE_IMG = '"><img src=x onerror=alert(1)>';

let work;
let server;
let base;
let httpsBase;
let browser;
const alerts = []; // any alert() that a hostile input managed to run

function claimsca(args, input) {
  return execFileSync(BIN, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function createAccount(id, kind, extra, password) {
  claimsca(['admin', 'create-account', '--data', path.join(work, 'data'), '--id', id, '--kind', kind,
    ...extra], password + '\n');
}

async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'ja-JP', ...options });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    if (d.type() === 'alert') {
      alerts.push(d.message());
      d.dismiss();
    }
  });
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

async function login(page, id, password) {
  await page.goto(`${base}/portal/login`);
  await page.fill('#account_id', id);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("ログイン")')]);
}

// Fills the institution form of the clinic in the register (0110112489).
async function fillClinicForm(page, { facility = '0112489', contact, terminal }) {
  await page.selectOption('#f-category', '1');
  await page.selectOption('#f-prefecture', '01');
  await page.selectOption('#f-score_table', '1');
  await page.fill('#f-facility_code', facility);
  await page.fill('#f-institution_name', '医療法人 愛全病院');
  await page.fill('#f-contact_name', contact);
  await page.fill('#f-phone', '011-123-4567');
  await page.fill('#f-email', 'iji@example.jp');
  await page.fill('#f-terminal_name', terminal);
}

// From a filled form: 次へ → the pop-up (its text is returned) → OK → 確認画面.
async function nextAndAcceptPopup(page) {
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
  const dialog = page.locator('#preview-dialog');
  await dialog.waitFor({ state: 'visible' });
  const text = await dialog.innerText();
  await dialog.locator('button:has-text("OK")').click();
  await dialog.waitFor({ state: 'hidden' });
  return text;
}

function requestIdsIn(html) {
  return [...html.matchAll(/data-request-id="(\d{14})"/g)].map((m) => m[1]);
}

// Starts `claimsca serve` on free ports (extra args appended) and sets `server` and
// `base`; returns what it printed.
async function startServer(extra) {
  server = spawn(BIN, ['serve', '--data', path.join(work, 'data'), '--listen', '127.0.0.1:0',
    '--set', 'server.mtls_listen=127.0.0.1:0', '--set', 'network.allowed_ranges=127.0.0.1/32',
    // No scheduled jobs: the day's notice batch would take the passwords the test reads.
    '--set', 'jobs.enabled=false', ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  server.stderr.on('data', (b) => { err = (err + b.toString()).slice(-20000); });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}\n${err}`)), 20000);
    server.stdout.on('data', (b) => {
      out += b.toString();
      const m = out.match(/CA certificates, thumbprints (http:\/\/[^/\s]+)\/ca\//);
      if (m && out.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return out;
}

async function stopServer() {
  if (!server) return;
  const s = server;
  server = null;
  if (s.exitCode === null) {
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    await exited;
  }
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-'));
  const data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256']);
  claimsca(['admin', 'import-register', '--data', data, '--file',
    path.join(SRC, 'data/institutions-2025-08.csv')]);
  createAccount('clinic@example.jp', 'institution', ['--code', '0110112489', '--name', '医療法人 愛全病院'],
    'clinic-password-1234');
  createAccount('kyosai@example.jp', 'institution', ['--code', '33120015', '--name', '共済組合'],
    'insurer-password-1234');
  createAccount('yamada', 'operator', ['--role', 'operator'], 'operator-password-1234');
  createAccount('careless@example.jp', 'institution', ['--code', '0110112745'], 'careless-password-1234');

  const out = await startServer(['--set', 'server.tls_listen=127.0.0.1:0']);
  httpsBase = `https://127.0.0.1:${(out.match(/HTTPS +https:\/\/127\.0\.0\.1:(\d+)/) || [])[1]}`;
  assert.match(out, /portal, console, download +http:\/\/127\.0\.0\.1:\d+\/portal\//);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-gpu', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the whole journey in the browser', async (t) => {
  const clinic = await newPage();
  const cp = clinic.page;
  let firstId;
  let secondId;
  let insurerId;
  let insurerCancelId;
  let insurerPassword;

  await t.test('log in: wrong password refused, session cookie HttpOnly + SameSite=Strict', async () => {
    const res = await cp.goto(`${base}/portal/login`);
    const h = res.headers();
    assert.equal(h['content-security-policy'],
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['referrer-policy'], 'no-referrer');
    await shot(cp, '01-login');
    await login(cp, 'clinic@example.jp', 'not-the-password-00');
    assert.match(await cp.locator('#login-error').innerText(), /アカウントIDまたはパスワードが正しくありません/);
    assert.equal(await cp.inputValue('#account_id'), 'clinic@example.jp');
    await shot(cp, '02-login-error');
    await login(cp, 'clinic@example.jp', 'clinic-password-1234');
    assert.equal(new URL(cp.url()).pathname, '/portal/');
    assert.match(await cp.locator('h1').innerText(), /マイページ/);
    const session = (await clinic.context.cookies()).find((c) => c.name === 'claimsca_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.secure, false); // plain HTTP here; Secure is added behind TLS
    assert.ok(session.expires > Date.now() / 1000, 'the session expires');
    await shot(cp, '03-mypage');
  });

  await t.test('login lockout: the fifth wrong password locks the account, with a plain message', async () => {
    const other = await newPage();
    for (let i = 1; i <= 5; i++) {
      await login(other.page, 'careless@example.jp', `wrong-password-${i}0000`);
    }
    const message = await other.page.locator('#login-error').innerText();
    assert.match(message, /パスワードの誤りが続いたため、このアカウントをロックしました/);
    await login(other.page, 'careless@example.jp', 'careless-password-1234');
    assert.match(await other.page.locator('#login-error').innerText(), /ロックしました/, 'locked even with the right password');
    await shot(other.page, '02b-login-locked');
    await other.context.close();
  });

  await t.test('over TLS the session cookie is also Secure', async () => {
    const tls = await newPage({ ignoreHTTPSErrors: true });
    await tls.page.goto(`${httpsBase}/portal/login`);
    await tls.page.fill('#account_id', 'clinic@example.jp');
    await tls.page.fill('#password', 'clinic-password-1234');
    await Promise.all([tls.page.waitForNavigation(), tls.page.click('button:has-text("ログイン")')]);
    assert.equal(new URL(tls.page.url()).pathname, '/portal/');
    const cookies = await tls.context.cookies();
    const session = cookies.find((c) => c.name === 'claimsca_session');
    assert.ok(session && session.secure && session.httpOnly && session.sameSite === 'Strict');
    assert.ok(cookies.find((c) => c.name === 'claimsca_csrf').secure);
    await tls.context.close();
  });

  await t.test('apply as a clinic: errors next to the field, input kept, pop-up, confirmation', async () => {
    await cp.goto(`${base}/portal/apply`);
    await shot(cp, '04-form-institution');
    assert.match(await cp.content(), /オンライン資格確認用端末/); // 端末名称等 help with the guide's example
    await fillClinicForm(cp, { facility: '0112488', contact: HOSTILE_TEXT, terminal: HOSTILE_SCRIPT });
    await Promise.all([cp.waitForNavigation(), cp.click('button:has-text("次へ")')]);
    assert.ok(await cp.locator('#e-facility_code').isVisible(), 'error next to 医療機関コード');
    assert.ok((await cp.locator('#e-facility_code').innerText()).length > 0);
    assert.equal(await cp.inputValue('#f-contact_name'), HOSTILE_TEXT, 'input kept on error');
    assert.equal(await cp.inputValue('#f-terminal_name'), HOSTILE_SCRIPT);
    assert.equal(await cp.inputValue('#f-category'), '1');
    await shot(cp, '05-form-error');
    await cp.fill('#f-facility_code', '0112489');
    const popup = await nextAndAcceptPopup(cp);
    assert.match(popup, /1,500/);
    assert.doesNotMatch(popup, /件の申請があります/, 'no earlier application: only the fee');
    assert.match(await cp.locator('h1').innerText(), /確認画面/);
    assert.equal(await cp.locator('#c-contact_name').innerText(), HOSTILE_TEXT);
    assert.equal(await cp.locator('#c-terminal_name').innerText(), HOSTILE_SCRIPT);
    await shot(cp, '06-confirm');
    // The same confirmation sent twice (a double click that reaches the server twice, a
    // reload) creates one application: the idempotency key is in the form.
    const fields = await cp.$eval('#submit-form', (f) => Object.fromEntries(new FormData(f)));
    fields.step = 'submit';
    const idOf = async (res) => {
      assert.equal(res.status(), 200);
      return ((await res.text()).match(/id="done-request-id">(\d{14})</) || [])[1];
    };
    const once = await idOf(await clinic.context.request.post(`${base}/portal/apply`, { form: fields }));
    const twice = await idOf(await clinic.context.request.post(`${base}/portal/apply`, { form: fields }));
    assert.match(once, /^\d{14}$/);
    assert.equal(twice, once);
    await Promise.all([cp.waitForNavigation(), cp.click('button:text-is("申請")')]);
    firstId = await cp.locator('#done-request-id').innerText();
    assert.equal(firstId, once);
    assert.match(firstId, /^\d{14}$/);
    assert.equal(await cp.locator('#done-state').innerText(), '発行済み'); // in the register: approved at once
    await shot(cp, '07-done');
  });

  await t.test('続けてもう1枚申請: pre-filled but 端末名称等; the pop-up counts the earlier one', async () => {
    await Promise.all([cp.waitForNavigation(), cp.click('button:has-text("続けてもう1枚申請")')]);
    assert.equal(await cp.inputValue('#f-institution_name'), '医療法人 愛全病院');
    assert.equal(await cp.inputValue('#f-contact_name'), HOSTILE_TEXT);
    assert.equal(await cp.inputValue('#f-facility_code'), '0112489');
    assert.equal(await cp.inputValue('#f-terminal_name'), '');
    await cp.fill('#f-terminal_name', '受付PC2');
    const popup = await nextAndAcceptPopup(cp);
    assert.match(popup, /1\s*件の申請があります（発行済み含む。）/);
    assert.match(popup, /1,500/);
    await shot(cp, '08-confirm-second');
    await Promise.all([cp.waitForNavigation(), cp.click('button:text-is("申請")')]);
    secondId = await cp.locator('#done-request-id').innerText();
    assert.notEqual(secondId, firstId);
    assert.ok(await cp.locator('a:has-text("マイページに戻る")').isVisible());
  });

  await t.test('申請状況照会: the guide columns, two rows, hostile text shown as text', async () => {
    await cp.goto(`${base}/portal/applications`);
    const headers = await cp.locator('#applications thead th').allInnerTexts();
    assert.deepEqual(headers, ['#', '申請日', '担当部署/担当者名', '端末名称等', 'ステータス', 'リクエストID',
      '発行日', '証明書有効期限', 'ダウンロード有効期限', '操作']);
    const ids = requestIdsIn(await cp.content());
    assert.deepEqual(ids.sort(), [firstId, secondId].sort(), 'three sends of one confirmation made one application');
    const row = cp.locator(`tr[data-request-id="${firstId}"]`);
    assert.equal(await row.locator('td.contact').innerText(), HOSTILE_TEXT);
    assert.equal(await row.locator('td.terminal').innerText(), HOSTILE_SCRIPT);
    assert.equal(await row.locator('td.state').innerText(), '発行済み');
    assert.ok(await row.locator('button:has-text("証明書の失効")').isVisible());
    assert.equal(await cp.locator('script:not([src])').count(), 0, 'no inline script made it into the page');
    assert.equal(await cp.locator('#done-message').count(), 0, 'no empty notice');
    await shot(cp, '09-list');
  });

  await t.test('詳細/編集: edit the e-mail of an issued application', async () => {
    await cp.goto(`${base}/portal/applications/${secondId}`);
    assert.match(await cp.locator('#d-common-name').innerText(), /\S/);
    assert.equal(await cp.locator('#d-request-id').innerText(), secondId);
    await cp.fill('#f-email', 'not an address');
    await Promise.all([cp.waitForNavigation(), cp.click('button:has-text("更新")')]);
    assert.ok(await cp.locator('#e-email').isVisible(), 'error next to メールアドレス');
    assert.equal(await cp.inputValue('#f-email'), 'not an address');
    await cp.fill('#f-email', 'jimu@example.jp');
    await cp.fill('#f-terminal_name', HOSTILE_IMG);
    await Promise.all([cp.waitForURL(/updated=1/), cp.click('button:has-text("更新")')]);
    assert.equal(await cp.inputValue('#f-email'), 'jimu@example.jp');
    assert.equal(await cp.inputValue('#f-terminal_name'), HOSTILE_IMG);
    assert.equal(await cp.locator('img').count(), 0);
    await shot(cp, '10-detail');
  });

  const insurer = await newPage();
  const ip = insurer.page;
  await t.test('an insurer applies twice (not in the register: held for review)', async () => {
    await login(ip, 'kyosai@example.jp', 'insurer-password-1234');
    for (const terminal of ['オンライン請求用端末', '予備端末']) {
      await ip.goto(`${base}/portal/apply?kind=insurer`);
      await ip.fill('#f-insurer_number', '33120015');
      await ip.fill('#f-insurer_name', '共済組合');
      await ip.fill('#f-contact_name', '総務課');
      await ip.fill('#f-phone', '03-1234-5678');
      await ip.fill('#f-email', 'soumu@example.jp');
      await ip.fill('#f-terminal_name', terminal);
      if (terminal === '予備端末') await shot(ip, '11-form-insurer');
      await nextAndAcceptPopup(ip);
      await Promise.all([ip.waitForNavigation(), ip.click('button:text-is("申請")')]);
      assert.equal(await ip.locator('#done-state').innerText(), '発行承認待ち');
      const id = await ip.locator('#done-request-id').innerText();
      if (!insurerId) insurerId = id; else insurerCancelId = id;
    }
  });

  await t.test('one institution cannot open another one\'s application', async () => {
    const res = await ip.goto(`${base}/portal/applications/${firstId}`);
    assert.equal(res.status(), 404);
    assert.match(await ip.locator('h1').innerText(), /申請が見つかりません/);
    assert.doesNotMatch(await ip.content(), /愛全病院/);
    const list = await ip.goto(`${base}/portal/applications`);
    assert.equal(list.status(), 200);
    assert.deepEqual(requestIdsIn(await ip.content()).sort(), [insurerId, insurerCancelId].sort());
  });

  await t.test('a form POST without the CSRF token is refused', async () => {
    const res = await insurer.context.request.post(`${base}/portal/applications/${insurerCancelId}/cancel`,
      { form: { confirmed: '1' }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
    const wrong = await insurer.context.request.post(`${base}/portal/applications/${insurerCancelId}/cancel`,
      { form: { confirmed: '1', csrf: 'f'.repeat(64) }, maxRedirects: 0 });
    assert.equal(wrong.status(), 403);
    await ip.goto(`${base}/portal/applications`);
    assert.equal(await ip.locator(`tr[data-request-id="${insurerCancelId}"] td.state`).innerText(), '発行承認待ち');
  });

  await t.test('cancel a pending application through the guide\'s dialog', async () => {
    const row = ip.locator(`tr[data-request-id="${insurerCancelId}"]`);
    // キャンセル in the dialog leaves it as it is.
    ip.once('dialog', (d) => d.dismiss());
    await row.locator('button:has-text("発行申請のキャンセル")').click();
    await ip.waitForTimeout(200);
    assert.equal(await row.locator('td.state').innerText(), '発行承認待ち');
    let message = '';
    ip.once('dialog', (d) => { message = d.message(); d.accept(); });
    await Promise.all([ip.waitForURL(/done=cancel/), row.locator('button:has-text("発行申請のキャンセル")').click()]);
    assert.equal(message, '電子証明書の発行申請のキャンセル処理を行います。よろしいでしょうか？');
    assert.equal(await ip.locator(`tr[data-request-id="${insurerCancelId}"] td.state`).innerText(), '申請取消済み');
    await shot(ip, '12-list-cancelled');
  });

  const operator = await newPage();
  const op = operator.page;
  await t.test('an operator approves the held insurer application in the console', async () => {
    await login(op, 'yamada', 'operator-password-1234');
    assert.equal(new URL(op.url()).pathname, '/console/');
    assert.equal(await op.locator('#counts strong[data-state="held"]').innerText(), '1');
    assert.equal(await op.locator('#counts strong[data-state="issued"]').innerText(), '2');
    assert.deepEqual(requestIdsIn(await op.content()), [insurerId]);
    await shot(op, '13-console');
    await op.fill('#q', firstId);
    await Promise.all([op.waitForURL(/q=/), op.click('button:has-text("表示")')]);
    assert.deepEqual(requestIdsIn(await op.content()), [firstId]);
    await op.fill('#q', '33120015');
    await Promise.all([op.waitForURL(/q=33120015/), op.click('button:has-text("表示")')]);
    assert.deepEqual(requestIdsIn(await op.content()).sort(), [insurerId, insurerCancelId].sort());
    await op.goto(`${base}/console/applications/${insurerId}`);
    assert.match(await op.locator('#detail').innerText(), /登録簿にありません（not_in_register）/);
    await shot(op, '14-console-detail');
    await Promise.all([op.waitForURL(/done=approve/), op.click('button:has-text("承認して発行")')]);
    assert.match(await op.locator('#detail').innerText(), /発行済み/);
    assert.match(await op.locator('#detail').innerText(), /シリアル番号/);
    // An institution account cannot open the console.
    const res = await cp.goto(`${base}/console/`);
    assert.equal(res.status(), 403);
  });

  await t.test('download site: wrong password message, then the .p12 opens with openssl', async () => {
    const pwOut = claimsca(['admin', 'download-password', '--data', path.join(work, 'data'),
      '--request-id', insurerId]);
    const password = (pwOut.match(/^password=(.+)$/m) || [])[1];
    assert.ok(password, `password in: ${pwOut}`);
    insurerPassword = password;
    const anon = await newPage({ acceptDownloads: true });
    const dp = anon.page;
    await dp.goto(`${base}/download/`);
    const root = execFileSync('openssl', ['x509', '-in', path.join(work, 'data/ca/root.pem'), '-noout',
      '-fingerprint', '-sha256'], { encoding: 'utf8' }).trim().split('=')[1];
    assert.equal(await dp.locator('#thumb-sha256').innerText(), root);
    await shot(dp, '15-download');
    await dp.fill('#request_id', insurerId);
    await dp.fill('#password', 'WRONG-password-0');
    await Promise.all([dp.waitForNavigation(), dp.click('button:has-text("ダウンロード")')]);
    assert.match(await dp.locator('#download-error').innerText(), /リクエストIDまたはパスワードが正しくありません/);
    assert.equal(await dp.inputValue('#request_id'), insurerId);
    await shot(dp, '16-download-wrong');
    await dp.fill('#password', password);
    const [download] = await Promise.all([dp.waitForEvent('download'),
      dp.click('button:has-text("ダウンロード")')]);
    assert.equal(download.suggestedFilename(), `${insurerId}.p12`);
    const file = path.join(work, 'got.p12');
    await download.saveAs(file);
    const info = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nokeys',
      '-clcerts'], { encoding: 'utf8' });
    assert.match(info, /BEGIN CERTIFICATE/);
    // Five wrong passwords for another certificate lock its download, with a plain message.
    for (let i = 1; i <= 5; i++) {
      await dp.goto(`${base}/download/`);
      await dp.fill('#request_id', secondId);
      await dp.fill('#password', `WRONG-password-${i}`);
      await Promise.all([dp.waitForNavigation(), dp.click('button:has-text("ダウンロード")')]);
    }
    assert.match(await dp.locator('#download-error').innerText(),
      /パスワードの誤りが続いたため、この証明書のダウンロードを一時的に止めています/);
    await shot(dp, '16b-download-locked');
    await anon.context.close();
  });

  await t.test('revoke an issued certificate through the guide\'s dialog', async () => {
    await cp.goto(`${base}/portal/applications`);
    let message = '';
    cp.once('dialog', (d) => { message = d.message(); d.accept(); });
    await Promise.all([cp.waitForURL(/done=revoke/),
      cp.locator(`tr[data-request-id="${firstId}"] button:has-text("証明書の失効")`).click()]);
    assert.equal(message, '電子証明書の失効申請を行います。よろしいでしょうか？');
    assert.equal(await cp.locator(`tr[data-request-id="${firstId}"] td.state`).innerText(), '失効済み');
    assert.equal(await cp.locator(`tr[data-request-id="${firstId}"] button`).count(), 0);
    await shot(cp, '17-list-revoked');
  });

  await t.test('log out ends the session', async () => {
    await Promise.all([cp.waitForURL(/login\?out=1/), cp.click('button:has-text("ログアウト")')]);
    await cp.goto(`${base}/portal/applications`);
    assert.equal(new URL(cp.url()).pathname, '/portal/login');
  });

  await t.test('network variant without JavaScript: fallback pop-up page, confirmation, success', async () => {
    const nojs = await newPage({ javaScriptEnabled: false });
    const np = nojs.page;
    await np.goto(`${base}/network/`);
    await fillClinicForm(np, { contact: '医事課', terminal: 'ネットワーク端末1' });
    await Promise.all([np.waitForNavigation(), np.click('button:has-text("次へ")')]);
    assert.match(await np.locator('h1').innerText(), /申請件数と発行料の確認/);
    assert.match(await np.locator('.popup-fallback').innerText(), /2\s*件の申請があります/);
    await shot(np, '18-network-popup-fallback');
    await Promise.all([np.waitForNavigation(), np.click('button:has-text("OK")')]);
    assert.match(await np.locator('h1').innerText(), /確認画面/);
    await Promise.all([np.waitForNavigation(), np.click('button:text-is("申請")')]);
    assert.match(await np.locator('#done-request-id').innerText(), /^\d{14}$/);
    assert.equal(await np.locator('a:has-text("マイページに戻る")').count(), 0);
    await shot(np, '19-network-done');
    await nojs.context.close();
  });

  await t.test('a phone-width viewport renders the form without horizontal scrolling', async () => {
    const phone = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await phone.page.goto(`${base}/network/`);
    const { scroll, client } = await phone.page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `scrollWidth ${scroll} > clientWidth ${client}`);
    await shot(phone.page, '20-phone-form');
    await phone.context.close();
  });

  await t.test('past the download deadline (a server 200 days later): a plain message; /network/ outside the ranges refused', async () => {
    await stopServer();
    const later = new Date(Date.now() + 200 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    await startServer(['--at', later, '--set', 'network.allowed_ranges=192.0.2.0/24']);
    const anon = await newPage();
    await anon.page.goto(`${base}/download/`);
    await anon.page.fill('#request_id', insurerId);
    await anon.page.fill('#password', insurerPassword);
    await Promise.all([anon.page.waitForNavigation(), anon.page.click('button:has-text("ダウンロード")')]);
    assert.match(await anon.page.locator('#download-error').innerText(), /ダウンロード有効期限（発行日から180日）を過ぎた/);
    await shot(anon.page, '21-download-deadline');
    // This server's network ranges leave out loopback: the network form is refused.
    const refused = await anon.page.goto(`${base}/network/`);
    assert.equal(refused.status(), 403);
    assert.match(await anon.page.locator('main').innerText(), /インターネットからは接続できません/);
    await anon.context.close();
  });

  assert.deepEqual(alerts, [], 'no hostile input ever ran');
  await clinic.context.close();
  await insurer.context.close();
  await operator.context.close();
});
