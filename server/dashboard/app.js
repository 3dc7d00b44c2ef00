// The dashboard's pages: each fetches its report from /v1/reports/NAME with the page's filters
// and draws its tables (sortable, paged, exportable as CSV and .xlsx), with a plain SVG bar chart where the
// report names one. Each table says the time it covers; the period fields show only where a table
// uses them. No libraries, no requests anywhere but this server.
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
  { path: '/reception', report: 'reception', label: '来访接待 Reception' },
  { path: '/devices', report: 'devices', label: '平板 Devices' },
  { path: '/customer', report: 'customer', label: '客户档案 Customer' },
  // Reached from a figure or the search box, not from the menu.
  { path: '/list', report: 'customer_list', label: '客户名单 Customer list', hidden: true },
  { path: '/search', report: 'search', label: '搜索 Search', hidden: true },
];
// The customers behind each figure: report → table → column → the list's parameters, where
// '{key}' is the row's value of key (the everyone row leaves agent out).
const DRILL = {
  customers: {
    by_stage: { customers: { of: 'all', stage: '{stage}' }, new_in_period: { of: 'new', stage: '{stage}' } },
    moves: { moved_in_period: { of: 'moved', stage: '{stage}' } },
    by_team: { customers: { of: 'all', team: '{team}' }, owners: { of: 'all', team: '{team}', stage: 'owner' } },
  },
  funnel: { by_agent: { visited: { of: 'visited', agent: '{agent}' } } },
  followups: { by_agent: { overdue_tasks: { of: 'overdue', agent: '{agent}' } } },
  churn: { by_agent: { at_risk: { of: 'at_risk', agent: '{agent}' } } },
  referrals: { referred_customers: { referred: { of: 'referred' }, referred_all: { of: 'referred_all' } } },
};
// Per-agent tables that roll up into teams on the whole company's pages: the counts that add up,
// the one whose share of everyone's each team shows, and the rates recomputed from the sums.
const ROLLUPS = {
  funnel: { by_agent: { sum: ['visited', 'intent', 'reserved', 'signed'], share: 'visited',
                        ratios: { intent_pct: ['intent', 'visited'], reserved_pct: ['reserved', 'intent'],
                                  signed_pct: ['signed', 'reserved'], overall_pct: ['signed', 'visited'] } } },
  followups: { by_agent: { sum: ['overdue_tasks', 'visits', 'visits_without_followup'], share: 'overdue_tasks', ratios: {} } },
  churn: { by_agent: { sum: ['at_risk', 'customers'], share: 'at_risk', ratios: { at_risk_pct: ['at_risk', 'customers'] } } },
};
const FILTER_KEYS = ['team', 'agent', 'project', 'from', 'to'];
const TOP_N = 12;  // bars in a chart; the rest are in its table
const ALL_ROW = '(全部 all)';
const SVG = 'http://www.w3.org/2000/svg';
const PAGE_ROWS = 50;  // rows of a table shown at once; the rest behind its pager
// Names sort as people read them: agent1-2 before agent1-10, Chinese by pinyin.
const COLLATOR = new Intl.Collator('zh-CN', { numeric: true });
// What the figures of a table cover (the report's "period" of each table), and what "no rows" means.
const COVERS = { now: '现在 Now', all_time: '全部时间 All time' };
const EMPTY = { period: 'Nothing in this period.', now: 'Nothing at the moment.', all_time: 'Nothing yet.' };

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

// Amounts in CNY as people read them: 697万, 1,250万 (none: blank).
const MONEY = new Set(['budget', 'price', 'monetary_cny']);
function money(value) {
  if (typeof value !== 'number' || value === 0) return '';
  return `${(value / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 1 })}万`;
}

// Times as the team reads them: in the zone the server says the page is in (the team's, or head
// office's for the whole company), to the minute (the API keeps ISO UTC times).
let zone = 'Asia/Shanghai';
const TIMES = new Set(['stamped_at', 'accepted_at', 'last_contact', 'last_sync', 'created_at', 'oldest_due', 'at']);
function zoneFormat(options) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', ...options });
}
function localTime(value) {
  const ms = typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? show(value) : zoneFormat({ hour: '2-digit', minute: '2-digit' }).format(ms);
}
// The calendar day (YYYY-MM-DD) of an instant in the page's zone.
function zoneDay(ms) {
  return zoneFormat({}).format(ms);
}
// A cell's text: amounts in 万, times in the teams' zone, the rest as it is.
function cellText(key, value) {
  if (MONEY.has(key)) return money(value);
  if (TIMES.has(key)) return localTime(value);
  return show(value);
}

