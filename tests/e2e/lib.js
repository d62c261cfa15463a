// Shared by the browser tests (tests/e2e/*.test.js): the binary, starting and stopping
// `claimsca serve` on free ports, Chromium, the portal login, and shot(): every screen a test
// looks at is saved as a screenshot, checked at phone width, and run through axe-core.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');

const BIN = path.join(process.env.CLAIMSCA_BINARY_DIR || '', 'claimsca');
const SRC = process.env.CLAIMSCA_SOURCE_DIR || path.resolve(__dirname, '../..');
const OUT = process.env.CLAIMSCA_E2E_OUT || path.join(os.tmpdir(), 'claimsca-e2e-shots');

function claimsca(args, input) {
  return execFileSync(BIN, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

// Starts `claimsca serve --data DATA` on free loopback ports with the scheduled jobs off
// (extra args appended); resolves to { proc, base, out } once it is listening.
async function spawnServer(data, extra) {
  const proc = spawn(BIN, ['serve', '--data', data, '--listen', '127.0.0.1:0',
    '--set', 'server.mtls_listen=127.0.0.1:0', '--set', 'network.allowed_ranges=127.0.0.1/32',
    // No scheduled jobs: the day's notice batch would take the passwords the tests read.
    '--set', 'jobs.enabled=false', ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (b) => { err = (err + b.toString()).slice(-20000); });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}\n${err}`)), 20000);
    proc.stdout.on('data', (b) => {
      out += b.toString();
      const m = out.match(/CA certificates, thumbprints (http:\/\/[^/\s]+)\/ca\//);
      if (m && out.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return { proc, base, out };
}

async function stopProcess(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-gpu', '--no-first-run', '--disable-quic'],
  });
}

async function login(page, base, id, password) {
  await page.goto(`${base}/portal/login`);
  await page.fill('#account_id', id);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("ログイン")')]);
}

// Approves the application on its console detail page (already open): 承認して発行, then the
// confirmation page's required check box and 承認して発行する (docs/portal.md "Console:
// review"). `onConfirm(page)` runs on the confirmation page (a screenshot, assertions).
async function approveInConsole(page, onConfirm) {
  await Promise.all([page.waitForNavigation(), page.click('#form-approve button')]);
  if (onConfirm) await onConfirm(page);
  await page.check('#confirmed');
  await Promise.all([page.waitForURL(/done=approve/), page.click('#confirm-submit')]);
}

// A fresh browser context (Japanese locale, downloads allowed) logged in to the portal.
async function session(browser, base, id, password) {
  const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  await login(page, base, id, password);
  return { context, page };
}

// What shot() found on the screens so far: axe-core violations of any impact, and screens
// that scroll sideways at phone width (360 px). Each test file asserts both stay empty.
const findings = { axe: [], phoneOverflow: [] };

// True when the page's own scripts run (a context made with javaScriptEnabled: false says no).
function scriptsRun(page) {
  return page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__claimscaScriptsRun = true;';
    document.head.appendChild(s);
    s.remove();
    return window.__claimscaScriptsRun === true;
  });
}

// axe-core results for the page's current state. axe-core runs as a script in the page, so a
// page shown without JavaScript is checked as a copy: the same HTML at the same URL (its
// scripts removed, as the user without JavaScript has them) in a context where axe can run.
async function axe(page) {
  if (await scriptsRun(page)) return new AxeBuilder({ page }).analyze();
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const url = page.url();
  const context = await page.context().browser().newContext({ locale: 'ja-JP', ignoreHTTPSErrors: true });
  try {
    const copy = await context.newPage();
    await copy.route(url, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
    await copy.goto(url);
    return await new AxeBuilder({ page: copy }).analyze();
  } finally {
    await context.close();
  }
}

// Saves the screen as <name>.png (and <name>-phone.png at 360 px unless { phone: false }),
// and records the axe-core violations (WCAG 2.1 A/AA and best practices) of this state.
async function shot(page, name, { phone = true } = {}) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  const results = await axe(page);
  for (const v of results.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
    findings.axe.push(`${name}: ${v.id} (${v.impact}) ${v.help} at ${where}`);
  }
  const desktop = page.viewportSize();
  if (!phone || !desktop || desktop.width <= 360) return;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: path.join(OUT, `${name}-phone.png`), fullPage: true });
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client) findings.phoneOverflow.push(`${name}: ${scroll} > ${client}`);
  await page.setViewportSize(desktop);
}

// The last test of each file: no screen had an accessibility violation or sideways scroll.
function assertNoFindings(assert) {
  assert.deepStrictEqual(findings.axe, [], 'axe-core violations');
  assert.deepStrictEqual(findings.phoneOverflow, [], 'screens wider than a 360 px phone');
}

module.exports = { BIN, SRC, OUT, claimsca, spawnServer, stopProcess, launchChromium, login,
  session, shot, assertNoFindings, findings, approveInConsole };
