#!/usr/bin/env node
// Opens report.html of recorded runs in Debian's chromium (headless, driven by puppeteer-core
// from node_modules: no browser download) from file:// with every request but the page itself
// blocked and counted, and asserts what a reader relies on: no network request, no console
// error, the verdict summary.json states, one waterfall per failing check's evidence trace and
// every evidence link landing on one, and (--stripe-critical) the slowest trace's
// `payments POST stripe` span marked on the critical path. Writes a full-page screenshot per
// report into OUT_DIR and prints (does not assert) each report's size and open time.
//
// usage: report_test.js --chromium PATH --out OUT_DIR [--stripe-critical] RESULTS_DIR...
// (--stripe-critical applies to the results folder right after it)
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

function parseArgs(argv) {
  const args = { chromium: '/usr/bin/chromium', out: null, reports: [] };
  let stripe = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--chromium') args.chromium = argv[++i];
    else if (argv[i] === '--out') args.out = argv[++i];
    else if (argv[i] === '--stripe-critical') stripe = true;
    else {
      args.reports.push({ dir: argv[i], stripe });
      stripe = false;
    }
  }
  if (!args.out || args.reports.length === 0) {
    console.error('usage: report_test.js --chromium PATH --out OUT_DIR [--stripe-critical] RESULTS_DIR...');
    process.exit(2);
  }
  return args;
}

// Distinct trace ids of every failing check's evidence, as summary.json lists them.
function failingEvidence(summary) {
  const ids = new Set();
  for (const c of summary.checks) if (c.status === 'fail') for (const id of c.evidence) ids.add(id);
  return [...ids];
}

// What the page shows, read in the page.
function inspect() {
  const evidenceLinks = [...document.querySelectorAll('table.checks a.evidence')].map((a) => ({
    href: a.getAttribute('href'),
    lands: !!document.getElementById(a.getAttribute('href').slice(1)),
  }));
  const figures = [...document.querySelectorAll('figure.waterfall')].map((f) => ({
    trace: f.getAttribute('data-trace'),
    caption: f.querySelector('figcaption').textContent,
    stripeCritical: [...f.querySelectorAll('g.span')]
      .filter((g) => /POST stripe/.test(g.querySelector('text.label').textContent))
      .map((g) => g.getAttribute('data-critical') === '1'),
  }));
  return {
    verdict: document.querySelector('#verdict .verdict').textContent.trim(),
    evidenceLinks,
    figures,
  };
}

async function checkReport(browser, report, out, failures) {
  const file = path.resolve(report.dir, 'report.html');
  const summary = JSON.parse(fs.readFileSync(path.join(report.dir, 'summary.json'), 'utf8'));
  const name = path.basename(path.resolve(report.dir));
  const fail = (what) => failures.push(`${name}: ${what}`);
  const page = await browser.newPage();
  const url = 'file://' + file;
  const blocked = [];
  const errors = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url() === url) return req.continue();
    blocked.push(req.url());
    return req.abort();
  });
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.setViewport({ width: 1366, height: 900 });
  const started = process.hrtime.bigint();
  await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  const openMs = Number(process.hrtime.bigint() - started) / 1e6;
  const seen = await page.evaluate(inspect);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  console.log(`${name}: report.html ${(fs.statSync(file).size / 1024).toFixed(0)} KB, opened in ` +
              `${openMs.toFixed(0)} ms, ${seen.figures.length} waterfalls, ${blocked.length} ` +
              `network requests, ${errors.length} console errors`);
  if (blocked.length) fail(`network requests: ${blocked.join(', ')}`);
  if (errors.length) fail(`console errors: ${errors.join(' | ')}`);
  const want = summary.verdict === 'pass' ? 'PASS' : 'FAIL';
  if (seen.verdict !== want) fail(`verdict shows '${seen.verdict}', summary.json says ${want}`);
  const evidence = failingEvidence(summary);
  if (summary.verdict === 'fail' && evidence.length === 0) fail('a failing run with no evidence to draw');
  for (const id of evidence) {
    const n = seen.figures.filter((f) => f.trace === id).length;
    if (n !== 1) fail(`evidence trace ${id}: ${n} waterfalls, want 1`);
  }
  for (const l of seen.evidenceLinks) if (!l.lands) fail(`evidence link ${l.href} lands nowhere`);
  if (seen.evidenceLinks.length < evidence.length)
    fail(`${seen.evidenceLinks.length} evidence links for ${evidence.length} evidence traces`);
  if (report.stripe) {
    const slowest = seen.figures.find((f) => /slowest trace 1 of/.test(f.caption));
    if (!slowest) fail('no waterfall captioned "slowest trace 1 of"');
    else if (slowest.stripeCritical.length !== 1 || !slowest.stripeCritical[0])
      fail(`slowest trace: POST stripe rows ${JSON.stringify(slowest.stripeCritical)}, want one on the critical path`);
  }
  await page.close();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(args.chromium)) {
    console.error(`FAIL: no chromium at '${args.chromium}': run scripts/bootstrap --test (make test does)`);
    process.exit(1);
  }
  fs.mkdirSync(args.out, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    pipe: true,  // the browser exits when this process does, however it ends
    userDataDir: fs.mkdtempSync(path.join(args.out, 'profile-')),
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-default-apps', '--disable-extensions'],
    timeout: 60000,
  });
  const failures = [];
  try {
    for (const report of args.reports) await checkReport(browser, report, args.out, failures);
  } finally {
    await browser.close();
  }
  for (const f of failures) console.error(`FAIL: ${f}`);
  console.log(`screenshots in ${args.out}`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error(`FAIL: ${e.stack || e}`); process.exit(1); });
