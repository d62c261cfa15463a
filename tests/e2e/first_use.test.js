// The first five minutes (issue 24 point 1, README "Quick start"): a fresh data directory,
// the commands `make run` runs (`claimsca init --demo --listen … --register data/…` then
// `claimsca serve --listen …` on a free port), the URLs and logins read from what they
// printed, and the README's five steps in Chromium: apply on the portal, review in the
// console, read the mail in the demo mailbox, download with the notice's password, and the
// help (お問い合わせ, guide links). Every link in the mail uses the public base URL, which
// follows --listen. Differences from `make run`: a free port for both listeners, and the
// scheduled jobs off (the day's notice batch would take the password to a PDF).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const lib = require('./lib');

const shot = (page, name) => lib.shot(page, `first-use-${name}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// What serve printed: the URL of each site and the demo logins.
function parseServe(out) {
  const url = (re) => (out.match(re) || [])[1];
  const login = (what) => {
    const m = out.match(new RegExp(`${what} login \\([^)]*\\) +account (\\S+) +password (\\S+)`));
    return m ? { id: m[1], password: m[2] } : null;
  };
  return {
    portal: url(/portal, console, download +(http:\/\/\S+\/portal\/)/),
    console: url(/portal, console, download +\S+ +(http:\/\/\S+\/console\/)/),
    download: url(/portal, console, download +\S+ +\S+ +(http:\/\/\S+\/download\/)/),
    mailbox: url(/demo mailbox \(sent mail\) +(http:\/\/\S+)/),
    operator: login('operator'),
    clinic: login('clinic'),
    clinicCode: (out.match(/code (\d{10})\)/) || [])[1],
  };
}

test('first use: make run, then the README five steps in a browser', async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsca-first-use-'));
  const data = path.join(work, 'var');
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const base = `http://${listen}`;
  const initOut = execFileSync(lib.BIN, ['init', '--data', data, '--demo', '--listen', listen,
    '--register', 'data/institutions-2025-08.csv'], { cwd: lib.SRC, encoding: 'utf8' });
  assert.match(initOut, /Imported the institution register .*: \d{5} institutions/);
  const toml = fs.readFileSync(path.join(data, 'claimsca.toml'), 'utf8');
  assert.match(toml, /public_url = ""/, 'the public URL follows the listener');

  const proc = spawn(lib.BIN, ['serve', '--data', data, '--listen', listen,
    '--set', 'server.mtls_listen=127.0.0.1:0', '--set', 'jobs.enabled=false'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30000);
    proc.stdout.on('data', (b) => {
      out += b.toString();
      if (out.includes('Press Ctrl-C')) { clearTimeout(timer); resolve(); }
    });
    proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  const printed = parseServe(out);
  t.diagnostic(out);
  assert.equal(printed.portal, `${base}/portal/`);
  assert.equal(printed.console, `${base}/console/`);
  assert.equal(printed.download, `${base}/download/`);
  assert.equal(printed.mailbox, `${base}/console/demo-mail`);
  assert.ok(printed.operator && printed.clinic && printed.clinicCode, `logins printed: ${out}`);
  assert.equal(printed.operator.id, 'demo-operator');

  const browser = await lib.launchChromium();
  let requestId;
  let password;
  try {
    const clinic = await lib.session(browser, base, printed.clinic.id, printed.clinic.password);
    const cp = clinic.page;
    const op = (await lib.session(browser, base, printed.operator.id, printed.operator.password)).page;

    await t.test('step 2: the clinic applies on the portal', async () => {
      await cp.goto(printed.portal);
      await shot(cp, '01-mypage');
      await cp.goto(`${base}/portal/apply`);
      const code = printed.clinicCode;
      await cp.selectOption('#f-category', '1');
      await cp.selectOption('#f-prefecture', code.slice(0, 2));
      await cp.selectOption('#f-score_table', code.slice(2, 3));
      await cp.fill('#f-facility_code', code.slice(3));
      const name = out.match(/clinic login \(portal\) .*\((.*), code \d{10}\)/)[1];
      await cp.fill('#f-institution_name', name);
      await cp.fill('#f-contact_name', '医事課 山田');
      await cp.fill('#f-phone', '03-1234-5678');
      await cp.fill('#f-email', 'iji@demo.example.jp');
      await cp.fill('#f-terminal_name', '受付PC1');
      await shot(cp, '02-apply');
      await Promise.all([cp.waitForNavigation(), cp.click('button:has-text("次へ")')]);
      const dialog = cp.locator('#preview-dialog');
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('button:has-text("OK")').click();
      await dialog.waitFor({ state: 'hidden' });
      await shot(cp, '03-confirm');
      await Promise.all([cp.waitForNavigation(), cp.click('button:text-is("申請")')]);
      requestId = await cp.locator('#done-request-id').innerText();
      assert.match(requestId, /^\d{14}$/);
      await shot(cp, '04-done');
    });

    await t.test('step 3: the operator reviews and approves in the console', async () => {
      await op.goto(printed.console);
      assert.ok((await op.content()).includes(requestId), 'the application waits in the console');
      await shot(op, '05-console');
      await op.goto(`${base}/console/applications/${requestId}`);
      await shot(op, '06-review');
      await lib.approveInConsole(op, (p) => shot(p, '06b-review-confirm'));
      await shot(op, '07-approved');
    });

    await t.test('step 4: the demo mailbox shows the mail, and the notice\'s password', async () => {
      await op.goto(printed.console);
      await Promise.all([op.waitForNavigation(), op.click('#nav-demo-mail')]);
      assert.equal(op.url(), printed.mailbox);
      const mails = await op.locator('article.mail h3').allInnerTexts();
      assert.ok(mails.some((s) => s.includes('申請情報受付通知')), mails.join(' / '));
      assert.ok(mails.some((s) => s.includes('発行完了通知')), mails.join(' / '));
      await shot(op, '08-mailbox');
      // Only operators: the clinic is refused.
      const refused = await cp.goto(printed.mailbox);
      assert.equal(refused.status(), 403);
      await Promise.all([op.waitForNavigation(), op.click(`#show-${requestId}`)]);
      password = await op.locator('#demo-password').innerText();
      assert.ok(password.length >= 12, password);
      await shot(op, '09-password');
    });

    await t.test('step 5: download on the download site', async () => {
      const dp = await (await browser.newContext({ locale: 'ja-JP', acceptDownloads: true })).newPage();
      await dp.goto(printed.download);
      await dp.fill('#request_id', requestId);
      await dp.fill('#password', password);
      await shot(dp, '10-download');
      const [download] = await Promise.all([dp.waitForEvent('download'),
        dp.click('button:has-text("ダウンロード")')]);
      const file = path.join(work, download.suggestedFilename());
      await download.saveAs(file);
      const info = execFileSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', `pass:${password}`],
        { encoding: 'utf8' });
      assert.match(info, /BEGIN CERTIFICATE/);
    });

    await t.test('help: お問い合わせ and the guide from the footer; errors link the contact', async () => {
      await cp.goto(printed.portal);
      await Promise.all([cp.waitForNavigation(), cp.click('#footer-contact')]);
      const contact = await cp.locator('#contact').innerText();
      assert.match(contact, /電話番号/);
      assert.match(contact, /0120-000-000/);
      await shot(cp, '11-contact');
      for (const [link, name] of [['#link-manual', '12-manual'], ['#link-cps', '13-cps']]) {
        await cp.goto(`${base}/portal/contact`);
        const [res] = await Promise.all([cp.waitForNavigation(), cp.click(link)]);
        assert.equal(res.status(), 200, link);
        await shot(cp, name);
      }
      // A page that says to contact the body links the contact page.
      const anon = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
      const res = await anon.goto(`${base}/terminal/`);
      if ((await anon.content()).includes('問い合わせ')) {
        assert.equal(await anon.locator('#contact-link a').getAttribute('href'), '/portal/contact');
        await shot(anon, '14-error-contact');
      } else {
        assert.ok(res.status() >= 400);
      }
    });

    await t.test('every link the mail wrote uses the public base URL', async () => {
      // A password reset request writes a mail with a link (the self-service pages).
      const anon = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
      await anon.goto(`${base}/portal/reset-request`);
      await anon.fill('#account_id', printed.clinic.id);
      await Promise.all([anon.waitForNavigation(), anon.click('button[type=submit]')]);
      await op.goto(printed.mailbox);
      const links = await op.locator('article.mail pre a').evaluateAll((as) => as.map((a) => a.href));
      assert.ok(links.length >= 1, 'a mail with a link');
      for (const href of links) assert.ok(href.startsWith(`${base}/`), `${href} is under ${base}`);
      const reset = links.find((h) => h.includes('/portal/reset?token='));
      assert.ok(reset, links.join(' '));
      const page = await anon.goto(reset);
      assert.equal(page.status(), 200);
      await shot(op, '15-mailbox-links');
    });
  } finally {
    await browser.close();
    await lib.stopProcess(proc);
  }
  lib.assertNoFindings(assert);
});
