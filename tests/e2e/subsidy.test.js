// The 資格確認限定型 subsidy in a real browser (docs/qualcheck.md "Subsidy"; seed 004: 3/4 of
// the cost, at most 31,000 yen, applied for by 2025-01-15). Three clinics whose app use
// (申請区分 2) was approved apply on the portal: below the cap (41,333 yen → 30,999), at it
// (41,334 → 31,000, the floor of 3/4 reaching the cap exactly) and above it (55,000 →
// 31,000, 上限額を適用); staff approve one and the clinic sees 承認 with the amount; a
// fourth clinic tries after the deadline (the server restarted on 2025-01-16) and is told
// the date. The keyed form names each clinic's portal account with its password (注1).
// Screenshots go to $CLAIMSCA_E2E_OUT (subsidy-*.png).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const { BIN, SRC, OUT, claimsca } = lib;
// Published codes of data/ (北海道, 医科): prefecture 01, score table 1, facility code.
const CLINICS = [
  { code: '0110112489', facility: '0112489', name: '医療法人 愛全病院', login: 'aizen@example.jp' },
  { code: '0110112745', facility: '0112745', name: '医療法人社団 慈藻会 平松記念病院', login: 'hirama@example.jp' },
];

let work;
let data;
let server;
let base;
let browser;

const session = (id, password) => lib.session(browser, base, id, password);
const shot = (page, name) => lib.shot(page, `subsidy-${name}`);

// The app use of `c` keyed twice from its paper form and approved (the subsidy's condition).
function approveAppUse(c, n) {
  const form = path.join(work, `form-${n}.json`);
  fs.writeFileSync(form, JSON.stringify({
    kinds: '2', contact_name: '医事課', prefecture: c.code.slice(0, 2), score_table: c.code.slice(2, 3),
    facility_code: c.facility, name: c.name, founder_name: '開設 太郎', phone: '011-123-4567',
    email: c.login, staff_count: '3', devices: '2', password: 'clinicPassword1234', bank_last4: '1234',
  }));
  const ref = `P-${n}`;
  claimsca(['qualcheck', 'key', '--ref', ref, '--form', form, '--data', data, '--by', 'ito', '--at', '2024-11-05T10:00']);
  const keyed = claimsca(['qualcheck', 'key', '--ref', ref, '--form', form, '--data', data, '--by', 'sato',
    '--at', '2024-11-05T11:00']);
  fs.rmSync(form);
  const [id, state] = keyed.trim().split('\t');
  assert.equal(state, 'agreed', keyed);
  claimsca(['qualcheck', 'approve', id, '--data', data, '--by', 'suzuki', '--at', '2024-11-06T10:00']);
}

async function startServer(at) {
  const s = await lib.spawnServer(data, ['--at', at]);
  server = s.proc;
  base = s.base;
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN} (set CLAIMSCA_BINARY_DIR)`);
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-e2e-subsidy-'));
  data = path.join(work, 'data');
  claimsca(['init', '--data', data, '--demo', '--key-algorithm', 'ecp256', '--at', '2024-11-01T09:00']);
  claimsca(['admin', 'import-register', '--data', data, '--file', path.join(SRC, 'data/institutions-2025-08.csv')]);
  // Two more published clinics of the register, for "above the cap" and "after the deadline".
  const rows = fs.readFileSync(path.join(SRC, 'data/institutions-2025-08.csv'), 'utf8').split('\n');
  for (const line of rows.slice(3, 5)) {
    const [prefecture, table, facility, name] = line.split(',');
    CLINICS.push({ code: prefecture + table + facility, facility, name, login: `c${facility}@example.jp` });
  }
  const account = (id, kind, extra, pw) => claimsca(['admin', 'create-account', '--data', data, '--id', id,
    '--kind', kind, ...extra], `${pw}\n`);
  account('ito', 'operator', ['--role', 'reviewer'], 'reviewer-pw-first-1');
  account('sato', 'operator', ['--role', 'reviewer'], 'reviewer-pw-second-2');
  const bank = path.join(work, 'bank.csv');
  fs.writeFileSync(bank, `institution_code,last4\n${CLINICS.map((c) => `${c.code},1234`).join('\n')}\n`);
  claimsca(['qualcheck', 'bank-import', bank, '--data', data, '--by', 'suzuki', '--at', '2024-11-01T09:00']);
  CLINICS.forEach((c, i) => {
    account(c.login, 'institution', ['--code', c.code, '--name', c.name], 'clinicPassword1234');
    approveAppUse(c, i + 1);
  });
  await startServer('2025-01-10T10:00');
  browser = await lib.launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await lib.stopProcess(server);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Fills the receipt rows, asks for the amount, checks it, and applies.
async function applyOnPortal(c, receipts, expected, name) {
  const clinic = await session(c.login, 'clinicPassword1234');
  const { page } = clinic;
  await page.goto(`${base}/portal/subsidy`);
  for (let i = 0; i < receipts.length; i++) {
    const [kind, date, yen, vendor] = receipts[i];
    await page.selectOption(`#r${i + 1}_kind`, kind);
    await page.fill(`#r${i + 1}_date`, date);
    await page.fill(`#r${i + 1}_amount`, yen);
    await page.fill(`#r${i + 1}_vendor`, vendor);
  }
  await Promise.all([page.waitForNavigation(), page.click('#subsidy-preview')]);
  assert.equal(await page.textContent('#calc-eligible'), expected.eligible);
  assert.equal(await page.textContent('#calc-amount'), expected.amount);
  assert.equal(await page.isVisible('#calc-capped'), expected.capped, name);
  await shot(page, `${name}-preview`);
  await Promise.all([page.waitForNavigation(), page.click('#subsidy-submit')]);
  assert.match(await page.textContent('#done'), /補助金を申請しました/);
  assert.equal(await page.textContent('#subsidy-state'), '申請中');
  assert.equal(await page.textContent('#subsidy-amount'), expected.amount);
  assert.equal(await page.isVisible('#subsidy-form'), false); // one subsidy per institution
  await clinic.context.close();
}

