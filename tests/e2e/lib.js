// Shared by the browser tests (portal.test.js, billing.test.js): the binary, starting and
// stopping `claimsca serve` on free ports, Chromium, and the portal login.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

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

module.exports = { BIN, SRC, OUT, claimsca, spawnServer, stopProcess, launchChromium, login };
