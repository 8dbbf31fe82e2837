// ui.mjs — the dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), against a real `vigil serve` that ui.sh started with real images indexed
// and real feeds loaded. Prints "ok ..." / "FAIL ..." lines and exits 1 on any failure.
//
//   node ui.mjs main   — overview counts == the API's, sort and filter, an image's findings ==
//                        `vigil scan`'s JSON, the three report downloads, a vulnerability page,
//                        the notifications page, keyboard use, screenshots at 1280 and 375 px.
//   node ui.mjs auth   — a PSK server: the token form, a rejected token, a good one kept in
//                        sessionStorage and sent as a Bearer header.
//   node ui.mjs bench  — overview load time until the list has rendered (bench/ui.sh).
//
// Environment: VIGIL_URL (server base URL), ARTIFACTS (directory for screenshots and
// downloads), EXPECT (a JSON file ui.sh wrote: the API's images, the scan findings, hashes),
// TOKEN and BAD_TOKEN (auth mode), RUNS (bench mode).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const mode = process.argv[2] || 'main';
const base = process.env.VIGIL_URL;
const artifacts = process.env.ARTIFACTS || '.';
fs.mkdirSync(artifacts, { recursive: true });
let fails = 0;
const ok = (m) => console.log('ok   ' + m);
const bad = (m) => { console.log('FAIL ' + m); fails++; };
const check = (m, cond) => (cond ? ok(m) : bad(m));
const eqSet = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

// Every console error, page error, failed request and HTTP error answer is a failure, except
// those the caller expects (allow(url, status)).
function watch(page, allow) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !(allow && allow(m.text(), 0))) problems.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => {
    // A download's request is handed to the download manager: not a failure.
    if (r.failure() && /ERR_ABORTED/.test(r.failure().errorText) && /\/report\//.test(r.url())) return;
    problems.push('request failed: ' + r.url() + ' ' + (r.failure() && r.failure().errorText));
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !(allow && allow(r.url(), r.status()))) problems.push('HTTP ' + r.status() + ': ' + r.url());
  });
  return problems;
}

