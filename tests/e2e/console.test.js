// The operator console of issue 24 point 7 in a real browser (docs/portal.md "Console:
// review, notices and labels"): the register beside what the clinic typed (one application
// that matches, one that differs), approve and reject behind a confirmation step (and a POST
// without it refused, nothing changed), the history in Japanese, and the notices page: the
// day's batch, its PDF and mailing list, the tracking list (a good file and a bad row).
// Every screen: screenshot + axe-core (lib.shot), no raw JSON, no internal codes.
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

const shot = (page, name) => lib.shot(page, `console-${name}`);

// What the console must never show: stored JSON, or a code instead of its Japanese label.
const CODES = /\{"|\b(pending|issued|rejected|cancelled|revoked|manual_review|not_in_register|name_mismatch|printed|shipped|delivered|undeliverable|portal|network|operator:|account:|system:)\b|\b(application|notice|download|certificate)\.[a-z_]+/;

async function assertJapaneseOnly(page) {
  const text = await page.locator('main, body').first().innerText();
  const m = text.match(CODES);
  assert.equal(m, null, `an internal code on ${page.url()}: ${m && m[0]}`);
}

async function apiLogin(id, password) {
  const res = await fetch(`${base}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ account_id: id, password }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

// An application by the clinic's own account (the API), left for review (auto review off).
async function apply(token, facility, name, terminal) {
  const res = await fetch(`${base}/api/v1/applications`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ applicant_kind: 'institution', category: '1', prefecture: '01', score_table: '1',
      facility_code: facility, institution_name: name, contact_name: '医事課',
      phone: '011-123-4567', email: 'iji@example.jp', terminal_name: terminal }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(body.state, 'pending');
  return body.request_id;
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-console-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  const account = (id, kind, extra, pw) => claimsca(['admin', 'create-account', '--data', data, '--id', id,
    '--kind', kind, ...extra], `${pw}\n`);
  account('clinic@example.jp', 'institution', ['--code', '0110112489', '--name', '医療法人 愛全病院'], 'clinic-password-1234');
  account('hiramatsu@example.jp', 'institution', ['--code', '0110112745', '--name', '平松病院'], 'other-password-1234');
  account('sato', 'operator', ['--role', 'operator'], 'operator-password-1234');
  account('suzuki', 'operator', ['--role', 'reviewer'], 'reviewer-password-1234');
  const s = await lib.spawnServer(data, ['--set', 'ra.auto_review=false']);
  server = s.proc;
  base = s.base;
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the operator console: review, confirmation, history, notices', async (t) => {
  const clinic = await apiLogin('clinic@example.jp', 'clinic-password-1234');
  const other = await apiLogin('hiramatsu@example.jp', 'other-password-1234');
  const same = await apply(clinic, '0112489', '医療法人　愛全病院', '受付PC1'); // a full-width space: still the same name
  const differs = await apply(other, '0112745', '平松病院', '受付PC1');
  const rejected = await apply(clinic, '0112489', '医療法人 愛全病院', '受付PC2');
  const { page: op, context } = await lib.session(browser, base, 'sato', 'operator-password-1234');

  await t.test('the queue: states and hold reasons in Japanese', async () => {
    await op.goto(`${base}/console/`);
    const queue = await op.locator('#queue').innerText();
    assert.match(queue, /自動審査が止まっています/);
    await assertJapaneseOnly(op);
    await shot(op, '01-queue');
  });

  await t.test('review: the register beside what the clinic typed, one matching', async () => {
    await op.goto(`${base}/console/applications/${same}`);
    const compare = await op.locator('#register-compare').innerText();
    assert.match(compare, /申請の内容は登録簿と一致しています/);
    assert.match(compare, /✓ 一致/);
    assert.doesNotMatch(compare, /相違あり/);
    assert.match(await op.locator('#register-address').innerText(), /〒005-0813 札幌市南区川沿１３条２丁目１番３８号/);
    assert.match(await op.locator('#detail').innerText(), /申請経路\s+(ポータル|API連携（システム）)/);
    await assertJapaneseOnly(op);
    await shot(op, '02-review-same');
  });

  await t.test('review: one differing, marked by a sign and words', async () => {
    await op.goto(`${base}/console/applications/${differs}`);
    const compare = await op.locator('#register-compare').innerText();
    assert.match(compare, /登録簿と異なる項目が 1 つあります/);
    const row = op.locator('#register-compare tr.differs');
    assert.equal(await row.count(), 1);
    const cells = await row.innerText();
    assert.match(cells, /名称/);
    assert.match(cells, /平松病院/);
    assert.match(cells, /医療法人社団 慈藻会 平松記念病院/);
    assert.match(cells, /⚠ 相違あり/);
    await assertJapaneseOnly(op);
    await shot(op, '03-review-differs');
  });

  await t.test('approve without the confirmation: refused, nothing changed', async () => {
    await Promise.all([op.waitForNavigation(), op.click('#form-approve button')]);
    assert.match(await op.locator('h1').innerText(), /承認の確認/);
    assert.match(await op.locator('#register-compare').innerText(), /⚠ 相違あり/);
    await shot(op, '04-approve-confirm-differs');
    // As a browser without the required check (or a script posting the form) would.
    await op.evaluate(() => document.getElementById('confirmed').removeAttribute('required'));
    const [res] = await Promise.all([op.waitForNavigation(), op.click('#confirm-submit')]);
    assert.equal(res.status(), 422);
    assert.match(await op.locator('#confirm-error').innerText(), /まだ承認していません/);
    await assertJapaneseOnly(op);
    await shot(op, '05-approve-refused');
    await op.goto(`${base}/console/applications/${differs}`);
    assert.match(await op.locator('#detail').innerText(), /発行承認待ち/);
  });

  await t.test('approve with the confirmation', async () => {
    await op.goto(`${base}/console/applications/${same}`);
    await lib.approveInConsole(op, async (p) => {
      assert.match(await p.locator('#confirm-question').innerText(), /承認し、電子証明書を発行します/);
      await shot(p, '06-approve-confirm');
    });
    assert.match(await op.locator('#done-message').innerText(), /承認し、証明書を発行しました/);
    assert.match(await op.locator('#detail').innerText(), /発行済み/);
    await shot(op, '07-approved');
  });

  await t.test('reject: a reason is required, then confirmed, then stored', async () => {
    await op.goto(`${base}/console/applications/${rejected}`);
    const [empty] = await Promise.all([op.waitForNavigation(), op.click('#form-reject button')]);
    assert.equal(empty.status(), 422);
    assert.match(await op.locator('#reason-error').innerText(), /棄却の理由を入力してください/);
    await shot(op, '08-reject-no-reason');
    await op.fill('#reason', '同じ端末の申請が二重になっています');
    await Promise.all([op.waitForNavigation(), op.click('#form-reject button')]);
    assert.match(await op.locator('h1').innerText(), /棄却の確認/);
    assert.equal(await op.locator('#confirm-reason').innerText(), '同じ端末の申請が二重になっています');
    await shot(op, '09-reject-confirm');
    await op.check('#confirmed');
    await Promise.all([op.waitForURL(/done=reject/), op.click('#confirm-submit')]);
    const detail = await op.locator('#detail').innerText();
    assert.match(detail, /発行申請棄却/);
    assert.match(detail, /同じ端末の申請が二重になっています/);
    await shot(op, '10-rejected');
  });

  await t.test('history: a table of Japanese rows, no codes, no JSON', async () => {
    await op.goto(`${base}/console/applications/${same}`);
    const history = await op.locator('#history').innerText();
    assert.match(history, /申請の受付/);
    assert.match(history, /申請の経路：(ポータル|API連携（システム）)/);
    assert.match(history, /保留の理由：自動審査が止まっています/);
    assert.match(history, /承認・証明書の発行/);
    assert.match(history, /運用者 sato/);
    assert.match(history, /申請者 clinic@example\.jp/);
    await assertJapaneseOnly(op);
    await shot(op, '11-history');
    await op.goto(`${base}/console/applications/${rejected}`);
    assert.match(await op.locator('#history').innerText(), /棄却[\s\S]*理由：同じ端末の申請が二重になっています/);
    await assertJapaneseOnly(op);
  });

  let requestInBatch;
  await t.test('notices: the day\'s batch from the console, its PDF and mailing list', async () => {
    await op.goto(`${base}/console/`);
    await Promise.all([op.waitForNavigation(), op.click('#link-notices')]);
    assert.match(await op.locator('#notices-waiting').innerText(), /1 件/);
    assert.match(await op.locator('#no-batches').innerText(), /まだ印刷していません/);
    await shot(op, '12-notices');
    await op.evaluate(() => document.getElementById('print-confirmed').removeAttribute('required'));
    const [refused] = await Promise.all([op.waitForNavigation(), op.click('#print-button')]);
    assert.equal(refused.status(), 422);
    assert.match(await op.locator('#print-error').innerText(), /まだ印刷していません/);
    assert.match(await op.locator('#notices-waiting').innerText(), /1 件/);
    await shot(op, '13-print-refused');
    await op.check('#print-confirmed');
    await Promise.all([op.waitForURL(/done=print/), op.click('#print-button')]);
    assert.match(await op.locator('#notices-done').innerText(), /1 件のファイル/);
    assert.match(await op.locator('#notices-waiting').innerText(), /0 件/);
    const row = op.locator('#batches tbody tr');
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /運用者 sato/);
    await assertJapaneseOnly(op);
    await shot(op, '14-printed');
    const [pdf] = await Promise.all([op.waitForEvent('download'), op.click('a.batch-pdf')]);
    assert.match(pdf.suggestedFilename(), /^notices-\d{8}T\d{6}(-\d{8})?\.pdf$/);
    assert.equal(fs.readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
    const [csv] = await Promise.all([op.waitForEvent('download'), op.click('a.batch-csv')]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const list = fs.readFileSync(await csv.path(), 'utf8');
    assert.ok(list.includes(same), list);
    requestInBatch = same;
  });

  await t.test('notices: the tracking list, a bad row refuses the whole file', async () => {
    const bad = path.join(work, 'tracking-bad.csv');
    fs.writeFileSync(bad, `request_id,tracking_number,status,date\n${requestInBatch},TRK-0001,発送済み,2026/12/08\n${differs},TRK-0002,配達中,2026/12/40\n`);
    await op.setInputFiles('#tracking-file', bad);
    const [res] = await Promise.all([op.waitForNavigation(), op.click('#tracking-button')]);
    assert.equal(res.status(), 422);
    assert.match(await op.locator('#tracking-error').innerText(), /1行も取り込みませんでした/);
    const errors = await op.locator('#tracking-errors').innerText();
    assert.match(errors, /3 行目　状況：「発送済み」「お届け済み」「不達」のいずれかを書いてください/);
    assert.match(errors, /3 行目　日付：日付（YYYY-MM-DD または YYYY\/MM\/DD）ではありません/);
    assert.match(await op.locator('#batches tbody tr').innerText(), /\t1\t0\t0\t0\t/);
    await assertJapaneseOnly(op);
    await shot(op, '15-tracking-refused');

    const unknown = path.join(work, 'tracking-unknown.csv');
    fs.writeFileSync(unknown, `request_id,tracking_number,status,date\n${differs},TRK-0002,発送済み,2026-12-08\n`);
    await op.setInputFiles('#tracking-file', unknown);
    await Promise.all([op.waitForNavigation(), op.click('#tracking-button')]);
    assert.match(await op.locator('#tracking-errors').innerText(),
      new RegExp(`2 行目　リクエストID ${differs}：このリクエストIDの印刷済みの発行通知書はありません`));
    await shot(op, '16-tracking-not-printed');

    const good = path.join(work, 'tracking.csv');
    fs.writeFileSync(good, `request_id,tracking_number,status,date\n${requestInBatch},TRK-0001,発送済み,2026/12/08\n`);
    await op.setInputFiles('#tracking-file', good);
    await Promise.all([op.waitForURL(/done=tracking/), op.click('#tracking-button')]);
    assert.match(await op.locator('#notices-done').innerText(), /1 行/);
    assert.match(await op.locator('#batches tbody tr').innerText(), /\t1\t0\t1\t0\t0\t/);
    await assertJapaneseOnly(op);
    await shot(op, '17-tracking-imported');
    await op.goto(`${base}/console/applications/${requestInBatch}`);
    await assertJapaneseOnly(op);
  });

  await t.test('a reviewer reads the notices page but cannot print or download', async () => {
    const { page: rv, context: rc } = await lib.session(browser, base, 'suzuki', 'reviewer-password-1234');
    await rv.goto(`${base}/console/notices`);
    assert.equal(await rv.locator('#form-print').count(), 0);
    assert.equal(await rv.locator('a.batch-pdf').count(), 0);
    await shot(rv, '18-notices-reviewer');
    const res = await rv.goto(`${base}/console/notices/batches/1.pdf`);
    assert.equal(res.status(), 403);
    await rc.close();
  });

  await context.close();
});

test('no accessibility findings on any console screen', () => {
  lib.assertNoFindings(assert);
});
