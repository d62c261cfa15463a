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
const lib = require('./lib');

const { BIN, SRC, OUT, claimsca } = lib;
const HOSTILE_TEXT = 'テスト中です#%& * > ? @';
const HOSTILE_SCRIPT = '<script>alert(1)</script>';
const HOSTILE_IMG = '"><img src=x onerror=alert(1)>';

let work;
let server;
let base;
let httpsBase;
let browser;
const alerts = []; // any alert() that a hostile input managed to run

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

// Every screen at desktop width and at phone width (360 px), checked by axe-core (lib.shot).
const shot = (page, name) => lib.shot(page, name);

function login(page, id, password) {
  return lib.login(page, base, id, password);
}

// Fills the institution form of the clinic in the register (0110112489).
async function fillClinicForm(page, { facility = '0112489', name = '医療法人 愛全病院', email = 'iji@example.jp',
  contact, terminal }) {
  await page.selectOption('#f-category', '1');
  await page.selectOption('#f-prefecture', '01');
  await page.selectOption('#f-score_table', '1');
  await page.fill('#f-facility_code', facility);
  await page.fill('#f-institution_name', name);
  await page.fill('#f-contact_name', contact);
  await page.fill('#f-phone', '011-123-4567');
  await page.fill('#f-email', email);
  await page.fill('#f-terminal_name', terminal);
}

// From a filled form: 次へ → the pop-up (its text is returned) → OK → 確認画面.
async function nextAndAcceptPopup(page, shotName) {
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("次へ")')]);
  const dialog = page.locator('#preview-dialog');
  await dialog.waitFor({ state: 'visible' });
  if (shotName) await shot(page, shotName);
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
  const started = await lib.spawnServer(path.join(work, 'data'), extra);
  server = started.proc;
  base = started.base;
  return started.out;
}

