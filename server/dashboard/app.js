// The dashboard's pages: each fetches its report from /v1/reports/NAME with the page's filters
// and draws its tables, with a plain SVG bar chart where the report names one. No libraries, no
// requests anywhere but this server.
'use strict';

const PAGES = [
  { path: '/', report: 'customers', label: '客户 Customers' },
  { path: '/tiers', report: 'tiers', label: '等级 Tiers' },
  { path: '/funnel', report: 'funnel', label: '漏斗 Funnel' },
  { path: '/followups', report: 'followups', label: '跟进 Follow-ups' },
  { path: '/churn', report: 'churn', label: '流失风险 Churn' },
  { path: '/referrals', report: 'referrals', label: '老带新 Referrals' },
  { path: '/surveys', report: 'surveys', label: '满意度 Surveys' },
  { path: '/complaints', report: 'complaints', label: '投诉报修 Complaints' },
  { path: '/retention', report: 'retention', label: '留存 Retention' },
  { path: '/devices', report: 'devices', label: '平板 Devices' },
  { path: '/customer', report: 'customer', label: '客户档案 Customer' },
];
const ALL_ROW = '(全部 all)';
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return Array.isArray(value) ? value.join(', ') : JSON.stringify(value);
  return String(value);
}

// A horizontal bar per row: label, bar as long as the value, the value.
function barChart(rows, labelKey, valueKey) {
  const data = rows.filter((r) => r[labelKey] !== ALL_ROW && typeof r[valueKey] === 'number');
  if (data.length === 0) return null;
  const max = Math.max(...data.map((r) => r[valueKey]), 1);
  const rowHeight = 24, labelWidth = 140, width = 600;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${data.length * rowHeight + 4}`,
                             role: 'img', 'aria-label': valueKey });
  data.forEach((r, i) => {
    const y = i * rowHeight + 2;
    const barWidth = Math.max(0, (width - labelWidth - 60) * r[valueKey] / max);
    chart.append(svg('text', { x: labelWidth - 6, y: y + 15, 'text-anchor': 'end' }, show(r[labelKey]).slice(0, 18)));
    chart.append(svg('rect', { x: labelWidth, y, width: barWidth, height: rowHeight - 6, rx: 2 }));
    chart.append(svg('text', { x: labelWidth + barWidth + 6, y: y + 15 }, show(r[valueKey])));
  });
  return chart;
}

function dataTable(table, linkIds) {
  // Numbers (and their headers) align right; a column is numeric when any of its values is.
  const numeric = new Set(table.columns.map((c) => c.key)
                            .filter((k) => table.rows.some((r) => typeof r[k] === 'number')));
  const head = el('tr');
  for (const col of table.columns) {
    head.append(el('th', numeric.has(col.key) ? { 'data-col': col.key, class: 'num' }
                                             : { 'data-col': col.key }, col.label));
  }
  const body = el('tbody');
  for (const row of table.rows) {
    const tr = el('tr', row.agent === ALL_ROW ? { class: 'total' } : {});
    for (const col of table.columns) {
      const value = row[col.key];
      const attrs = { 'data-col': col.key };
      if (numeric.has(col.key)) attrs.class = 'num';
      if (col.key === 'flag' && value) attrs.class = 'flag';
      const td = el('td', attrs);
      if (linkIds && col.key === 'id') {
        td.append(el('a', { href: '/customer?id=' + encodeURIComponent(value) }, show(value)));
      } else {
        td.textContent = show(value);
      }
      tr.append(td);
    }
    body.append(tr);
  }
  return el('div', { class: 'scroll' }, el('table', { 'data-table': table.name }, el('thead', {}, head), body));
}

function renderReport(main, report) {
  main.replaceChildren(el('h1', {}, report.title));
  const f = report.filter;
  const scope = ['team', 'agent', 'project'].filter((k) => f[k]).map((k) => `${k}: ${f[k]}`);
  // The period ends before f.to: its last day is the one of the second before.
  const lastDay = new Date(Date.parse(f.to) - 1000).toISOString().slice(0, 10);
  main.append(el('p', { class: 'period' },
                 `${f.from.slice(0, 10)} → ${lastDay}` + (scope.length ? ' · ' + scope.join(' · ') : '')));
  for (const table of report.tables) {
    const card = el('section', { class: 'card', 'data-section': table.name }, el('h2', {}, table.title));
    if (table.chart) {
      const chart = barChart(table.rows, table.chart.label, table.chart.value);
      if (chart) card.append(chart);
    }
    // A note says why a table could not be computed (e.g. no tiering plugin on the server).
    if (table.note) card.append(el('p', { class: 'note' }, table.note));
    else card.append(table.rows.length ? dataTable(table, report.report === 'churn')
                                       : el('p', { class: 'empty' }, 'Nothing in this period.'));
    main.append(card);
  }
}

// The customer's tier as the tiering plugin grades it now, with its reasons (factor by factor).
function tierCard(tier) {
  const card = el('section', { class: 'card', 'data-section': 'tier' }, el('h2', {}, '等级 Tier'));
  if (tier.note) {
    card.append(el('p', { class: 'note' }, tier.note));
    return card;
  }
  card.append(el('p', { class: 'tier' }, el('strong', { 'data-field': 'tier' }, tier.tier),
                 ` score ${tier.tier_score} · segment ${tier.segment} · ` +
                 `RFM ${tier.rfm.r}/${tier.rfm.f}/${tier.rfm.m} · plugin ${tier.plugin}`));
  const factors = tier.explanation && tier.explanation.factors;
  if (!Array.isArray(factors)) {
    card.append(el('p', { class: 'note' },
                   "The plugin's explanation does not follow the documented schema (docs/plugins.md)."));
    return card;
  }
  card.append(dataTable({
    name: 'tier_factors',
    columns: [['name', 'Factor'], ['value', 'Value'], ['weight', 'Weight'], ['points', 'Points'],
              ['reason', 'Why']].map(([key, label]) => ({ key, label })),
    rows: factors,
  }, false));
  const t = tier.explanation.thresholds;
  if (t) card.append(el('p', { class: 'period' }, `A ≥ ${t.A}, B ≥ ${t.B}, C ≥ ${t.C}, else D`));
  return card;
}

function renderCustomer(main, data) {
  const record = data.record;
  main.replaceChildren(el('h1', {}, `${record.name || ''} · ${record.id}`));
  const fields = el('dl', { class: 'record' });
  for (const [key, value] of Object.entries(record)) {
    fields.append(el('dt', {}, key), el('dd', { 'data-field': key }, show(value)));
  }
  main.append(el('section', { class: 'card', 'data-section': 'record' }, el('h2', {}, '档案 Record'), fields));
  main.append(tierCard(data.tier));
  const related = Object.entries(data.related || {}).map(([k, n]) => `${k}: ${n}`).join(' · ');
  main.append(el('section', { class: 'card' }, el('h2', {}, '关联 Related'), el('p', {}, related || 'none')));
  const first = data.history.registered;
  const history = el('section', { class: 'card', 'data-section': 'history' }, el('h2', {}, '历史 History'));
  if (first) {
    history.append(el('p', { class: 'registered' },
      `首次登记 Registered first by ${first.agent || '?'} on device ${first.device}, ` +
      `stamped ${first.stamped_at}, accepted ${first.accepted_at || '?'}`));
  }
  history.append(dataTable({
    name: 'history',
    // What changed first; where it came from after (device and record ids are long).
    columns: [['stamped_at', 'Stamped'], ['field', 'Field'], ['value', 'Value'], ['agent', 'Agent'],
              ['accepted_at', 'Accepted'], ['device', 'Device'], ['record', 'Record']]
      .map(([key, label]) => ({ key, label })),
    rows: data.history.changes,
  }, false));
  main.append(history);
}

function customerSearch(main, message) {
  const form = el('form', { method: 'get', action: '/customer', class: 'card' },
                  el('label', {}, 'Customer id ', el('input', { name: 'id', required: '' })),
                  el('button', { type: 'submit' }, 'Open'));
  main.replaceChildren(el('h1', {}, '客户档案 Customer'), form);
  if (message) main.append(el('p', { class: 'error' }, message));
}

async function load() {
  const page = PAGES.find((p) => p.path === location.pathname) || PAGES[0];
  const nav = document.getElementById('nav');
  for (const p of PAGES) {
    nav.append(el('a', { href: p.path + location.search.replace(/([?&])id=[^&]*&?/, '$1'),
                         class: p === page ? 'active' : '' }, p.label));
  }
  const params = new URLSearchParams(location.search);
  const filters = document.getElementById('filters');
  for (const input of filters.querySelectorAll('input')) input.value = params.get(input.name) || '';
  filters.hidden = page.report === 'customer';
  const main = document.getElementById('main');
  if (page.report === 'customer' && !params.get('id')) return customerSearch(main, '');
  // Empty filter fields are left out of the query.
  for (const [key, value] of [...params]) if (!value) params.delete(key);
  const response = await fetch(`/v1/reports/${page.report}?${params}`, { credentials: 'same-origin' });
  if (response.status === 401) return location.reload();  // the session ended: the login form
  const data = await response.json();
  if (!response.ok) {
    if (page.report === 'customer') return customerSearch(main, data.error.message);
    main.replaceChildren(el('p', { class: 'error' }, data.error.message));
    return;
  }
  if (page.report === 'customer') renderCustomer(main, data);
  else renderReport(main, data);
  document.body.dataset.loaded = page.report;
}

document.getElementById('filters').addEventListener('submit', (event) => {
  // Leave empty fields out of the address.
  for (const input of event.target.querySelectorAll('input')) input.disabled = !input.value;
});
load().catch((error) => {
  document.getElementById('main').replaceChildren(el('p', { class: 'error' }, String(error)));
});