async function shot(page, name) {
  const file = path.join(artifacts, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function rowsOf(page, sel) {
  return page.$$eval(sel + ' tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
}

async function noHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

async function mainMode() {
  const exp = JSON.parse(fs.readFileSync(process.env.EXPECT, 'utf8'));
  const apiImages = exp.images; // every page of /dashboard/api/v1/images
  const byHash = Object.fromEntries(apiImages.map((i) => [i.hash, i]));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const problems = watch(page);

  // ---- overview ----
  const resp = await page.goto(base + '/ui');
  check('/ui redirects to /ui/ and the page loads', resp.ok() && page.url() === base + '/ui/');
  await page.waitForSelector('#images[data-complete="true"]');
  const rows = await rowsOf(page, '#images');
  check(`overview lists every image (${rows.length} == API ${apiImages.length})`, rows.length === apiImages.length && apiImages.length >= 3);
  const cellsOk = await page.$$eval('#images tbody tr', (trs) => trs.map((tr) => ({
    hash: tr.dataset.hash,
    fixable: +tr.querySelector('.c-fixable').textContent,
    unfixed: +tr.querySelector('.c-unfixed').textContent,
    total: +tr.querySelector('.c-total').textContent,
    bar: tr.querySelector('svg.bar').getAttribute('aria-label'),
  })));
  const mismatch = cellsOk.filter((c) => {
    const a = byHash[c.hash];
    if (!a) return true;
    const label = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'].filter((s) => a.severity[s]).map((s) => s + ' ' + a.severity[s]).join(', ') || 'no findings';
    return a.fixable !== c.fixable || a.unfixed !== c.unfixed || a.total !== c.total || label !== c.bar;
  });
  check('every row\'s fixable, unfixed, total and severity bar == the API\'s', mismatch.length === 0);
  if (mismatch.length) console.log('  mismatched: ' + JSON.stringify(mismatch));
  const card = async (id) => +(await page.textContent(`#${id} .n`));
  const vulnerable = apiImages.filter((i) => i.total > 0).length;
  check(`totals: images ${apiImages.length}, vulnerable ${vulnerable}`,
    (await card('t-images')) === apiImages.length && (await card('t-vulnerable')) === vulnerable && vulnerable >= 1);
  check('totals: findings and images with a fix == the API\'s',
    (await card('t-findings')) === apiImages.reduce((a, i) => a + i.total, 0) &&
    (await card('t-fixable')) === apiImages.filter((i) => i.fixable > 0).length);
  check('totals: critical and high findings == the API\'s',
    (await card('t-critical')) === apiImages.reduce((a, i) => a + i.severity.Critical, 0) &&
    (await card('t-high')) === apiImages.reduce((a, i) => a + i.severity.High, 0));
  await page.waitForSelector('#history-slot[data-complete="true"]');
  const histPoints = await page.$$eval('#history circle', (c) => c.length);
  check(`history chart: one point per recorded generation (${histPoints})`, histPoints >= 1 && histPoints === exp.history_points);
  check('repository names shown', (await page.textContent('#images')).includes(exp.alpine_name));
  await shot(page, 'overview-desktop');

  // ---- sort and filter ----
  await page.selectOption('#f-sort', 'total');
  let totals = (await rowsOf(page, '#images')).map((r) => +r.total);
  check('sort by most findings: totals non-increasing', totals.every((t, i) => i === 0 || totals[i - 1] >= t));
  await page.selectOption('#f-sort', 'name');
  const labels = await page.$$eval('#images tbody tr th a', (as) => as.map((a) => a.textContent));
  check('sort by repository name: labels in order', labels.every((l, i) => i === 0 || labels[i - 1].localeCompare(l) <= 0));
  await page.selectOption('#f-sort', 'severity');
  await page.fill('#f-name', 'alpine');
  let shown = await rowsOf(page, '#images');
  check('filter by repository name "alpine": only the alpine image', shown.length === 1 && shown[0].hash === exp.alpine_hash);
  await page.fill('#f-name', '');
  await page.check('#f-fixable');
  shown = await rowsOf(page, '#images');
  check(`filter "has fixable": ${shown.length} == API's`, eqSet(shown.map((r) => r.hash), apiImages.filter((i) => i.fixable > 0).map((i) => i.hash)));
  await page.uncheck('#f-fixable');
  for (const sev of ['Critical', 'High', 'Medium']) {
    await page.selectOption('#f-sev', sev);
    shown = await rowsOf(page, '#images');
    const rank = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'];
    const want = apiImages.filter((i) => rank.slice(rank.indexOf(sev)).some((s) => i.severity[s] > 0)).map((i) => i.hash);
    check(`filter severity "${sev} or worse": ${shown.length} == API's ${want.length}`, eqSet(shown.map((r) => r.hash), want));
  }
  await page.selectOption('#f-sev', '');
  check('shown count line', /Showing \d+ of \d+ images/.test(await page.textContent('#shown')));

  // ---- keyboard: the skip link comes first and is visible when focused ----
  await page.reload();
  await page.waitForSelector('#images[data-complete="true"]');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ id: document.activeElement.id, left: document.activeElement.getBoundingClientRect().left, outline: getComputedStyle(document.activeElement).outlineStyle }));
  check('keyboard: Tab reaches the skip link first, shown with a focus outline', first.id === 'skip' && first.left >= 0 && first.outline !== 'none');
  // Reach the alpine image link by keyboard and open it with Enter.
  await page.fill('#f-name', 'alpine');
  await page.focus('#f-name');
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.tagName === 'A' && document.activeElement.getAttribute('href').startsWith('#/image/'));
  }
  check('keyboard: Tab from the filter reaches the image link', reached);
  await page.keyboard.press('Enter');

  // ---- the image page ----
  await page.waitForSelector('body[data-view="image"]');
  check('image page opened by keyboard is the alpine image', (await page.textContent('#digest')) === exp.alpine_hash);
  const findings = await rowsOf(page, '#findings');
  const got = findings.map((f) => [f.package, f.version, f.vuln, f.fixed].join('\t'));
  check(`image findings == vigil scan's JSON (${got.length} == ${exp.scan_alpine.length})`, got.length > 0 && eqSet(got, exp.scan_alpine));
  check('distribution shown', (await page.textContent('#distribution')).includes('alpine'));
  const layerRows = await page.$$eval('#layers tbody tr', (t) => t.length);
  check(`layers with digests listed (${layerRows})`, layerRows >= 1 && /sha256:[0-9a-f]{64}/.test(await page.textContent('#layers')));
  const dist = await page.$$eval('#sevdist li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.sev, +li.textContent.trim().split(/\s+/).pop()])));
  const a = byHash[exp.alpine_hash];
  check('image severity distribution == the API\'s counts', Object.entries(a.severity).every(([s, n]) => dist[s] === n));
  await page.selectOption('#ff-fix', 'fixable');
  let frows = await rowsOf(page, '#findings');
  check(`findings filter "fix available": ${frows.length} rows, all with a fixed version`, frows.length === a.fixable && frows.every((r) => r.fixed));
  await page.selectOption('#ff-fix', 'unfixed');
  frows = await rowsOf(page, '#findings');
  check(`findings filter "no fix": ${frows.length} rows`, frows.length === a.unfixed && frows.every((r) => !r.fixed));
  await page.selectOption('#ff-fix', '');
  await page.click('#findings th button[data-sort="pkg"]');
  frows = await rowsOf(page, '#findings');
  check('findings sort by package: ascending, aria-sort set',
    frows.every((r, i) => i === 0 || frows[i - 1].package.localeCompare(r.package) <= 0) &&
    (await page.getAttribute('#findings th:has(button[data-sort="pkg"])', 'aria-sort')) === 'ascending');
  await page.click('#findings th button[data-sort="pkg"]');
  frows = await rowsOf(page, '#findings');
  check('findings sort by package again: descending', frows.every((r, i) => i === 0 || frows[i - 1].package.localeCompare(r.package) >= 0));
  await page.click('#findings th button[data-sort="severity"]');
  frows = await rowsOf(page, '#findings');
  const rank = { Critical: 5, High: 4, Medium: 3, Low: 2, Negligible: 1, Unknown: 0 };
  check('findings sort by severity: most severe first', frows.every((r, i) => i === 0 || rank[frows[i - 1].severity] >= rank[r.severity]));
  await page.fill('#ff-pkg', frows[0].package);
  const pf = await rowsOf(page, '#findings');
  check('findings filter by package', pf.length >= 1 && pf.every((r) => r.package.includes(frows[0].package)));
  await page.fill('#ff-pkg', '');
  await shot(page, 'image-desktop');

  // ---- downloads ----
  for (const [fmt, test] of [
    ['json', (j) => j.manifest_hash === exp.alpine_hash && Object.keys(j.vulnerabilities).length > 0],
    ['sarif', (j) => j.version === '2.1.0' && j.runs[0].results.length > 0],
    ['cyclonedx', (j) => j.bomFormat === 'CycloneDX' && j.vulnerabilities.length > 0],
  ]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-' + fmt)]);
    const file = path.join(artifacts, 'report-' + dl.suggestedFilename());
    await dl.saveAs(file);
    let j = null;
    try { j = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { /* checked below */ }
    check(`download ${fmt}: ${path.basename(file)} parses and holds the findings`, j && test(j));
  }

  // ---- a vulnerability page, from a finding's link ----
  const vid = frows[0].vuln;
  await page.click(`#findings a[href="#/vuln/${encodeURIComponent(vid)}"]`);
  await page.waitForSelector('body[data-view="vuln"]');
  check(`vulnerability page for ${vid}`, (await page.textContent('h1')) === vid);
  const aff = await rowsOf(page, '#affected');
  check('its affected images include the alpine image', aff.some((r) => r.hash === exp.alpine_hash));
  const adv = await page.$$eval('section.advisory', (s) => s.length);
  check(`its advisories shown with severity and description (${adv})`, adv >= 1 && (await page.$$eval('section.advisory .sev', (x) => x.length)) >= 1);
  await shot(page, 'vuln-desktop');
  // A vulnerability with a CVSS vector.
  if (exp.cvss_vuln) {
    await page.goto(base + '/ui/#/vuln/' + encodeURIComponent(exp.cvss_vuln));
    await page.waitForSelector('body[data-view="vuln"]');
    check(`CVSS shown for ${exp.cvss_vuln}`, /CVSS:3\.\d\//.test(await page.textContent('.cvss')));
  }

  // ---- notifications ----
  await page.click('nav a[data-nav="notifications"]');
  await page.waitForSelector('body[data-view="notifications"]');
  check('notifications page renders', (await page.textContent('h1')) === 'Notifications');
  check('notifications nav link is marked current', (await page.getAttribute('nav a[data-nav="notifications"]', 'aria-current')) === 'page');
  const setRows = await page.$$eval('#sets tr[data-set]', (rs) => rs.map((r) => r.dataset.set));
  check(`notifications page lists the update's set (${setRows.join(',')})`, setRows.length === 1 && setRows[0] === exp.set_id);
  await page.click(`#sets tr[data-set="${exp.set_id}"] button`);
  await page.waitForSelector(`#sets a[href="#/image/${exp.alpine_hash}"]`);
  const setText = await page.textContent(`#sets tr[data-set="${exp.set_id}"] + tr`);
  check('the set opens to its notifications: the alpine image, added, nothing else',
    setText.includes('added') && !/null|undefined/.test(setText));
  await shot(page, 'notifications-desktop');

  // ---- mobile width ----
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(base + '/ui/#/');
  await page.waitForSelector('#images[data-complete="true"]');
  check('375 px overview: no horizontal page scroll', await noHorizontalScroll(page));
  await shot(page, 'overview-mobile');
  await page.goto(base + '/ui/#/image/' + exp.alpine_hash);
  await page.waitForSelector('body[data-view="image"]');
  check('375 px image page: no horizontal page scroll', await noHorizontalScroll(page));
  await shot(page, 'image-mobile');

  // ---- an unknown image: an error page, not a crash (its 404 is expected) ----
  const p2 = await ctx.newPage();
  const problems2 = watch(p2, (u, st) => st === 404 || /404/.test(u));
  await p2.goto(base + '/ui/#/image/sha256:' + '0'.repeat(64));
  await p2.waitForSelector('body[data-view="error"]');
  check('unknown image: an error page saying not found', /not found/.test(await p2.textContent('#error')));
  check('no problem on the error page other than its 404', problems2.length === 0);

  check(`no console error, page error, failed request or HTTP error (${problems.length})`, problems.length === 0);
  for (const p of problems) console.log('  ' + p);
}

async function authMode() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  let rejected = 0;
  const problems = watch(page, (u, st) => {
    // The one rejected token: its 401 (and the console line Chromium prints for it).
    if (st === 401 || /401/.test(u)) { rejected++; return true; }
    return false;
  });
  const authSeen = [];
  page.on('request', (r) => {
    if (r.url().includes('/dashboard/api/v1/images')) authSeen.push(r.headers()['authorization'] || '');
  });
  await page.goto(base + '/ui/');
  await page.waitForSelector('#login');
  check('auth: the dashboard asks for a token first', await page.isVisible('#token'));
  check('auth: no data request before a token', authSeen.length === 0);
  await shot(page, 'login-desktop');
  await page.fill('#token', process.env.BAD_TOKEN);
  await page.click('#login button[type="submit"]');
  await page.waitForSelector('#login .alert');
  check('auth: a rejected token brings the form back with a message', /not accept/.test(await page.textContent('#login .alert')));
  check('auth: a rejected token is not kept', (await page.evaluate(() => sessionStorage.getItem('vigil.token'))) === null);
  await page.fill('#token', process.env.TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#images[data-complete="true"]');
  check('auth: with the token the overview renders', (await rowsOf(page, '#images')).length >= 1);
  check('auth: the token is kept in sessionStorage', (await page.evaluate(() => sessionStorage.getItem('vigil.token'))) === process.env.TOKEN);
  check('auth: requests carry it as a Bearer header', authSeen.length >= 2 && authSeen[authSeen.length - 1] === 'Bearer ' + process.env.TOKEN);
  await page.reload();
  await page.waitForSelector('#images[data-complete="true"]');
  check('auth: after a reload the token is not asked for again', !(await page.isVisible('#login')));
  await page.click('#signout');
  await page.waitForSelector('#login');
  check('auth: "Forget token" clears it', (await page.evaluate(() => sessionStorage.getItem('vigil.token'))) === null);
  const fresh = await browser.newContext();
  const p3 = await fresh.newPage();
  const problems3 = watch(p3);
  await p3.goto(base + '/ui/');
  await p3.waitForSelector('#login');
  check('auth: a new session asks again (sessionStorage is per tab)', await p3.isVisible('#token'));
  check(`auth: only the rejected token's 401 (${rejected}), nothing else failed`, rejected >= 1 && problems.length === 0 && problems3.length === 0);
  for (const p of problems.concat(problems3)) console.log('  ' + p);
}

// Overview load time until the list has rendered: `runs` fresh pages (no browser cache).
async function benchMode() {
  const runs = +(process.env.RUNS || 5);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const problems = watch(page);
    const t0 = Date.now();
    await page.goto(base + '/ui/', { waitUntil: 'commit' });
    await page.waitForSelector('#images[data-complete="true"]', { timeout: 600000 });
    const wall = Date.now() - t0;
    const mark = await page.evaluate(() => performance.getEntriesByName('vigil-overview-rendered')[0].startTime);
    const rows = await page.$$eval('#images tbody tr', (t) => t.length);
    times.push({ wall, mark: Math.round(mark), rows });
    if (problems.length) bad('bench run had problems: ' + problems.join('; '));
    await ctx.close();
  }
  console.log(JSON.stringify(times));
}

try {
  if (mode === 'main') await mainMode();
  else if (mode === 'auth') await authMode();
  else if (mode === 'bench') await benchMode();
  else bad('unknown mode ' + mode);
} catch (e) {
  bad('exception: ' + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(fails ? 1 : 0);