async function stopServer() {
  const s = server;
  server = null;
  await lib.stopProcess(s);
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
  browser = await lib.launchChromium();
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
    // A wrong check digit: one message for 都道府県コード and 医療機関コード together (both marked).
    assert.ok(await cp.locator('#e-prefecture').isVisible(), 'error next to 都道府県コード and 医療機関コード');
    assert.ok((await cp.locator('#e-prefecture').innerText()).length > 0);
    assert.equal(await cp.getAttribute('#f-facility_code', 'aria-invalid'), 'true');
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
    const popup = await nextAndAcceptPopup(cp, '08a-popup-earlier');
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
    assert.match(await op.locator('#detail').innerText(), /医療機関等コードが登録簿にありません/);
    assert.doesNotMatch(await op.locator('body').innerText(), /not_in_register/);
    await shot(op, '14-console-detail');
    await lib.approveInConsole(op);
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
    assert.match(await dp.locator('#download-error').innerText(), /リクエストIDまたはダウンロードパスワードが正しくありません/);
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
    // Wrong passwords for another certificate (five lock it), and a request ID that does
    // not exist, get one plain message (no oracle for request IDs) naming the lock.
    const refusal = async (id, pw) => {
      await dp.goto(`${base}/download/`);
      await dp.fill('#request_id', id);
      await dp.fill('#password', pw);
      await Promise.all([dp.waitForNavigation(), dp.click('button:has-text("ダウンロード")')]);
      return dp.locator('#download-error').innerText();
    };
    const unknown = await refusal('20991231235959', 'WRONG-password-0');
    assert.match(unknown, /しばらくの間（正しいパスワードでも）ダウンロードできなくなります/);
    for (let i = 1; i <= 6; i++) {
      assert.equal(await refusal(secondId, `WRONG-password-${i}`), unknown, `wrong password ${i}`);
    }
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

// ---- accounts, the terminal's revocation page, the console's additions, sessions ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = require('node:net').createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

async function waitFor(check, what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('register, verify, reset, the terminal revocation page over mTLS, console audit and import, sessions', async (t) => {
  await stopServer();
  const data = path.join(work, 'data');
  const maildir = path.join(work, 'mail');
  fs.mkdirSync(maildir);
  const smtpPort = await freePort();
  const sink = spawn('/usr/bin/python3', [path.join(SRC, 'src/mail/testdata/smtp_sink.py'), maildir, String(smtpPort)],
    { stdio: 'ignore' });
  t.after(() => sink.kill('SIGTERM'));
  await waitFor(() => fs.existsSync(path.join(maildir, 'ready')), 'the SMTP sink');
  const mailSet = ['--set', `mail.smtp_url=smtp://127.0.0.1:${smtpPort}`, '--set', 'mail.smtp_starttls=none',
    '--set', 'mail.from_address=no-reply@claimsca.example'];
  const out = await startServer(mailSet);
  const mtlsBase = `https://127.0.0.1:${(out.match(/mTLS\) +https:\/\/127\.0\.0\.1:(\d+)\//) || [])[1]}`;
  // The outbox is sent by `jobs run --job mail` (serve runs here without scheduled jobs);
  // returns the link of the newest mail to `to` whose subject matches.
  const mailLink = (to, subject, linkPath) => {
    claimsca(['jobs', 'run', '--data', data, ...mailSet, '--job', 'mail']);
    const mails = fs.readdirSync(maildir).filter((f) => f.endsWith('.json')).sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(maildir, f), 'utf8')))
      .filter((m) => m.rcpt_tos.includes(to) && subject.test(m.subject));
    assert.ok(mails.length > 0, `a mail to ${to}`);
    const m = mails[mails.length - 1].body.match(new RegExp(`${linkPath}\\?token=([A-Za-z0-9_-]{43})`));
    assert.ok(m, `a link in: ${mails[mails.length - 1].body}`);
    return `${base}${linkPath}?token=${m[1]}`;
  };
  const me = 'hiramatsu@example.jp';
  const firstPassword = 'hiramatsu pass 2026';
  const newPassword = 'あたらしい pass 2027';
  const reg = await newPage();
  const rp = reg.page;
  let requestId;

  await t.test('register: hostile input in every field kept as text with errors next to the fields', async () => {
    await rp.goto(`${base}/portal/login`);
    await Promise.all([rp.waitForNavigation(), rp.click('#link-register')]);
    assert.match(await rp.locator('h1').innerText(), /アカウントの登録/);
    await shot(rp, '30-register');
    const hostile = { email: HOSTILE_SCRIPT, institution_code: HOSTILE_TEXT, institution_name: HOSTILE_IMG,
      postal_code: HOSTILE_TEXT };
    for (const [f, v] of Object.entries(hostile)) await rp.fill(`#f-${f}`, v);
    await rp.fill('#f-password', HOSTILE_SCRIPT);
    await rp.fill('#f-password_again', HOSTILE_IMG);
    const res = await Promise.all([rp.waitForNavigation(), rp.click('button:has-text("登録する")')]);
    assert.equal(res[0].status(), 422);
    for (const f of ['email', 'institution_code', 'postal_code', 'password', 'password_again']) {
      assert.ok(await rp.locator(`#e-${f}`).isVisible(), `error next to ${f}`);
    }
    for (const [f, v] of Object.entries(hostile)) assert.equal(await rp.inputValue(`#f-${f}`), v);
    assert.equal(await rp.inputValue('#f-password'), '', 'a password is never sent back');
    assert.equal(await rp.locator('img').count(), 0);
    await shot(rp, '31-register-errors');
  });

  await t.test('register with the register\'s data: the name checked without spaces; a mail with the link', async () => {
    const register = async (name, postal) => {
      await rp.fill('#f-email', me);
      await rp.fill('#f-institution_code', '0110112745');
      await rp.fill('#f-institution_name', name);
      await rp.fill('#f-postal_code', postal);
      await rp.fill('#f-password', firstPassword);
      await rp.fill('#f-password_again', firstPassword);
      await Promise.all([rp.waitForNavigation(), rp.click('button:has-text("登録する")')]);
    };
    await register('医療法人社団　慈藻会　平松記念病院（誤り）', '064-8536');
    assert.match(await rp.locator('#e-institution_name').innerText(), /登録簿と一致しません/);
    await rp.fill('#f-institution_name', '医療法人社団　慈藻会　平松記念病院');
    await rp.fill('#f-password', firstPassword);
    await rp.fill('#f-password_again', firstPassword);
    await Promise.all([rp.waitForNavigation(), rp.click('button:has-text("登録する")')]);
    assert.match(await rp.locator('h1').innerText(), /確認のメールを送りました/);
    await shot(rp, '32-register-sent');
    // Not verified yet: no login.
    await login(rp, me, firstPassword);
    assert.match(await rp.locator('#login-error').innerText(), /メールアドレスの確認が済んでいません/);
    // The same address again: refused next to the field.
    await rp.goto(`${base}/portal/register`);
    await register('医療法人社団 慈藻会 平松記念病院', '0648536');
    assert.match(await rp.locator('#e-email').innerText(), /登録済み/);
    const link = mailLink(me, /メールアドレスの確認/, '/portal/verify');
    await rp.goto(link);
    assert.match(await rp.locator('h1').innerText(), /メールアドレスを確認しました/);
    await shot(rp, '33-verified');
    const again = await rp.goto(link);
    assert.equal(again.status(), 400, 'the link works once');
  });

  await t.test('the registered account logs in and applies (approved at once: in the register)', async () => {
    await login(rp, me, firstPassword);
    assert.equal(new URL(rp.url()).pathname, '/portal/');
    await rp.goto(`${base}/portal/apply`);
    await fillClinicForm(rp, { facility: '0112745', name: '医療法人社団 慈藻会 平松記念病院', email: me,
      contact: '医事課', terminal: 'オンライン資格確認用端末' });
    await nextAndAcceptPopup(rp);
    await Promise.all([rp.waitForNavigation(), rp.click('button:text-is("申請")')]);
    requestId = await rp.locator('#done-request-id').innerText();
    assert.equal(await rp.locator('#done-state').innerText(), '発行済み');
  });

  await t.test('password reset: one mail, a single-use link, sessions ended, the new password works', async () => {
    const anon = await newPage();
    const ap = anon.page;
    await ap.goto(`${base}/portal/login`);
    await Promise.all([ap.waitForNavigation(), ap.click('#link-reset')]);
    await shot(ap, '34-reset-request');
    await ap.fill('#account_id', 'nobody@example.jp');
    await Promise.all([ap.waitForNavigation(), ap.click('button:has-text("リンクを送る")')]);
    const unknownAnswer = await ap.locator('#reset-sent').innerText();
    await ap.fill('#account_id', me);
    await Promise.all([ap.waitForNavigation(), ap.click('button:has-text("リンクを送る")')]);
    assert.equal(await ap.locator('#reset-sent').innerText(), unknownAnswer, 'the same answer: no account oracle');
    await shot(ap, '35-reset-sent');
    const link = mailLink(me, /パスワードの再設定/, '/portal/reset');
    await ap.goto(link);
    await ap.fill('#f-password', newPassword);
    await ap.fill('#f-password_again', `${newPassword}x`);
    await Promise.all([ap.waitForNavigation(), ap.click('button:has-text("パスワードを設定する")')]);
    assert.match(await ap.locator('#e-password_again').innerText(), /一致しません/);
    await shot(ap, '36-reset-form-error');
    await ap.fill('#f-password', newPassword);
    await ap.fill('#f-password_again', newPassword);
    await Promise.all([ap.waitForNavigation(), ap.click('button:has-text("パスワードを設定する")')]);
    assert.match(await ap.locator('h1').innerText(), /パスワードを設定しました/);
    assert.equal((await ap.goto(link)).status(), 400, 'single use');
    await rp.goto(`${base}/portal/`);
    assert.equal(new URL(rp.url()).pathname, '/portal/login', 'the old session ended');
    await login(rp, me, firstPassword);
    assert.match(await rp.locator('#login-error').innerText(), /正しくありません/);
    await login(rp, me, newPassword);
    assert.equal(new URL(rp.url()).pathname, '/portal/');
    await anon.context.close();
  });

  await t.test('the terminal revokes its own certificate on the mTLS page (Chromium with the .p12)', async () => {
    const pw = (claimsca(['admin', 'download-password', '--data', data, '--request-id', requestId])
      .match(/^password=(.+)$/m) || [])[1];
    const dl = await newPage({ acceptDownloads: true });
    await dl.page.goto(`${base}/download/`);
    await dl.page.fill('#request_id', requestId);
    await dl.page.fill('#password', pw);
    const [download] = await Promise.all([dl.page.waitForEvent('download'),
      dl.page.click('button:has-text("ダウンロード")')]);
    const p12 = path.join(work, 'terminal.p12');
    await download.saveAs(p12);
    await dl.context.close();
    const certPem = path.join(work, 'terminal.pem');
    execFileSync('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${pw}`, '-nokeys', '-clcerts', '-out', certPem]);
    const serial = execFileSync('openssl', ['x509', '-in', certPem, '-noout', '-serial'], { encoding: 'utf8' })
      .trim().split('=')[1].toLowerCase().replace(/^0+/, '');
    // On the plain listener there is no client certificate: the page says where to go.
    const plain = await newPage();
    const refused = await plain.page.goto(`${base}/terminal/`);
    assert.equal(refused.status(), 403);
    await plain.context.close();

    const certs = [{ origin: mtlsBase, pfxPath: p12, passphrase: pw }];
    const nojs = await newPage({ ignoreHTTPSErrors: true, clientCertificates: certs, javaScriptEnabled: false });
    const np = nojs.page;
    await np.goto(`${mtlsBase}/terminal/`);
    const table = await np.locator('#terminal-certificate').innerText();
    assert.match(table, new RegExp(requestId));
    assert.match(table, /平松記念病院/);
    assert.match(table, /オンライン資格確認用端末/);
    assert.match(table, /0110112745/);
    assert.equal((await np.locator('#terminal-certificate code').innerText()).replace(/^0+/, ''), serial);
    await shot(np, '37-terminal');
    await np.selectOption('#reason', '1');
    await Promise.all([np.waitForNavigation(), np.click('button:has-text("この電子証明書を失効する")')]);
    assert.match(await np.locator('.question').innerText(), /電子証明書の失効申請を行います。よろしいでしょうか？/);
    await shot(np, '38-terminal-confirm-nojs');
    await nojs.context.close();

    const term = await newPage({ ignoreHTTPSErrors: true, clientCertificates: certs });
    const tp = term.page;
    await tp.goto(`${mtlsBase}/terminal/`);
    // Without the token the form is refused.
    const forged = await term.context.request.post(`${mtlsBase}/terminal/revoke`,
      { form: { confirmed: '1', reason: '1' }, maxRedirects: 0 });
    assert.equal(forged.status(), 403);
    tp.once('dialog', (d) => d.dismiss());
    await tp.click('button:has-text("この電子証明書を失効する")');
    await tp.waitForTimeout(200);
    assert.equal(await tp.locator('#terminal-done').count(), 0, 'キャンセル leaves it');
    let message = '';
    await tp.selectOption('#reason', '1');
    tp.once('dialog', (d) => { message = d.message(); d.accept(); });
    await Promise.all([tp.waitForNavigation(), tp.click('button:has-text("この電子証明書を失効する")')]);
    assert.equal(message, '電子証明書の失効申請を行います。よろしいでしょうか？');
    assert.match(await tp.locator('#terminal-done').innerText(), /失効しました/);
    assert.match(await tp.locator('#terminal-certificate').innerText(), /失効済み/);
    await shot(tp, '39-terminal-revoked');
    await term.context.close();
    // At once in OCSP.
    const ocsp = execFileSync('openssl', ['ocsp', '-issuer', path.join(data, 'ca/issuing-1.pem'), '-cert', certPem,
      '-url', `${base}/ocsp`, '-CAfile', path.join(data, 'ca/root.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(ocsp, /: revoked/);
    assert.match(ocsp, /Reason: keyCompromise/);
    // The certificate no longer opens the terminal's pages: the listener accepts the
    // handshake and answers every request with 409 and the Japanese explanation
    // (docs/renewal-and-cmp.md), to curl and to Chromium alike.
    const keyPem = path.join(work, 'terminal.key');
    execFileSync('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${pw}`, '-nocerts', '-nodes', '-out', keyPem]);
    const refusedAnswer = execFileSync('curl', ['-sS', '-k', '--cert', certPem, '--key', keyPem, '-w', '\n%{http_code}',
      `${mtlsBase}/terminal/`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const status = refusedAnswer.slice(refusedAnswer.lastIndexOf('\n') + 1);
    assert.equal(status, '409', refusedAnswer);
    const refusal = JSON.parse(refusedAnswer.slice(0, refusedAnswer.lastIndexOf('\n')));
    assert.equal(refusal.error.code, 'revoked');
    assert.match(refusal.error.message, /失効しています/);
    const after = await newPage({ ignoreHTTPSErrors: true, clientCertificates: certs });
    const again = await after.page.goto(`${mtlsBase}/terminal/`);
    assert.equal(again.status(), 409);
    assert.match(await after.page.locator('body').innerText(), /"code": *"revoked"/);
    assert.equal(await after.page.locator('#terminal-certificate').count(), 0);
    await after.context.close();
    await rp.goto(`${base}/portal/applications`);
    assert.equal(await rp.locator(`tr[data-request-id="${requestId}"] td.state`).innerText(), '失効済み');
  });

  const opr = await newPage();
  const op = opr.page;
  await t.test('console: the audit trail of the application; register import with its errors and counts', async () => {
    await login(op, 'yamada', 'operator-password-1234');
    await op.goto(`${base}/console/applications/${requestId}`);
    const history = await op.locator('#history').innerText();
    assert.match(history, /申請の受付/);
    assert.match(history, /証明書の失効/);
    assert.match(history, /証明書を使う端末/);
    assert.match(history, /理由：秘密鍵の危殆化/);
    assert.doesNotMatch(history, /application\.|\{"|holder:/);
    await shot(op, '40-console-audit');
    await op.goto(`${base}/console/`);
    await Promise.all([op.waitForNavigation(), op.click('#link-register-import')]);
    assert.equal(new URL(op.url()).pathname, '/console/register');
    await shot(op, '41-console-register');
    const bad = path.join(work, 'bad.csv');
    fs.writeFileSync(bad, 'prefecture,score_table,institution_code,name,postal_code,address\n01,1,0112480,<script>alert(1)</script>,12,x\n');
    await op.setInputFiles('#file', bad);
    const r1 = await Promise.all([op.waitForNavigation(), op.click('button:has-text("取り込む")')]);
    assert.equal(r1[0].status(), 422);
    assert.match(await op.locator('#register-errors').innerText(), /line 2/);
    await shot(op, '42-console-register-errors');
    const forged = await opr.context.request.post(`${base}/console/register`,
      { multipart: { file: { name: 'r.csv', mimeType: 'text/csv', buffer: Buffer.from('x') } }, maxRedirects: 0 });
    assert.equal(forged.status(), 403, 'no CSRF token');
    const lines = fs.readFileSync(path.join(SRC, 'data/institutions-2025-08.csv'), 'utf8').split('\n');
    const good = path.join(work, 'good.csv');
    fs.writeFileSync(good, `${lines.slice(0, 4).join('\n')}\n`);
    await op.setInputFiles('#file', good);
    await Promise.all([op.waitForNavigation(), op.click('button:has-text("取り込む")')]);
    assert.match(await op.locator('#register-done').innerText(), /3 件を取り込みました（登録簿の版 2）/);
    await shot(op, '43-console-register-done');
  });

  await t.test('sessions end when idle and at the absolute limit; login tries per client address are limited', async () => {
    await opr.context.close();
    await reg.context.close();
    await stopServer();
    // The login tries of the earlier steps are counted in the database (shared by every node,
    // src/webstate), not in the process: a new minute for this address.
    execFileSync('sqlite3', [path.join(work, 'data', 'claimsca.db'), 'DELETE FROM rate_limits']);
    await startServer(['--set', 'portal.session_idle_seconds=2', '--set', 'portal.login_per_minute=3']);
    const s = await newPage();
    await login(s.page, 'yamada', 'operator-password-1234');
    assert.equal(new URL(s.page.url()).pathname, '/console/');
    await s.page.waitForTimeout(3500);
    await s.page.goto(`${base}/console/`);
    assert.equal(new URL(s.page.url()).pathname, '/portal/login', 'idle for longer than 2 s: logged out');
    await login(s.page, 'yamada', 'wrong-password-00001');
    await login(s.page, 'yamada', 'wrong-password-00002');
    await login(s.page, 'yamada', 'operator-password-1234'); // the fourth try in a minute
    assert.match(await s.page.locator('#login-error').innerText(), /短い時間にログインが続いたため/);
    await shot(s.page, '44-login-throttled');
    await s.context.close();
    // Use moves the idle end, but not past the absolute end.
    await stopServer();
    // (Instants are whole seconds: idle 4 s with a request every second or so.)
    await startServer(['--set', 'portal.session_idle_seconds=4', '--set', 'portal.session_max_seconds=9']);
    const a = await newPage();
    await login(a.page, 'yamada', 'operator-password-1234');
    const loggedInAt = Date.now();
    while (Date.now() - loggedInAt < 5000) {
      await a.page.waitForTimeout(1000);
      await a.page.goto(`${base}/console/`);
      if (Date.now() - loggedInAt < 7500) {
        assert.equal(new URL(a.page.url()).pathname, '/console/', 'in use, past the 4 s idle limit: still in');
      }
    }
    await a.page.waitForTimeout(Math.max(0, 9500 - (Date.now() - loggedInAt)));
    await a.page.goto(`${base}/console/`);
    assert.equal(new URL(a.page.url()).pathname, '/portal/login', 'past the absolute 9 s: logged out');
    await a.context.close();
  });

  assert.deepEqual(alerts, [], 'no hostile input ever ran');
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