function show(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if (Array.isArray(value)) return value.join(', ');
    return Object.entries(value).map(([k, v]) => `${k} ${show(v)}`).join(', ');
  }
  return String(value);
}

// The period's days as chosen, in the page's zone: `to` is an exclusive time, its last day the one
// of the second before.
function periodText(filter) {
  return `${zoneDay(Date.parse(filter.from))} → ${zoneDay(Date.parse(filter.to) - 1000)}`;
}

function compareValues(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;  // blanks last
  if (b === null || b === undefined) return -1;
  return COLLATOR.compare(show(a), show(b));
}

// A CSV file as Excel opens it: UTF-8 with a byte-order mark, every cell quoted, CRLF lines.
function downloadCsv(fileName, columns, rows) {
  const quote = (v) => `"${show(v).replace(/"/g, '""')}"`;
  const lines = [columns.map((c) => quote(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => quote(row[c.key])).join(','));
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const link = el('a', { href: URL.createObjectURL(blob), download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// The table as an Excel workbook, made by the server with this page's filters (a customer list:
// every page of it): typed cells, amounts in 万, times as dates.
function xlsxLink(report, table) {
  const params = new URLSearchParams(location.search);
  params.set('table', table);
  return el('a', { class: 'xlsx', 'data-export-xlsx': table, href: `/v1/reports/${report}.xlsx?${params}`,
                   download: `${report}-${table}.xlsx` }, '导出 Excel');
}

// The address of the customers behind a figure (nullopt: it has none), keeping the page's filters.
function drillLink(report, table, column, row) {
  const spec = ((DRILL[report] || {})[table] || {})[column];
  if (!spec || typeof row[column] !== 'number' || row[column] === 0) return null;
  const current = new URLSearchParams(location.search);
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (current.get(key)) params.set(key, current.get(key));
  for (const [key, value] of Object.entries(spec)) {
    const filled = value.replace(/\{(\w+)\}/, (_, k) => row[k]);
    if (filled === ALL_ROW) params.delete(key);
    else params.set(key, filled);
  }
  return '/list?' + params;
}

// A horizontal bar per row: label, bar as long as the value, the value; a bar opens the customers
// behind it. Over TOP_N rows: the TOP_N largest, the rest in the table below.
function barChart(rows, labelKey, valueKey, link) {
  let data = rows.filter((r) => r[labelKey] !== ALL_ROW && typeof r[valueKey] === 'number');
  if (data.length === 0) return null;
  const all = data.length;
  if (all > TOP_N) data = [...data].sort((a, b) => b[valueKey] - a[valueKey]).slice(0, TOP_N);
  const max = Math.max(...data.map((r) => r[valueKey]), 1);
  const rowHeight = 24, labelWidth = 140, width = 600;
  // The text alternative: what each bar says.
  const summary = data.map((r) => `${show(r[labelKey])}: ${show(r[valueKey])}`).join('; ');
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${data.length * rowHeight + 4}`,
                             role: 'img', 'aria-label': `${valueKey} — ${summary}` });
  data.forEach((r, i) => {
    const y = i * rowHeight + 2;
    const barWidth = Math.max(0, (width - labelWidth - 60) * r[valueKey] / max);
    const href = link && link(r);
    const parent = href ? svg('a', { href, class: 'drill' }) : chart;
    parent.append(svg('text', { x: labelWidth - 6, y: y + 15, 'text-anchor': 'end' }, show(r[labelKey]).slice(0, 18)));
    parent.append(svg('rect', { x: labelWidth, y, width: barWidth, height: rowHeight - 6, rx: 2 }));
    parent.append(svg('text', { x: labelWidth + barWidth + 6, y: y + 15 }, show(r[valueKey])));
    if (href) chart.append(parent);
  });
  if (all <= TOP_N) return chart;
  return el('figure', { class: 'top-n' }, chart,
            el('figcaption', {}, `前 ${TOP_N} / ${all} · Top ${TOP_N} of ${all}; all of them in the table`));
}

// A table whose headers sort it (numbers as numbers, names naturally; the everyone row stays last)
// and whose rows show PAGE_ROWS at a time behind a pager.
function dataTable(table, linkIds, link) {
  // Numbers (and their headers) align right; a column is numeric when any of its values is.
  const numeric = new Set(table.columns.map((c) => c.key)
                            .filter((k) => table.rows.some((r) => typeof r[k] === 'number')));
  const rows = table.rows.filter((r) => r.agent !== ALL_ROW);
  const totals = table.rows.filter((r) => r.agent === ALL_ROW);
  const state = { key: null, descending: false, page: 0 };
  const body = el('tbody');
  const pager = el('p', { class: 'pager' });
  const head = el('tr');
  const headers = table.columns.map((col) => {
    const attrs = { 'data-col': col.key, scope: 'col', 'aria-sort': 'none' };
    if (numeric.has(col.key)) attrs.class = 'num';
    const th = el('th', attrs, el('button', { type: 'button', class: 'sort' }, col.label));
    th.firstChild.addEventListener('click', () => {
      state.descending = state.key === col.key ? !state.descending : numeric.has(col.key);
      state.key = col.key;
      state.page = 0;
      draw();
    });
    head.append(th);
    return th;
  });
  function rowElement(row) {
    const tr = el('tr', row.agent === ALL_ROW ? { class: 'total' } : {});
    for (const col of table.columns) {
      const value = row[col.key];
      const attrs = { 'data-col': col.key };
      if (numeric.has(col.key)) attrs.class = 'num';
      if (col.key === 'flag' && value) attrs.class = 'flag';
      const td = el('td', attrs);
      const href = link && link(col.key, row);
      if (linkIds && (col.key === 'id' || col.key === 'name') && row.id) {
        td.append(el('a', { href: '/customer?id=' + encodeURIComponent(row.id) }, show(value)));
      } else if (href) {
        td.append(el('a', { href, class: 'drill' }, show(value)));
      } else {
        td.textContent = cellText(col.key, value);
        if (TIMES.has(col.key) && value) td.title = `${value} (UTC)`;
      }
      tr.append(td);
    }
    return tr;
  }
  function draw() {
    const sorted = state.key === null ? rows : [...rows].sort((a, b) =>
      (state.descending ? -1 : 1) * compareValues(a[state.key], b[state.key]));
    headers.forEach((th, i) => th.setAttribute('aria-sort', table.columns[i].key !== state.key ? 'none'
                                                 : state.descending ? 'descending' : 'ascending'));
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_ROWS));
    const shown = sorted.slice(state.page * PAGE_ROWS, (state.page + 1) * PAGE_ROWS);
    body.replaceChildren(...[...shown, ...totals].map(rowElement));
    pager.hidden = pages === 1;
    const move = (label, to, disabled) => {
      const button = el('button', { type: 'button' }, label);
      button.disabled = disabled;
      button.addEventListener('click', () => { state.page = to; draw(); });
      return button;
    };
    pager.replaceChildren(move('‹ 上一页 Previous', state.page - 1, state.page === 0),
      ` ${state.page * PAGE_ROWS + 1}–${state.page * PAGE_ROWS + shown.length} / ${sorted.length} `,
      move('下一页 Next ›', state.page + 1, state.page + 1 >= pages));
  }
  draw();
  const caption = el('caption', { class: 'visually-hidden' }, table.title || table.name);
  return el('div', { class: 'scroll' },
            el('table', { 'data-table': table.name }, caption, el('thead', {}, head), body), pager);
}

// A small column chart of one figure's trend, its values in its text alternative.
function trendChart(trend, figure) {
  const width = 180, height = 40, max = Math.max(1, ...trend.map((t) => t[figure.key]));
  const step = width / Math.max(1, trend.length);
  const summary = trend.map((t) => `${t.start} ${t[figure.key]}`).join('; ');
  const chart = svg('svg', { class: 'trend', viewBox: `0 0 ${width} ${height}`, role: 'img',
                             'aria-label': `${figure.label}: ${summary}` });
  trend.forEach((t, i) => {
    const h = (height - 2) * t[figure.key] / max;
    chart.append(svg('rect', { x: i * step + step * 0.1, y: height - h, width: step * 0.8, height: h }));
  });
  return chart;
}

// The row of key figures: each with its change against the previous period of the same length
// (▲/▼ and %), a small trend chart, and the trend's table by day or week below.
function keyFiguresCard(kf) {
  const unit = kf.unit === 'week' ? '周 Week from' : '日 Day';
  const card = el('section', { class: 'card', 'data-section': 'key_figures' }, el('h2', {}, '关键指标 Key figures'));
  card.append(el('p', { class: 'covers' }, `对比上期 Compared with the previous period ${periodText(kf.previous)}`));
  const row = el('div', { class: 'figures' });
  for (const f of kf.figures) {
    const arrow = f.change_pct === null ? '' : f.change_pct > 0 ? '▲ ' : f.change_pct < 0 ? '▼ ' : '';
    const change = f.change_pct === null ? '— (上期无 none before)' : `${arrow}${Math.abs(f.change_pct)}%`;
    row.append(el('div', { class: 'figure', 'data-figure': f.key },
                  el('span', { class: 'label' }, f.label),
                  el('strong', { class: 'value' }, f.value.toLocaleString('zh-CN')),
                  el('span', { class: 'change', 'data-change': String(f.change_pct) }, change),
                  el('span', { class: 'previous' }, `上期 previous ${f.previous.toLocaleString('zh-CN')}`),
                  trendChart(kf.trend, f)));
  }
  card.append(row);
  const columns = [{ key: 'start', label: unit }, ...kf.figures.map((f) => ({ key: f.key, label: f.label }))];
  card.append(el('details', { class: 'trend-table' },
                 el('summary', {}, kf.unit === 'week' ? '按周 By week' : '按日 By day'),
                 dataTable({ name: 'trend', title: `Trend by ${kf.unit}`, columns, rows: kf.trend }, false)));
  return card;
}

// Each agent's team, from the pickers' data (/v1/reports/choices), fetched once.
let agentTeams = null;
async function teamOfAgents() {
  if (!agentTeams) {
    const response = await fetch('/v1/reports/choices', { credentials: 'same-origin' });
    const choices = response.ok ? await response.json() : { agents: [] };
    agentTeams = new Map(choices.agents.map((a) => [a.agent, a.team]));
  }
  return agentTeams;
}

const percent = (part, whole) => (whole ? Math.round(1000 * part / whole) / 10 : 0);

// The per-agent table rolled up into teams: a row per team (largest share first) with its sums,
// its share of everyone's, and its rates; a team's button expands its agents' rows beneath it.
// Counts open the team's customers as the agent's open theirs.
async function rollupTable(report, table, spec) {
  const teams = await teamOfAgents();
  const byTeam = new Map();
  for (const row of table.rows.filter((r) => r.agent !== ALL_ROW)) {
    const team = teams.get(row.agent) || '-';
    if (!byTeam.has(team)) byTeam.set(team, { team, agents: [], ...Object.fromEntries(spec.sum.map((k) => [k, 0])) });
    const sums = byTeam.get(team);
    sums.agents.push(row);
    for (const key of spec.sum) sums[key] += row[key] || 0;
  }
  const total = [...byTeam.values()].reduce((n, t) => n + t[spec.share], 0);
  const ratioKeys = Object.keys(spec.ratios);
  const columns = [{ key: 'team', label: '团队 Team' }, { key: 'share', label: `Share of ${spec.share} %` },
                   ...table.columns.filter((c) => spec.sum.includes(c.key) || ratioKeys.includes(c.key))];
  const body = el('tbody');
  const teamRows = [...byTeam.values()].sort((a, b) => b[spec.share] - a[spec.share] || COLLATOR.compare(a.team, b.team));
  for (const t of teamRows) {
    t.share = percent(t[spec.share], total);
    for (const [key, [part, whole]] of Object.entries(spec.ratios)) t[key] = percent(t[part], t[whole]);
    const toggle = el('button', { type: 'button', class: 'expand', 'aria-expanded': 'false' }, `${t.team} (${t.agents.length})`);
    const tr = el('tr', { class: 'team-row', 'data-team': t.team });
    for (const col of columns) {
      const td = el('td', { 'data-col': col.key, class: col.key === 'team' ? '' : 'num' });
      const drillable = ((DRILL[report.report] || {})[table.name] || {})[col.key];
      if (col.key === 'team') {
        td.append(toggle);
      } else if (drillable && t[col.key]) {
        const href = drillLink(report.report, table.name, col.key, { ...t, agent: ALL_ROW });
        const params = new URL(href, location.href).searchParams;
        params.set('team', t.team);
        td.append(el('a', { href: '/list?' + params, class: 'drill' }, show(t[col.key])));
      } else {
        td.textContent = show(t[col.key]);
      }
      tr.append(td);
    }
    const agentRows = t.agents.sort((a, b) => COLLATOR.compare(a.agent, b.agent)).map((a) => {
      const row = el('tr', { class: 'agent-row', 'data-team': t.team, hidden: '' });
      for (const col of columns) {
        const value = col.key === 'team' ? a.agent : col.key === 'share' ? percent(a[spec.share], total) : a[col.key];
        row.append(el('td', { 'data-col': col.key === 'team' ? 'agent' : col.key, class: col.key === 'team' ? 'indent' : 'num' },
                      show(value)));
      }
      return row;
    });
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      for (const row of agentRows) row.hidden = !open;
    });
    body.append(tr, ...agentRows);
  }
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', class: c.key === 'team' ? '' : 'num' }, c.label)));
  const card = el('section', { class: 'card', 'data-section': `${table.name}_by_team` },
                  el('h2', {}, `按团队 By team: ${table.title}`),
                  el('p', { class: 'covers' }, '团队汇总，点团队展开其顾问 Teams summed; open a team for its agents'));
  card.append(el('div', { class: 'scroll' },
                 el('table', { 'data-table': `${table.name}_by_team` },
                    el('caption', { class: 'visually-hidden' }, `${table.title}, by team`), el('thead', {}, head), body)));
  return card;
}

function renderReport(main, report) {
  main.replaceChildren(el('h1', {}, report.title));
  const f = report.filter;
  if (f.zone) zone = f.zone;
  const usesPeriod = report.tables.some((t) => t.period === 'period');
  for (const field of document.querySelectorAll('.period-field')) field.hidden = !usesPeriod;
  const scope = ['team', 'agent', 'project'].filter((k) => f[k]).map((k) => `${k}: ${f[k]}`);
  main.append(el('p', { class: 'period' },
                 (usesPeriod ? periodText(f) : COVERS.now) + (scope.length ? ' · ' + scope.join(' · ') : '')),
              el('p', { class: 'zone', 'data-zone': zone }, `时区 Time zone: ${zone}`));
  if (report.key_figures && usesPeriod) main.append(keyFiguresCard(report.key_figures));
  for (const table of report.tables) {
    const period = table.period || 'period';
    const card = el('section', { class: 'card', 'data-section': table.name }, el('h2', {}, table.title));
    card.append(el('p', { class: 'covers', 'data-period': period },
                   period === 'period' ? periodText(f) : COVERS[period]));
    const link = (column, row) => drillLink(report.report, table.name, column, row);
    if (table.chart) {
      const chart = barChart(table.rows, table.chart.label, table.chart.value,
                             (row) => link(table.chart.value, row));
      if (chart) card.append(chart);
    }
    // A note says why a table could not be computed (e.g. no tiering plugin on the server).
    if (table.note) {
      card.append(el('p', { class: 'note' }, table.note));
    } else if (table.rows.length) {
      const csv = el('button', { type: 'button', class: 'csv', 'data-export': table.name }, '导出 CSV');
      csv.addEventListener('click', () => downloadCsv(`${report.report}-${table.name}.csv`, table.columns, table.rows));
      const linkIds = ['churn', 'customer_list', 'search', 'reception'].includes(report.report);
      card.append(dataTable(table, linkIds, link), csv, ' ', xlsxLink(report.report, table.name));
    } else {
      card.append(el('p', { class: 'empty' }, EMPTY[period]));
    }
    main.append(card);
    // The whole company's per-agent tables also roll up into teams, above the agents' table.
    const rollup = (ROLLUPS[report.report] || {})[table.name];
    if (rollup && !f.team && !f.agent && table.rows.length) {
      const place = el('div');
      card.before(place);
      rollupTable(report, table, rollup).then((section) => place.replaceWith(section)).catch(() => place.remove());
    }
  }
}

// The customers behind a figure, a page at a time, sorted on the server (its headers re-sort,
// the pager pages, the export takes every page).
function renderList(main, list) {
  renderReport(main, list);
  const table = list.tables[0];
  const card = main.querySelector('section.card');
  const here = new URLSearchParams(location.search);
  const go = (changes) => {
    for (const [key, value] of Object.entries(changes)) here.set(key, value);
    return '/list?' + here;
  };
  for (const th of card.querySelectorAll('th')) {
    const key = th.dataset.col;
    const order = list.sort === key && list.order === 'asc' ? 'desc' : 'asc';
    th.setAttribute('aria-sort', list.sort !== key ? 'none' : list.order === 'asc' ? 'ascending' : 'descending');
    th.replaceChildren(el('a', { href: go({ sort: key, order, page: 1 }), class: 'sort' }, th.textContent));
  }
  const pages = Math.max(1, Math.ceil(list.total / list.page_size));
  const first = (list.page - 1) * list.page_size;
  const pager = el('p', { class: 'pager server-pager' },
                   `${list.total ? first + 1 : 0}–${first + table.rows.length} / ${list.total} `);
  if (list.page > 1) pager.append(el('a', { href: go({ page: list.page - 1 }), rel: 'prev' }, '‹ 上一页 Previous'), ' ');
  if (list.page < pages) pager.append(el('a', { href: go({ page: list.page + 1 }), rel: 'next' }, '下一页 Next ›'));
  card.append(pager);
  const csv = card.querySelector('button.csv');
  if (csv) {
    csv.replaceWith(csv.cloneNode(true));  // the whole list, not this page
    card.querySelector('button.csv').addEventListener('click', async () => {
      const all = new URLSearchParams(here);
      all.set('page', 1);
      all.set('page_size', 50000);
      const response = await fetch(`/v1/reports/customer_list?${all}`, { credentials: 'same-origin' });
      const data = await response.json();
      downloadCsv(`customers-${list.of}.csv`, table.columns, data.tables[0].rows);
    });
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
  if (data.zone) zone = data.zone;
  main.replaceChildren(el('h1', {}, `${record.name || ''} · ${record.id}`));
  const fields = el('dl', { class: 'record' });
  for (const [key, value] of Object.entries(record)) {
    fields.append(el('dt', {}, key), el('dd', { 'data-field': key }, cellText(key, value)));
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
      `stamped ${localTime(first.stamped_at)}, accepted ${first.accepted_at ? localTime(first.accepted_at) : '?'} (${zone})`));
  }
  history.append(dataTable({
    name: 'history',
    // What changed first; where it came from after (device and record ids are long).
    columns: [['stamped_at', `Stamped (${zone})`], ['field', 'Field'], ['value', 'Value'], ['agent', 'Agent'],
              ['accepted_at', `Accepted (${zone})`], ['device', 'Device'], ['record', 'Record']]
      .map(([key, label]) => ({ key, label })),
    rows: data.history.changes,
  }, false));
  main.append(history);
}

function customerSearch(main, message) {
  const form = el('form', { method: 'get', action: '/search', class: 'card' },
                  el('label', {}, '姓名或手机 Name or phone (any format, or its last 4 digits) ',
                     el('input', { name: 'q', required: '' })),
                  el('button', { type: 'submit' }, '搜索 Search'));
  main.replaceChildren(el('h1', {}, '客户档案 Customer'), form);
  if (message) main.append(el('p', { class: 'error' }, message));
}

// The team, agent and project fields suggest what the store holds (/v1/reports/choices).
async function fillPickers() {
  const response = await fetch('/v1/reports/choices', { credentials: 'same-origin' });
  if (!response.ok) return;
  const choices = await response.json();
  const fill = (id, items, key, label) => document.getElementById(id).replaceChildren(
    ...items.sort((a, b) => COLLATOR.compare(a[key], b[key]))
      .map((item) => el('option', { value: item[key], label: label(item) })));
  fill('teams', choices.teams, 'team', (t) => `${t.customers} 客户`);
  fill('agents', choices.agents, 'agent', (a) => `${a.team} · ${a.customers} 客户`);
  fill('projects', choices.projects, 'project', (p) => `${p.customers} 客户`);
}

// Who is logged in; a team leader's team field is fixed to their team (the server enforces it).
async function showWho(filters) {
  const response = await fetch('/v1/reports', { credentials: 'same-origin' });
  if (!response.ok) return;
  const { who } = await response.json();
  document.getElementById('who').textContent =
    `${who.name} · ${who.role === 'leader' ? `组长 Team leader, ${who.team}` : '总部 Head office'}`;
  if (who.role === 'leader') {
    filters.elements.team.value = who.team;
    filters.elements.team.readOnly = true;
  }
}

// Date presets: each sets From and To (the last day included) in the page's zone, whose midnight
// the server also reads the dates at, and applies the filters. Days are counted on UTC dates
// standing for the zone's calendar days.
const day = (date) => date.toISOString().slice(0, 10);
const utcDate = (year, month, date) => new Date(Date.UTC(year, month, date));
const PRESETS = [
  ['今天 Today', (t) => [t, t]],
  ['本周 This week', (t) => [utcDate(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() - (t.getUTCDay() + 6) % 7), t]],
  ['本月 This month', (t) => [utcDate(t.getUTCFullYear(), t.getUTCMonth(), 1), t]],
  ['上月 Last month', (t) => [utcDate(t.getUTCFullYear(), t.getUTCMonth() - 1, 1), utcDate(t.getUTCFullYear(), t.getUTCMonth(), 0)]],
  ['本季度 This quarter', (t) => [utcDate(t.getUTCFullYear(), t.getUTCMonth() - t.getUTCMonth() % 3, 1), t]],
];
function addPresets(filters) {
  const box = document.getElementById('presets');
  for (const [label, range] of PRESETS) {
    const button = el('button', { type: 'button', 'data-preset': label.split(' ')[0] }, label);
    button.addEventListener('click', () => {
      const [from, to] = range(new Date(zoneDay(Date.now()) + 'T00:00:00Z'));
      filters.elements.from.value = day(from);
      filters.elements.to.value = day(to);
      filters.requestSubmit();
    });
    box.append(button);
  }
}

async function load() {
  const page = PAGES.find((p) => p.path === location.pathname) || PAGES[0];
  const nav = document.getElementById('nav');
  for (const p of PAGES.filter((p) => !p.hidden)) {
    nav.append(el('a', { href: p.path + location.search.replace(/([?&])id=[^&]*&?/, '$1'),
                         class: p === page ? 'active' : '' }, p.label));
  }
  const params = new URLSearchParams(location.search);
  const filters = document.getElementById('filters');
  for (const input of filters.querySelectorAll('input')) input.value = params.get(input.name) || '';
  filters.hidden = page.report === 'customer' || page.report === 'search';
  document.querySelector('#search input').value = page.report === 'search' ? params.get('q') || '' : '';
  addPresets(filters);
  if (!filters.hidden) fillPickers().catch(() => {});  // the fields still take typed names
  showWho(filters).catch(() => {});
  const main = document.getElementById('main');
  if (page.report === 'customer' && !params.get('id')) return customerSearch(main, '');
  if (page.report === 'search' && !params.get('q')) return customerSearch(main, '');
  // Empty filter fields are left out of the query.
  for (const [key, value] of [...params]) if (!value) params.delete(key);
  const response = await fetch(`/v1/reports/${page.report}?${params}`, { credentials: 'same-origin' });
  if (response.status === 401) return location.reload();  // the session ended: the login form
  const data = await response.json();
  if (!response.ok) {
    if (page.report === 'customer') return customerSearch(main, data.error.message);
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, data.error.message));
    document.body.dataset.loaded = 'error';
    return;
  }
  if (page.report === 'customer') renderCustomer(main, data);
  else if (page.report === 'customer_list') renderList(main, data);
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
