// app.js — the vigil dashboard (src/api/ui/): a hash-routed single page over the server's own
// JSON API — /dashboard/api/v1/* (src/api/dashboard.c) and the Clair routes. Pages: #/ (every
// image, sortable and filterable, totals and the vulnerable-image history), #/image/<digest>,
// #/vuln/<id>, #/notifications. When the server has auth, a token is asked for once, kept in
// sessionStorage and sent as a Bearer header. No framework, no inline script; every server
// string goes into the page as text (textContent), never as markup.
'use strict';

(function () {
  const SEVS = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
  const SEV_RANK = { Critical: 5, High: 4, Medium: 3, Low: 2, Negligible: 1, Unknown: 0 };
  const TOKEN_KEY = 'vigil.token';
  const PAGE = 500;
  const base = location.pathname.replace(/\/ui\/.*$/, '').replace(/\/ui$/, '');
  const view = document.getElementById('view');
  const status = document.getElementById('status');
  let config = { auth: false, version: '' };
  let renderSeq = 0;
  // The overview's controls survive navigating to an image and back.
  const overviewState = { q: '', sev: '', fixable: false, sort: 'severity' };

  // ---- DOM helpers ------------------------------------------------------------------------

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') el.textContent = v;
      else el.setAttribute(k, String(v));
    }
    for (const kid of kids.flat()) if (kid) el.append(kid);
    return el;
  }

  function tableWrap(label, table) {
    return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' }, table);
  }

  function shortDigest(d) {
    const i = d.indexOf(':');
    return i >= 0 ? d.slice(0, i + 1) + d.slice(i + 1, i + 13) : d;
  }

  function when(iso) {
    if (!iso) return h('span', { class: 'muted' }, '—');
    return h('time', { datetime: iso, title: iso }, iso.replace('T', ' ').replace(/:\d\dZ$/, ' UTC'));
  }

  function sevBadge(sev) {
    const s = SEVS.includes(sev) ? sev : 'Unknown';
    return h('span', { class: 'sev sev-' + s }, s);
  }

  function imageLabel(img) {
    return img.names && img.names.length ? img.names[0] : shortDigest(img.hash);
  }

  function setStatus(msg, isError) {
    status.replaceChildren();
    if (!msg) return;
    status.append(h('p', { class: isError ? 'alert' : 'muted', role: isError ? 'alert' : null }, msg));
  }

  function setTitle(t) {
    document.title = t + ' · vigil dashboard';
  }

  // After a navigation inside the page, focus goes to the new view's heading (screen readers
  // announce it); on the first load it stays at the top of the document.
  let navigated = false;
  function focusHeading() {
    const h1 = view.querySelector('h1');
    if (!navigated) return;
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: false });
    }
  }

  // ---- the API ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function authHeaders() {
    const t = sessionStorage.getItem(TOKEN_KEY);
    return t ? { Authorization: 'Bearer ' + t } : {};
  }

  async function request(path) {
    const r = await fetch(base + path, { headers: authHeaders(), cache: 'no-store' });
    if (r.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('The server did not accept the token. Enter a valid one.');
      throw new ApiError(401, 'unauthorized', 'unauthorized');
    }
    return r;
  }

  async function api(path) {
    const r = await request(path);
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      throw new ApiError(r.status, 'bad-response', path + ': the server did not answer JSON');
    }
    if (r.status !== 200) {
      throw new ApiError(r.status, body && body.code, (body && body.message) || 'HTTP ' + r.status);
    }
    return body;
  }

  async function allImages(onPage) {
    let after = '';
    const all = [];
    let generation = 0;
    for (;;) {
      const q = '/dashboard/api/v1/images?limit=' + PAGE + (after ? '&after=' + encodeURIComponent(after) : '');
      const page = await api(q);
      generation = page.generation;
      all.push(...page.images);
      if (onPage) onPage(all);
      if (!page.next) break;
      after = page.next;
    }
    return { images: all, generation };
  }

  // ---- severity bars --------------------------------------------------------------------------

  // A stacked bar of counts by severity; its width is `total / scale` of the cell.
  function sevBar(counts, scale) {
    const total = SEVS.reduce((a, s) => a + (counts[s] || 0), 0);
    const parts = SEVS.filter((s) => counts[s]).map((s) => s + ' ' + counts[s]);
    const el = svg('svg', {
      class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img',
      'aria-label': total ? parts.join(', ') : 'no findings', focusable: 'false',
    });
    el.append(svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'fill-none' }));
    let x = 0;
    const width = scale > 0 ? 100 * total / scale : 0;
    for (const s of SEVS) {
      const n = counts[s] || 0;
      if (!n) continue;
      const w = Math.max(width * n / total, 0.8);
      el.append(svg('rect', { x: x.toFixed(2), y: 0, width: w.toFixed(2), height: 10, class: 'fill-' + s },
        svg('title', { text: s + ': ' + n })));
      x += w;
    }
    return el;
  }

  function sevCounts(counts) {
    const parts = SEVS.filter((s) => counts[s]).map((s) => s[0] + ' ' + counts[s]);
    return h('span', { class: 'sevcounts', 'aria-hidden': 'true' }, parts.join(' · ') || 'none');
  }

  // ---- the history chart -----------------------------------------------------------------------

  function historyChart(points) {
    const wrap = h('figure', { class: 'chart', id: 'history' });
    const caption = h('figcaption', {}, 'Vulnerable images across update operations');
    if (!points.length) {
      wrap.append(caption, h('p', { class: 'muted' }, 'No update operation has been recorded yet.'));
      return wrap;
    }
    const W = 640, H = 180, L = 40, R = 12, T = 12, B = 28;
    const maxY = Math.max(1, ...points.map((p) => (p.summary && p.summary.images) || 0));
    const n = points.length;
    const xs = (i) => (n === 1 ? L + (W - L - R) / 2 : L + (i * (W - L - R)) / (n - 1));
    const ys = (v) => T + (H - T - B) * (1 - v / maxY);
    const desc = points.map((p) => (p.date || '') + ': ' + ((p.summary && p.summary.vulnerable) || 0) +
      ' of ' + ((p.summary && p.summary.images) || 0)).join('; ');
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'history-title history-desc' },
      svg('title', { id: 'history-title', text: 'Vulnerable images per update operation' }),
      svg('desc', { id: 'history-desc', text: desc }));
    s.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
    s.append(svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    s.append(svg('text', { x: L - 6, y: ys(maxY) + 4, 'text-anchor': 'end', text: String(maxY) }));
    s.append(svg('text', { x: L - 6, y: H - B + 4, 'text-anchor': 'end', text: '0' }));
    const pathOf = (key) => points.map((p, i) => (i ? 'L' : 'M') + xs(i).toFixed(1) + ' ' +
      ys((p.summary && p.summary[key]) || 0).toFixed(1)).join(' ');
    s.append(svg('path', { class: 'line-t', d: pathOf('images') }));
    s.append(svg('path', { class: 'line-v', d: pathOf('vulnerable') }));
    points.forEach((p, i) => {
      const v = (p.summary && p.summary.vulnerable) || 0;
      s.append(svg('circle', { class: 'dot', cx: xs(i).toFixed(1), cy: ys(v).toFixed(1), r: 3.5 },
        svg('title', { text: (p.date || '') + ': ' + v + ' vulnerable' })));
    });
    const first = points[0].date || '', last = points[n - 1].date || '';
    s.append(svg('text', { x: L, y: H - 8, text: first.slice(0, 10) }));
    if (n > 1) s.append(svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end', text: last.slice(0, 10) }));
    const legend = h('ul', { class: 'legend' },
      h('li', {}, h('span', { class: 'swatch v', 'aria-hidden': 'true' }), 'vulnerable images'),
      h('li', {}, h('span', { class: 'swatch t', 'aria-hidden': 'true' }), 'all images (dashed)'));
    // The same numbers as a table, for screen readers and for copying.
    const rows = points.map((p) => h('tr', {},
      h('th', { scope: 'row' }, p.date || '—'),
      h('td', { class: 'num' }, String((p.summary && p.summary.images) || 0)),
      h('td', { class: 'num' }, String((p.summary && p.summary.vulnerable) || 0)),
      h('td', { class: 'num' }, String((p.summary && p.summary.fixable) || 0))));
    const details = h('details', {}, h('summary', {}, 'History as a table'),
      tableWrap('History', h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Update operation (date)'),
          h('th', { scope: 'col', class: 'num' }, 'Images'), h('th', { scope: 'col', class: 'num' }, 'Vulnerable'),
          h('th', { scope: 'col', class: 'num' }, 'With a fix'))),
        h('tbody', {}, rows))));
    wrap.append(caption, s, legend, details);
    return wrap;
  }

  // ---- overview ----------------------------------------------------------------------------------

  function worst(img) {
    for (const s of SEVS) if (img.severity[s]) return s;
    return null;
  }

  const SORTS = {
    severity: { label: 'Most severe first', cmp: (a, b) => SEVS.reduce((r, s) => r || (b.severity[s] - a.severity[s]), 0) || imageLabel(a).localeCompare(imageLabel(b)) },
    total: { label: 'Most findings', cmp: (a, b) => b.total - a.total || imageLabel(a).localeCompare(imageLabel(b)) },
    fixable: { label: 'Most fixable', cmp: (a, b) => b.fixable - a.fixable || imageLabel(a).localeCompare(imageLabel(b)) },
    name: { label: 'Repository name', cmp: (a, b) => imageLabel(a).localeCompare(imageLabel(b)) || a.hash.localeCompare(b.hash) },
    indexed: { label: 'Last indexed', cmp: (a, b) => (b.indexed || '').localeCompare(a.indexed || '') || a.hash.localeCompare(b.hash) },
  };

  function filterImages(images, st) {
    const q = st.q.trim().toLowerCase();
    const min = st.sev ? SEV_RANK[st.sev] : -1;
    return images.filter((img) => {
      if (q && !(img.names.some((n) => n.toLowerCase().includes(q)) || img.hash.includes(q))) return false;
      if (st.fixable && !img.fixable) return false;
      if (min >= 0 && !SEVS.some((s) => SEV_RANK[s] >= min && img.severity[s] > 0)) return false;
      return true;
    });
  }

  async function renderOverview(seq) {
    setTitle('Overview');
    const head = h('h1', {}, 'Images');
    const cards = h('ul', { class: 'cards', id: 'totals', 'aria-label': 'Totals' });
    const chartSlot = h('div', { id: 'history-slot' });
    const listSlot = h('div', {});
    view.replaceChildren(head, cards, h('h2', { id: 'history-h' }, 'History'), chartSlot,
      h('h2', { id: 'list-h' }, 'Every indexed image'), listSlot);
    focusHeading();
    const pageStatus = h('p', { class: 'muted', id: 'loading' }, 'Loading images…');
    listSlot.replaceChildren(pageStatus);
    const { images, generation } = await allImages((sofar) => {
      pageStatus.textContent = 'Loading images… ' + sofar.length;
    });
    if (seq !== renderSeq) return;

    const vulnerable = images.filter((i) => i.total > 0).length;
    const withFix = images.filter((i) => i.fixable > 0).length;
    const findings = images.reduce((a, i) => a + i.total, 0);
    const card = (id, n, l) => h('li', { class: 'card', id }, h('span', { class: 'n' }, String(n)), h('span', { class: 'l' }, l));
    cards.replaceChildren(
      card('t-images', images.length, 'images indexed'),
      card('t-vulnerable', vulnerable, 'vulnerable images'),
      card('t-fixable', withFix, 'images with a fix available'),
      card('t-findings', findings, 'findings in all'),
      ...SEVS.slice(0, 4).map((s) => card('t-' + s.toLowerCase(), images.reduce((a, i) => a + i.severity[s], 0), s + ' findings')));
    if (generation === 0) {
      setStatus('No vulnerability data has loaded yet: counts are empty until the first update operation.', false);
    }


    // Controls.
    const st = overviewState;
    const q = h('input', { type: 'search', id: 'f-name', value: st.q, placeholder: 'e.g. alpine', autocomplete: 'off' });
    const sev = h('select', { id: 'f-sev' }, h('option', { value: '' }, 'Any'),
      SEVS.map((s) => h('option', { value: s, selected: st.sev === s }, s + (s === 'Unknown' ? '' : ' or worse'))));
    const fix = h('input', { type: 'checkbox', id: 'f-fixable', checked: st.fixable });
    const sort = h('select', { id: 'f-sort' }, Object.entries(SORTS).map(([k, v]) => h('option', { value: k, selected: st.sort === k }, v.label)));
    const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter images', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'f-name' }, 'Repository name', q),
      h('label', { for: 'f-sev' }, 'Severity', sev),
      h('label', { class: 'check', for: 'f-fixable' }, fix, 'Has fixable'),
      h('label', { for: 'f-sort' }, 'Sort by', sort));
    const count = h('p', { id: 'shown', class: 'muted', 'aria-live': 'polite' });
    const tbody = h('tbody', {});
    const table = h('table', { id: 'images' },
      h('caption', { class: 'visually-hidden' }, 'Indexed images with their findings by severity'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Image'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Distribution'),
        h('th', { scope: 'col' }, 'Findings by severity'),
        h('th', { scope: 'col', class: 'num' }, 'Fixable'),
        h('th', { scope: 'col', class: 'num' }, 'Unfixed'),
        h('th', { scope: 'col', class: 'num' }, 'Total'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Indexed'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Matched'))),
      tbody);
    const scale = Math.max(1, ...images.map((i) => i.total));

    function rowOf(img) {
      const link = h('a', { href: '#/image/' + img.hash }, imageLabel(img));
      const names = img.names.length > 1 ? h('ul', { class: 'names' }, img.names.slice(1).map((n) => h('li', { class: 'muted' }, n))) : null;
      return h('tr', { 'data-hash': img.hash, 'data-total': img.total, 'data-fixable': img.fixable, 'data-unfixed': img.unfixed },
        h('th', { scope: 'row' }, link, names, h('div', { class: 'muted mono' }, shortDigest(img.hash)),
          img.state !== 'IndexFinished' ? h('div', { class: 'alert' }, 'indexing failed') : null),
        h('td', { class: 'hide-narrow' }, img.distribution || '—'),
        h('td', {}, sevBar(img.severity, scale), sevCounts(img.severity)),
        h('td', { class: 'num c-fixable' }, String(img.fixable)),
        h('td', { class: 'num c-unfixed' }, String(img.unfixed)),
        h('td', { class: 'num c-total' }, String(img.total)),
        h('td', { class: 'hide-narrow' }, when(img.indexed)),
        h('td', { class: 'hide-narrow' }, when(img.matched)));
    }

    function apply() {
      st.q = q.value;
      st.sev = sev.value;
      st.fixable = fix.checked;
      st.sort = sort.value;
      const shown = filterImages(images, st).sort(SORTS[st.sort].cmp);
      tbody.replaceChildren(...shown.map(rowOf));
      count.textContent = 'Showing ' + shown.length + ' of ' + images.length + ' images';
      table.dataset.shown = String(shown.length);
    }
    for (const el of [q, sev, fix, sort]) el.addEventListener(el === q ? 'input' : 'change', apply);
    apply();
    if (!images.length) {
      listSlot.replaceChildren(h('p', { class: 'note' }, 'No image has been indexed yet. POST a manifest to /indexer/api/v1/index_report, or run ', h('code', {}, 'vigil report --server'), '.'));
    } else {
      listSlot.replaceChildren(filters, count, tableWrap('Images', table));
    }
    table.dataset.complete = 'true';
    document.body.dataset.view = 'overview';
    performance.mark('vigil-overview-rendered');

    // After the list: on a cold server the history's first point reuses the images' summaries.
    chartSlot.replaceChildren(h('p', { class: 'muted' }, 'Loading the history…'));
    const hist = await api('/dashboard/api/v1/history?limit=100').catch((e) => e);
    if (seq !== renderSeq) return;
    if (hist instanceof Error) {
      if (hist.status === 401) return;
      chartSlot.replaceChildren(h('p', { class: 'alert' }, 'History: ' + hist.message));
    } else {
      chartSlot.replaceChildren(historyChart(hist.points));
    }
    chartSlot.dataset.complete = 'true';
  }

  // ---- one image ----------------------------------------------------------------------------------

  function findingsOf(report) {
    const out = [];
    const envs = report.environments || {};
    for (const [pid, vids] of Object.entries(report.package_vulnerabilities || {})) {
      const pkg = report.packages[pid] || {};
      const env = (envs[pid] && envs[pid][0]) || {};
      for (const vid of vids) {
        const v = report.vulnerabilities[vid] || {};
        out.push({
          pkg: pkg.name || '', version: pkg.version || '', vuln: v.name || '',
          severity: SEVS.includes(v.normalized_severity) ? v.normalized_severity : 'Unknown',
          label: v.severity || '', fixed: v.fixed_in_version || '', layer: env.introduced_in || '',
          status: v.status || '', cvss: v.cvss && v.cvss.score,
        });
      }
    }
    return out;
  }

  async function download(hash, format, btn) {
    const ext = { json: 'json', sarif: 'sarif', cyclonedx: 'cdx.json' }[format];
    btn.disabled = true;
    try {
      const r = await request('/dashboard/api/v1/report/' + hash + '?format=' + format);
      if (r.status !== 200) {
        const b = await r.json().catch(() => ({}));
        throw new ApiError(r.status, b.code, b.message || 'HTTP ' + r.status);
      }
      const blob = await r.blob();
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'vigil-' + hash.slice(7, 19) + '.' + ext, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus('Downloaded the ' + format.toUpperCase() + ' report.', false);
    } catch (e) {
      if (e.status !== 401) setStatus('Download failed: ' + e.message, true);
    } finally {
      btn.disabled = false;
    }
  }

  async function renderImage(seq, hash) {
    setTitle('Image ' + shortDigest(hash));
    view.replaceChildren(h('h1', {}, 'Image'), h('p', { class: 'muted' }, 'Loading…'));
    const info = await api('/dashboard/api/v1/image/' + encodeURIComponent(hash));
    let report = null, reportNote = null;
    try {
      report = await api('/matcher/api/v1/vulnerability_report/' + encodeURIComponent(hash));
    } catch (e) {
      if (e.status === 401) throw e;
      reportNote = e.message;
    }
    if (seq !== renderSeq) return;
    setTitle(imageLabel(info));
    const findings = report ? findingsOf(report) : [];
    const counts = Object.fromEntries(SEVS.map((s) => [s, 0]));
    for (const f of findings) counts[f.severity]++;

    const head = h('h1', {}, imageLabel(info));
    const meta = h('dl', { class: 'meta' },
      h('dt', {}, 'Digest'), h('dd', { class: 'mono', id: 'digest' }, info.hash),
      h('dt', {}, 'Repositories'), h('dd', {}, info.names.length ? h('ul', { class: 'names' }, info.names.map((n) => h('li', {}, n))) : h('span', { class: 'muted' }, 'none recorded')),
      h('dt', {}, 'Distribution'), h('dd', { id: 'distribution' }, info.distributions.length ? info.distributions.map((d) => (d.pretty_name || d.name) + ' (' + d.namespace + ')').join(', ') : 'none detected'),
      h('dt', {}, 'Packages'), h('dd', {}, String(info.packages)),
      h('dt', {}, 'Indexed'), h('dd', {}, when(info.indexed)),
      h('dt', {}, 'Matched'), h('dd', {}, when(info.matched), ' (data generation ' + info.generation + ')'));

    const dl = h('div', { class: 'actions', role: 'group', 'aria-label': 'Download the report' }, h('span', {}, 'Download the report:'));
    for (const [fmt, label] of [['json', 'JSON'], ['sarif', 'SARIF'], ['cyclonedx', 'CycloneDX']]) {
      const b = h('button', { type: 'button', class: 'btn secondary', id: 'dl-' + fmt }, label);
      b.addEventListener('click', () => download(info.hash, fmt, b));
      dl.append(b);
    }

    const dist = h('section', { 'aria-labelledby': 'dist-h' }, h('h2', { id: 'dist-h' }, 'Findings by severity'),
      h('div', { class: 'card' }, sevBar(counts, Math.max(1, findings.length)),
        h('ul', { class: 'legend', id: 'sevdist' }, SEVS.map((s) => h('li', { 'data-sev': s }, sevBadge(s), ' ' + counts[s]))),
        h('p', {}, findings.filter((f) => f.fixed).length + ' fixable, ' + findings.filter((f) => !f.fixed).length + ' without a fix')));

    // Layers: what each brought (packages from the IndexReport, findings from the report).
    const byLayer = {};
    for (const f of findings) byLayer[f.layer] = (byLayer[f.layer] || 0) + 1;
    const layerRows = info.layers.map((l, i) => h('tr', {},
      h('th', { scope: 'row', class: 'num' }, String(i + 1)),
      h('td', { class: 'mono' }, l.digest),
      h('td', { class: 'num' }, String(l.packages)),
      h('td', { class: 'num' }, String(byLayer[l.digest] || 0))));
    const layers = h('section', { 'aria-labelledby': 'layers-h' }, h('h2', { id: 'layers-h' }, 'Layers'),
      h('p', { class: 'muted' }, 'The image\'s layers in order, with the packages and findings each brought.'),
      tableWrap('Layers', h('table', { id: 'layers' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Digest'),
          h('th', { scope: 'col', class: 'num' }, 'Packages'), h('th', { scope: 'col', class: 'num' }, 'Findings'))),
        h('tbody', {}, layerRows))));

    // Findings, filterable and sortable.
    const fsev = h('select', { id: 'ff-sev' }, h('option', { value: '' }, 'Any'), SEVS.map((s) => h('option', { value: s }, s + (s === 'Unknown' ? '' : ' or worse'))));
    const ffix = h('select', { id: 'ff-fix' }, h('option', { value: '' }, 'Any'), h('option', { value: 'fixable' }, 'Fix available'), h('option', { value: 'unfixed' }, 'No fix'));
    const fpkg = h('input', { type: 'search', id: 'ff-pkg', autocomplete: 'off', placeholder: 'e.g. openssl' });
    const fcount = h('p', { class: 'muted', id: 'ff-shown', 'aria-live': 'polite' });
    const sortKeys = { severity: 'Severity', vuln: 'Vulnerability', pkg: 'Package', fixed: 'Fixed in' };
    let sortBy = 'severity', sortDir = 1;
    const cmp = {
      severity: (a, b) => SEV_RANK[b.severity] - SEV_RANK[a.severity],
      vuln: (a, b) => a.vuln.localeCompare(b.vuln),
      pkg: (a, b) => a.pkg.localeCompare(b.pkg),
      fixed: (a, b) => (a.fixed ? 0 : 1) - (b.fixed ? 0 : 1) || a.fixed.localeCompare(b.fixed),
    };
    const ths = {};
    const headRow = h('tr', {});
    const colHead = (key, extra) => {
      if (!sortKeys[key]) return h('th', { scope: 'col', class: extra }, key);
      const b = h('button', { type: 'button', 'data-sort': key }, sortKeys[key]);
      const th = h('th', { scope: 'col', 'aria-sort': 'none', class: extra }, b);
      b.addEventListener('click', () => {
        if (sortBy === key) sortDir = -sortDir; else { sortBy = key; sortDir = 1; }
        applyF();
      });
      ths[key] = th;
      return th;
    };
    headRow.append(colHead('severity'), colHead('vuln'), colHead('pkg'), h('th', { scope: 'col' }, 'Installed'), colHead('fixed'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Layer'));
    const ftbody = h('tbody', {});
    const ftable = h('table', { id: 'findings' }, h('caption', { class: 'visually-hidden' }, 'Findings: one row per package and vulnerability'), h('thead', {}, headRow), ftbody);
    function applyF() {
      const min = fsev.value ? SEV_RANK[fsev.value] : -1;
      const p = fpkg.value.trim().toLowerCase();
      const shown = findings.filter((f) => (min < 0 || SEV_RANK[f.severity] >= min) &&
        (!ffix.value || (ffix.value === 'fixable') === !!f.fixed) && (!p || f.pkg.toLowerCase().includes(p)))
        .sort((a, b) => sortDir * (cmp[sortBy](a, b) || 0) || cmp.severity(a, b) || a.pkg.localeCompare(b.pkg) || a.vuln.localeCompare(b.vuln));
      for (const [k, th] of Object.entries(ths)) th.setAttribute('aria-sort', k === sortBy ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
      ftbody.replaceChildren(...shown.map((f) => h('tr', { 'data-package': f.pkg, 'data-version': f.version, 'data-vuln': f.vuln, 'data-fixed': f.fixed, 'data-severity': f.severity },
        h('td', {}, sevBadge(f.severity), f.cvss ? h('span', { class: 'muted' }, ' ' + Number(f.cvss).toFixed(1)) : null),
        h('th', { scope: 'row' }, h('a', { href: '#/vuln/' + encodeURIComponent(f.vuln) }, f.vuln)),
        h('td', {}, f.pkg),
        h('td', { class: 'mono' }, f.version),
        h('td', { class: 'mono' }, f.fixed || h('span', { class: 'muted' }, 'no fix')),
        h('td', { class: 'mono hide-narrow' }, f.layer ? shortDigest(f.layer) : '—'))));
      fcount.textContent = 'Showing ' + shown.length + ' of ' + findings.length + ' findings';
      ftable.dataset.shown = String(shown.length);
    }
    fsev.addEventListener('change', applyF);
    ffix.addEventListener('change', applyF);
    fpkg.addEventListener('input', applyF);
    applyF();
    const findSec = h('section', { 'aria-labelledby': 'findings-h' }, h('h2', { id: 'findings-h' }, 'Findings'),
      reportNote ? h('p', { class: 'note', id: 'report-note' }, reportNote) : null,
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter findings', onsubmit: (e) => e.preventDefault() },
        h('label', { for: 'ff-sev' }, 'Severity', fsev), h('label', { for: 'ff-fix' }, 'Fix', ffix), h('label', { for: 'ff-pkg' }, 'Package', fpkg)),
      fcount, tableWrap('Findings', ftable));

    // Every package.
    let pkgSec = null;
    if (report) {
      const perPkg = {};
      for (const f of findings) perPkg[f.pkg + '\u0000' + f.version] = (perPkg[f.pkg + '\u0000' + f.version] || 0) + 1;
      const pkgs = Object.values(report.packages).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
      pkgSec = h('section', { 'aria-labelledby': 'pkgs-h' }, h('h2', { id: 'pkgs-h' }, 'Packages'),
        h('details', {}, h('summary', {}, 'All ' + pkgs.length + ' packages'),
          tableWrap('Packages', h('table', { id: 'packages' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Package'), h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Kind'), h('th', { scope: 'col', class: 'num' }, 'Findings'))),
            h('tbody', {}, pkgs.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.name), h('td', { class: 'mono' }, p.version),
              h('td', { class: 'hide-narrow' }, p.format || p.kind || ''), h('td', { class: 'num' }, String(perPkg[p.name + '\u0000' + p.version] || 0)))))))));
    }

    view.replaceChildren(head, meta, dl, dist, findSec, layers, pkgSec);
    focusHeading();
    document.body.dataset.view = 'image';
  }

  // ---- one vulnerability ------------------------------------------------------------------------

  function eventsText(events) {
    return events.map((e) => Object.entries(e).map(([k, v]) => k + ' ' + v).join('')).join(', ') || '—';
  }

  async function renderVuln(seq, id) {
    setTitle(id);
    view.replaceChildren(h('h1', {}, id), h('p', { class: 'muted' }, 'Loading…'));
    const v = await api('/dashboard/api/v1/vulnerability/' + encodeURIComponent(id));
    if (seq !== renderSeq) return;
    const parts = [h('h1', {}, v.id)];
    for (const a of v.advisories) {
      const cvss = a.cvss.length ? h('ul', { class: 'names' }, a.cvss.map((c) => h('li', {}, h('strong', {}, Number(c.score).toFixed(1)), ' ', h('code', {}, c.vector), c.source ? h('span', { class: 'muted' }, ' (' + c.source + ')') : null))) : h('span', { class: 'muted' }, 'none');
      const links = a.links.length ? h('ul', { class: 'names' }, a.links.map((l) => h('li', {}, /^https?:\/\//.test(l) ? h('a', { href: l, rel: 'noopener noreferrer' }, l) : l))) : h('span', { class: 'muted' }, 'none');
      const sec = h('section', { class: 'advisory', 'data-source': a.source, 'aria-label': a.source + ' advisory' },
        h('h2', {}, 'From ', a.source),
        h('dl', { class: 'meta' },
          h('dt', {}, 'Severity'), h('dd', {}, sevBadge(a.severity), a.severity_label && a.severity_label !== a.severity ? ' (' + a.severity_label + ')' : ''),
          h('dt', {}, 'CVSS'), h('dd', { class: 'cvss' }, cvss),
          h('dt', {}, 'Published'), h('dd', {}, a.published || '—'),
          h('dt', {}, 'Aliases'), h('dd', {}, a.aliases.join(', ') || '—'),
          h('dt', {}, 'Links'), h('dd', {}, links)),
        a.summary ? h('p', { class: 'desc' }, a.summary) : null,
        a.description && a.description !== a.summary ? h('p', { class: 'desc' }, a.description) : null,
        !a.summary && !a.description ? h('p', { class: 'muted' }, 'This source gives no description.') : null,
        h('details', {}, h('summary', {}, 'Affected ranges (' + a.affected.length + ')'),
          tableWrap('Affected ranges', h('table', {},
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Namespace'), h('th', { scope: 'col' }, 'Package'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Versions'))),
            h('tbody', {}, a.affected.map((af) => h('tr', {}, h('td', {}, af.namespace), h('th', { scope: 'row' }, af.package + (af.source_package ? ' (source)' : '')),
              h('td', {}, af.status), h('td', { class: 'mono' }, af.versions.length ? af.versions.join(', ') : eventsText(af.events)))))))));
      parts.push(sec);
    }
    const rows = [];
    for (const img of v.images) {
      for (const f of img.findings) {
        rows.push(h('tr', { 'data-hash': img.hash },
          h('th', { scope: 'row' }, h('a', { href: '#/image/' + img.hash }, img.names[0] || shortDigest(img.hash))),
          h('td', {}, f.package), h('td', { class: 'mono' }, f.version),
          h('td', { class: 'mono' }, f.fixed_in_version || h('span', { class: 'muted' }, 'no fix')),
          h('td', {}, sevBadge(f.severity)), h('td', { class: 'hide-narrow' }, f.source)));
      }
    }
    parts.push(h('section', { 'aria-labelledby': 'affected-h' },
      h('h2', { id: 'affected-h' }, 'Affected images (' + v.images.length + ')'),
      v.truncated ? h('p', { class: 'note' }, 'Only the first candidates were checked.') : null,
      v.images.length ? tableWrap('Affected images', h('table', { id: 'affected' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Image'), h('th', { scope: 'col' }, 'Package'), h('th', { scope: 'col' }, 'Installed'),
          h('th', { scope: 'col' }, 'Fixed in'), h('th', { scope: 'col' }, 'Severity'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Source'))),
        h('tbody', {}, rows))) : h('p', { class: 'muted' }, 'No indexed image is affected.')));
    view.replaceChildren(...parts);
    focusHeading();
    document.body.dataset.view = 'vuln';
  }

  // ---- notifications ----------------------------------------------------------------------------

  async function renderNotifications(seq) {
    setTitle('Notifications');
    view.replaceChildren(h('h1', {}, 'Notifications'), h('p', { class: 'muted' }, 'Loading…'));
    const n = await api('/dashboard/api/v1/notifications?limit=100');
    if (seq !== renderSeq) return;
    const intro = h('p', { class: 'muted' }, n.webhook ? 'Sets are delivered to the configured webhook.' : 'No webhook is configured: sets are kept for clients to read.');
    if (!n.sets.length) {
      view.replaceChildren(h('h1', {}, 'Notifications'), intro, h('p', { class: 'note' }, 'No notification set yet. One is made when an update changes which images are affected.'));
      focusHeading();
      document.body.dataset.view = 'notifications';
      return;
    }
    const rows = n.sets.map((s) => {
      const more = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, 'Show');
      const detail = h('tr', { hidden: true }, h('td', { colspan: 8 }));
      more.addEventListener('click', async () => {
        const open = more.getAttribute('aria-expanded') === 'true';
        more.setAttribute('aria-expanded', String(!open));
        more.textContent = open ? 'Show' : 'Hide';
        detail.hidden = open;
        if (!open && !detail.dataset.loaded) {
          try {
            const page = await api('/notifier/api/v1/notification/' + s.id + '?page_size=100');
            detail.dataset.loaded = '1';
            const parts = [h('ul', { class: 'names' }, page.notifications.map((x) => h('li', {},
              x.reason + ': ', h('a', { href: '#/image/' + x.manifest }, shortDigest(x.manifest)),
              x.vulnerability && x.vulnerability.name ? [' — ', h('a', { href: '#/vuln/' + encodeURIComponent(x.vulnerability.name) }, x.vulnerability.name)] : null)))];
            if (page.page && page.page.next) parts.push(h('p', { class: 'muted' }, 'First 100 shown.'));
            detail.firstChild.replaceChildren(...parts);
          } catch (e) {
            detail.firstChild.replaceChildren(h('p', { class: 'alert' }, e.message));
          }
        }
      });
      return [h('tr', { 'data-set': s.id },
        h('th', { scope: 'row' }, when(s.created)),
        h('td', {}, s.updater),
        h('td', { class: 'num' }, String(s.count)),
        h('td', {}, h('span', { class: 'state-' + s.delivery }, s.delivery)),
        h('td', { class: 'num' }, String(s.attempts)),
        h('td', { class: 'hide-narrow' }, s.last_error || '—'),
        h('td', {}, s.acknowledged ? 'yes' : 'no'),
        h('td', {}, more)), detail];
    });
    view.replaceChildren(h('h1', {}, 'Notifications'), intro,
      tableWrap('Notification sets', h('table', { id: 'sets' },
        h('caption', { class: 'visually-hidden' }, 'Recent notification sets, newest first'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Updater'), h('th', { scope: 'col', class: 'num' }, 'Notifications'),
          h('th', { scope: 'col' }, 'Delivery'), h('th', { scope: 'col', class: 'num' }, 'Attempts'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Last error'),
          h('th', { scope: 'col' }, 'Acknowledged'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Details')))),
        h('tbody', {}, rows.flat()))));
    focusHeading();
    document.body.dataset.view = 'notifications';
  }

  // ---- auth --------------------------------------------------------------------------------------

  function showLogin(message) {
    renderSeq++;
    setTitle('Sign in');
    setStatus('');
    document.getElementById('signout').hidden = true;
    const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
    const form = h('form', { class: 'login', id: 'login' },
      h('h1', {}, 'Sign in'),
      message ? h('p', { class: 'alert', role: 'alert' }, message) : null,
      h('label', { for: 'token' }, 'API token'), input,
      h('p', { class: 'muted', id: 'token-help' }, 'This server requires a bearer token (a JWT signed with its pre-shared key). It is kept in this tab only (sessionStorage).'),
      h('button', { type: 'submit', class: 'btn' }, 'Sign in'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      route();
    });
    view.replaceChildren(form);
    input.focus();
    document.body.dataset.view = 'login';
  }

  // ---- the router --------------------------------------------------------------------------------

  async function route() {
    const seq = ++renderSeq;
    const hash = location.hash || '#/';
    if (!hash.startsWith('#/')) return; // in-page anchors (the skip link)
    setStatus('');
    if (config.auth && !sessionStorage.getItem(TOKEN_KEY)) {
      showLogin(null);
      return;
    }
    document.getElementById('signout').hidden = !config.auth;
    const parts = hash.slice(2).split('/');
    const page = parts[0] || '';
    const arg = decodeURIComponent(parts.slice(1).join('/'));
    for (const a of document.querySelectorAll('[data-nav]')) {
      const on = (a.dataset.nav === 'overview' && (page === '' || page === 'image' || page === 'vuln')) || a.dataset.nav === page;
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    delete document.body.dataset.view;
    try {
      if (page === '') await renderOverview(seq);
      else if (page === 'image' && arg) await renderImage(seq, arg);
      else if (page === 'vuln' && arg) await renderVuln(seq, arg);
      else if (page === 'notifications') await renderNotifications(seq);
      else {
        view.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview')));
        document.body.dataset.view = 'notfound';
      }
    } catch (e) {
      if (seq !== renderSeq || e.status === 401) return;
      view.replaceChildren(h('h1', {}, e.status === 404 ? 'Not found' : 'Error'),
        h('p', { class: 'alert', role: 'alert', id: 'error' }, e.message), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
      document.body.dataset.view = 'error';
    }
  }

  async function boot() {
    document.getElementById('signout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(null);
    });
    try {
      const r = await fetch(base + '/dashboard/api/v1/config', { cache: 'no-store' });
      config = await r.json();
      document.getElementById('version').textContent = config.version || '';
    } catch (e) {
      setStatus('Cannot reach the server: ' + e.message, true);
      return;
    }
    window.addEventListener('hashchange', () => {
      navigated = true;
      route();
    });
    route();
  }

  boot();
})();