test('subsidy: below, at and above the cap; approval; the state on the portal', async () => {
  await applyOnPortal(CLINICS[0], [['smartphone', '2024-11-10', '41333', 'ドコモショップ']],
    { eligible: '41,333円', amount: '30,999円', capped: false }, 'below');
  await applyOnPortal(CLINICS[1], [['card_reader', '2024-11-12', '41,334', '家電量販店']],
    { eligible: '41,334円', amount: '31,000円', capped: false }, 'at');
  await applyOnPortal(CLINICS[2], [['tablet', '2024-11-20', '30000', '家電量販店'],
    ['card_reader', '2024-11-21', '25000', '家電量販店']],
  { eligible: '55,000円', amount: '31,000円', capped: true }, 'above');

  // Staff approve the first: the amount is fixed, the clinic sees it.
  const ito = await session('ito', 'reviewer-pw-first-1');
  await ito.page.goto(`${base}/console/subsidy`);
  const list = await ito.page.textContent('#subsidies');
  for (const c of CLINICS.slice(0, 3)) assert.ok(list.includes(c.code), c.code);
  await Promise.all([ito.page.waitForNavigation(),
    ito.page.click(`#subsidies tr:has-text("${CLINICS[0].code}") a`)]);
  assert.equal(await ito.page.textContent('#detail-amount'), '30,999円');
  await Promise.all([ito.page.waitForNavigation(), ito.page.click('#subsidy-approve')]);
  assert.equal(await ito.page.textContent('#subsidy-state'), '承認');
  await shot(ito.page, 'approved');

  const clinic = await session(CLINICS[0].login, 'clinicPassword1234');
  await clinic.page.goto(`${base}/portal/subsidy`);
  assert.equal(await clinic.page.textContent('#subsidy-state'), '承認');
  assert.equal(await clinic.page.textContent('#subsidy-amount'), '30,999円');
});

test('subsidy: after the deadline the application is refused with the date', async () => {
  await lib.stopProcess(server);
  await startServer('2025-01-16T09:00');
  const c = CLINICS[3];
  const clinic = await session(c.login, 'clinicPassword1234');
  await clinic.page.goto(`${base}/portal/subsidy`);
  await clinic.page.selectOption('#r1_kind', 'smartphone');
  await clinic.page.fill('#r1_date', '2024-12-01');
  await clinic.page.fill('#r1_amount', '20000');
  await clinic.page.fill('#r1_vendor', 'ドコモショップ');
  await Promise.all([clinic.page.waitForNavigation(), clinic.page.click('#subsidy-preview')]);
  assert.match(await clinic.page.textContent('#subsidy-error'), /2025\/01\/15/);
  assert.equal(await clinic.page.isVisible('#subsidy-submit'), false);
  assert.equal(await clinic.page.isVisible('#subsidy-state'), false); // nothing was recorded
  await shot(clinic.page, 'after-deadline');
});

test('no screen had an accessibility violation (axe-core) or scrolled sideways at 360 px', () => {
  lib.assertNoFindings(assert);
});
