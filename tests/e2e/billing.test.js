// Billing in a real browser (docs/portal.md "請求明細" and "Console: billing"; docs/billing.md
// section "web"): two clinics paying by deduction, time moved by restarting the server with
// --at. Clinic A's deduction fails twice, so the run of the month after the retry sends it a
// fallback invoice; clinic B's is deducted. The operator does everything in the console: runs
// the months, imports the payment system's result files and the bank's 全銀協 file (a partial
// payment goes to the queue), and, after the due date and the grace, revokes A's unpaid
// certificate after one confirmation. Clinic A follows on its 請求明細 (請求予定 → 控除不能 →
// 請求書送付済み → 未納), downloads its invoice (a PDF with its invoice number), and finds its
// certificate revoked. Screenshots go to $CLAIMSCA_E2E_OUT (billing-*.png).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { BIN, SRC, OUT, claimsca } = lib;
const A = '0110112489'; // 医療法人 愛全病院: the account of this test
const B = '0110112745'; // 平松記念病院: no account, seen by the operator only

let work;
let data;
let server;
let base;
let browser;
let token;

async function serveAt(at) {
  await lib.stopProcess(server);
  const s = await lib.spawnServer(data, ['--at', at]);
  server = s.proc;
  base = s.base;
}

const session = (id, password) => lib.session(browser, base, id, password);
const shot = (page, name) => lib.shot(page, `billing-${name}`);

// Submits an application for `code` with the operator API token (auto-reviewed: issued).
async function apply(code, facility, name, terminal) {
  const res = await fetch(`${base}/api/v1/applications`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      applicant_kind: 'institution', category: '1', prefecture: '01', score_table: '1',
      facility_code: facility, institution_name: name, contact_name: '医事課', phone: '011-123-4567',
      email: `${code}@example.jp`, terminal_name: terminal,
    }),
  });
  const body = await res.json();
  assert.equal(body.state, 'issued', JSON.stringify(body));
  return body.request_id;
}

// The deduction request file of a run month ("YYYYMM"): bill number per institution code.
function deductionBills(month) {
  const dir = path.join(data, 'billing', `${month.slice(0, 4)}-${month.slice(4)}`);
  const text = fs.readFileSync(path.join(dir, `deduction-request-${month}.csv`), 'latin1');
  const bills = {};
  for (const m of text.matchAll(/^2,(\d{10}),".*",(\d{6}),\d+,(\d+),(\d{10})\r$/gm)) {
    bills[m[1]] = { month: m[2], amount: Number(m[3]), number: m[4] };
  }
  return bills;
}

// The payment system's result file: deducted (0) or not (1) per bill.
function resultFile(name, month, rows) {
  let text = '';
  let sum = 0;
  for (const [code, bill, outcome] of rows) {
    text += `2,${code},${month},${bill.number},${outcome},${bill.amount}\r\n`;
    sum += bill.amount;
  }
  text += `8,${rows.length},${sum}\r\n`;
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

// A 全銀協 振込入金通知 file (docs/billing.md "payments"), 200-byte records with CR LF, one
// transfer; dates in 令和 YYMMDD.
function zenginFile(name, date, amount, payer) {
  const wareki = (iso) => `${String(Number(iso.slice(0, 4)) - 2018).padStart(2, '0')}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const c = (s, n) => s.padEnd(n, ' ').slice(0, n);
  const n = (v, w) => String(v).padStart(w, '0');
  const d = wareki(date);
  const records = [
    `101${'0'}${d}${d}${d}0005${c('TEST BANK', 15)}001${c('HONTEN', 15)}11234567${c('CA', 40)}${c('', 93)}`,
    `2${n(1, 6)}${d}${d}${n(amount, 10)}${n(0, 10)}0000000000${c(payer, 48)}${c('MIZUHO', 15)}${c('TOKYO', 15)} ${c('', 20)}${c('', 52)}`,
    `8${n(1, 6)}${n(amount, 12)}${n(0, 6)}${n(0, 12)}${c('', 163)}`,
    `9${c('', 199)}`,
  ];
  for (const r of records) assert.equal(r.length, 200);
  const file = path.join(work, name);
  fs.writeFileSync(file, records.map((r) => `${r}\r\n`).join(''));
  return file;
}

// The row of the clinic's only charge on 請求明細.
async function chargeRow(page) {
  await page.goto(`${base}/portal/billing`);
  const row = page.locator('#charges tbody tr');
  assert.equal(await row.count(), 1);
  return row;
}

async function consoleAction(page, formId, fill) {
  await page.goto(`${base}/console/billing`);
  await fill(page);
  await Promise.all([page.waitForNavigation(), page.click(`#${formId} button[type=submit]`)]);
  const status = await page.locator('#billing-done, #billing-error').innerText();
  const lines = await page.locator('main').innerText();
  assert.match(status, /完了しました/, lines);
  return lines;
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-billing-'));
  data = path.join(work, 'data');
  const out = claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2026-11-01T09:00']);
  token = (out.match(/^Operator API token.*: (\S+)$/m) || [])[1];
  assert.ok(token, out);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  const account = (id, kind, extra, pw) => claimsca(['admin', 'create-account', '--data', data, '--id', id,
    '--kind', kind, ...extra], `${pw}\n`);
  account('clinic@example.jp', 'institution', ['--code', A, '--name', '医療法人 愛全病院'], 'clinic-password-1234');
  account('other@example.jp', 'institution', ['--code', B, '--name', '平松記念病院'], 'other-password-1234');
  account('yamada', 'operator', ['--role', 'operator'], 'operator-password-1234');
  account('suzuki', 'operator', ['--role', 'reviewer'], 'reviewer-password-1234');
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('billing: statement, runs, imports, invoice PDF and revocation for non-payment', async (t) => {
  let requestA;
  let invoice;

  await t.test('2026-11-16: both clinics get a certificate; A sees the charge as 請求予定', async () => {
    await serveAt('2026-11-16T10:00');
    requestA = await apply(A, '0112489', '医療法人 愛全病院', '受付PC');
    await apply(B, '0112745', '医療法人社団 慈藻会 平松記念病院', '会計PC');
    const clinic = await session('clinic@example.jp', 'clinic-password-1234');
    await clinic.page.click('#link-billing');
    assert.equal(new URL(clinic.page.url()).pathname, '/portal/billing');
    const row = await chargeRow(clinic.page);
    assert.equal(await row.getAttribute('data-request-id'), requestA);
    const text = await row.innerText();
    assert.match(text, /2026\/11\/16/);
    assert.match(text, /2,292円/);
    assert.match(text, /2027年1月分/);
    assert.match(text, /診療（調剤）報酬からの控除/);
    assert.match(text, /請求予定/);
    assert.match(await clinic.page.locator('#no-invoices').innerText(), /払込請求書はありません/);
    await shot(clinic.page, '01-statement-scheduled');
    // Another institution's code is not found (never forbidden).
    const other = await clinic.page.goto(`${base}/portal/billing?code=${B}`);
    assert.equal(other.status(), 404);
    await clinic.context.close();
  });

  await t.test('2027-01-12: the operator runs January; A is not deducted, B is', async () => {
    await serveAt('2027-01-12T10:00');
    const reviewer = await session('suzuki', 'reviewer-password-1234');
    await reviewer.page.goto(`${base}/console/billing`);
    assert.equal(await reviewer.page.locator('#form-run').count(), 0, 'a reviewer only reads');
    const refused = await reviewer.page.request.post(`${base}/console/billing/run`, { form: { month: '2027-01', csrf: 'x' } });
    assert.equal(refused.status(), 403);
    await reviewer.context.close();

    const op = await session('yamada', 'operator-password-1234');
    await op.page.click('#link-billing');
    assert.match(await op.page.locator('#no-runs').innerText(), /まだ月次請求は実行されていません/);
    await shot(op.page, '02-console-empty');
    const done = await consoleAction(op.page, 'form-run', (p) => p.fill('#run-month', '2027-01'));
    assert.match(done, /deduction_bills=2/);
    const bills = deductionBills('202701');
    assert.equal(bills[A].amount, 2292);
    assert.equal(bills[B].amount, 2292);
    await op.page.goto(`${base}/console/billing`);
    const run = await op.page.locator('#runs tr[data-month="2027-01"]').innerText();
    const sha = execFileSync('sha256sum', [path.join(data, 'billing/2027-01/deduction-request-202701.csv')], { encoding: 'utf8' }).slice(0, 64);
    assert.match(run, new RegExp(sha), 'the file and its SHA-256');
    assert.match(run, /完了/);

    const file = resultFile('result-202701.csv', '202701', [[A, bills[A], 1], [B, bills[B], 0]]);
    const imported = await consoleAction(op.page, 'form-deduction', (p) => p.setInputFiles('#deduction-file', file));
    assert.match(imported, /deducted=1 not_deducted=1/);
    await op.page.goto(`${base}/console/billing`);
    const fileSha = execFileSync('sha256sum', [file], { encoding: 'utf8' }).slice(0, 64);
    assert.match(await op.page.locator('#imports').innerText(), new RegExp(fileSha));
    await shot(op.page, '03-console-january');
    // The monthly accounting report: CSV, UTF-8 with a BOM (Excel), one row per category.
    await op.page.fill('#report-month', '2027-01');
    const [report] = await Promise.all([op.page.waitForEvent('download'), op.page.click('#report-button')]);
    const csvPath = path.join(work, 'report.csv');
    await report.saveAs(csvPath);
    const csv = fs.readFileSync(csvPath);
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(csv.toString('utf8'), /合計/);
    await op.context.close();

    const clinic = await session('clinic@example.jp', 'clinic-password-1234');
    const text = await (await chargeRow(clinic.page)).innerText();
    assert.match(text, /控除不能・翌月再控除/);
    assert.match(text, new RegExp(bills[A].number));
    await shot(clinic.page, '04-statement-not-deducted');
    await clinic.context.close();
  });

  await t.test('2027-02-10: the retry fails too; 2027-03-10: A gets a fallback invoice and downloads it', async () => {
    await serveAt('2027-02-10T10:00');
    let op = await session('yamada', 'operator-password-1234');
    await consoleAction(op.page, 'form-run', (p) => p.fill('#run-month', '2027-02'));
    const bills = deductionBills('202702');
    assert.deepEqual(Object.keys(bills), [A]);
    const file = resultFile('result-202702.csv', '202702', [[A, bills[A], 1]]);
    assert.match(await consoleAction(op.page, 'form-deduction', (p) => p.setInputFiles('#deduction-file', file)),
      /not_deducted=1/);
    await op.context.close();

    await serveAt('2027-03-10T10:00');
    op = await session('yamada', 'operator-password-1234');
    const done = await consoleAction(op.page, 'form-run', (p) => p.fill('#run-month', '2027-03'));
    assert.match(done, /fallback_invoices=1/);
    await op.context.close();

    const clinic = await session('clinic@example.jp', 'clinic-password-1234');
    await clinic.page.goto(`${base}/portal/billing`);
    const inv = clinic.page.locator('#invoices tbody tr');
    assert.equal(await inv.count(), 1);
    invoice = await inv.getAttribute('data-invoice');
    assert.match(invoice, /^2703\d{6}$/);
    const text = await inv.innerText();
    assert.match(text, /2,292円/);
    assert.match(text, /2027\/03\/10/);
    assert.match(text, /2027\/04\/30/);
    assert.match(text, /請求書送付済み/);
    assert.match(await (await chargeRow(clinic.page)).innerText(), /請求書送付済み/);
    await clinic.page.goto(`${base}/portal/billing`);
    await shot(clinic.page, '05-statement-invoiced');
    const [download] = await Promise.all([
      clinic.page.waitForEvent('download'),
      inv.locator('a').click(),
    ]);
    const pdf = path.join(work, 'invoice.pdf');
    await download.saveAs(pdf);
    assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
    const words = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    assert.match(words, new RegExp(invoice));
    assert.match(words, /振込手数料はご負担願います/);
    // Another institution's invoice, or a made-up number: not found.
    const other = await session('other@example.jp', 'other-password-1234');
    const res = await other.page.request.get(`${base}/portal/billing/invoices/${invoice}.pdf`);
    assert.equal(res.status(), 404);
    await other.context.close();
    await clinic.context.close();
  });

  await t.test('2027-03-12: a partial payment goes to the operator queue', async () => {
    await serveAt('2027-03-12T10:00');
    const op = await session('yamada', 'operator-password-1234');
    const file = zenginFile('payments.zengin', '2027-03-12', 1000, `${invoice} AIZEN`);
    const done = await consoleAction(op.page, 'form-payments', (p) => p.setInputFiles('#payments-file', file));
    assert.match(done, /queued=1/);
    await op.page.goto(`${base}/console/billing`);
    const queue = await op.page.locator('#queue').innerText();
    assert.match(queue, /1,000円/);
    assert.match(queue, /金額不足/);
    assert.match(queue, new RegExp(invoice));
    assert.match(await op.page.locator('#no-unpaid').innerText(), /未納の払込請求書はありません/);
    await shot(op.page, '06-console-queue');
    await op.context.close();
  });

  await t.test('2027-05-17: unpaid after due date and grace; revoked after one confirmation', async () => {
    await serveAt('2027-05-17T10:00');
    const clinic = await session('clinic@example.jp', 'clinic-password-1234');
    assert.match(await (await chargeRow(clinic.page)).innerText(), /未納/);
    await clinic.context.close();

    const op = await session('yamada', 'operator-password-1234');
    await op.page.goto(`${base}/console/billing`);
    const row = op.page.locator(`#unpaid tr[data-invoice="${invoice}"]`);
    assert.match(await row.innerText(), /2,292円/);
    await shot(op.page, '07-console-unpaid');
    await Promise.all([op.page.waitForNavigation(), row.locator('button.revoke-unpaid').click()]);
    assert.equal(await op.page.locator('#confirm-number').innerText(), invoice);
    await shot(op.page, '08-console-confirm');
    // Nothing is revoked by the first step.
    const revoked = claimsca(['admin', 'applications', '--data', data, '--state', 'revoked']);
    assert.ok(!revoked.includes(requestA), revoked);
    await Promise.all([op.page.waitForNavigation(), op.page.click('#confirm-revoke')]);
    const done = await op.page.locator('main').innerText();
    assert.match(done, /完了しました/, done);
    assert.match(done, new RegExp(`revoked ${requestA}`));
    await shot(op.page, '09-console-revoked');
    await op.context.close();

    const after = await session('clinic@example.jp', 'clinic-password-1234');
    await after.page.goto(`${base}/portal/billing`);
    const inv = await after.page.locator(`#invoices tr[data-invoice="${invoice}"]`).innerText();
    assert.match(inv, /未納/);
    assert.match(inv, /証明書を失効しました/);
    await shot(after.page, '10-statement-unpaid-revoked');
    await after.page.goto(`${base}/portal/applications`);
    assert.match(await after.page.locator(`tr[data-request-id="${requestA}"]`).innerText(), /失効/);
    await after.context.close();
  });
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
