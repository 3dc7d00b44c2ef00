// The head-office dashboard end to end, as a person uses it: fieldcrm-server on 127.0.0.1 with a
// store seeded by real tablets through sync (seed_dashboard.cc), Debian's chromium driven by
// playwright-core. Logs in, opens every page, applies agent, team, project and period filters,
// asserts the figures the seed implies, saves a screenshot of each page, and checks that nothing
// answers without a login.
//   node dashboard.test.mjs FIELDCRM_SERVER DASHBOARD_SEED ARTIFACT_DIR PLUGINS_DIR
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { CHROMIUM, setUp } from './browser.mjs';

const { args, chromium } = setUp('dashboard_e2e', 4,
  'node dashboard.test.mjs FIELDCRM_SERVER DASHBOARD_SEED ARTIFACT_DIR PLUGINS_DIR');
const [serverBin, seedBin, artifacts, pluginsDir] = args;
const started = Date.now();

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcrm-e2e-'));
fs.mkdirSync(artifacts, { recursive: true });
// Head office's store: a file, or the PostgreSQL database dashboard_e2e_postgres runs it on.
const db = process.env.FIELDCRM_E2E_SERVER_DB || path.join(work, 'server.db');
const server = (...args) => execFileSync(serverBin, ['--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tokenWang = server('token', 'create', '--agent', '王芳', '--team', '滨江一组');
const tokenLi = server('token', 'create', '--agent', '李强', '--team', '西湖二组');
const tokenOffice = server('token', 'create', '--agent', '总部', '--role', 'office');
// 西湖二组's reception tablet syncs with its leader's token.
const tokenFrontLi = server('token', 'create', '--agent', '前台', '--team', '西湖二组', '--role', 'leader');
// The dashboard's people, as head office's admin adds them (the password on stdin).
const OFFICE_PASSWORD = 'head-office-2026', LEADER_PASSWORD = 'west-lake-2026';
const addUser = (args, password) => execFileSync(serverBin, ['--db', db, 'users', 'add', ...args],
                                                 { input: password + '\n', stdio: ['pipe', 'pipe', 'ignore'] });
addUser(['总部刘', '--role', 'office'], OFFICE_PASSWORD);
addUser(['周组长', '--team', '西湖二组', '--role', 'leader'], LEADER_PASSWORD);
// Head office's zone is the server's TZ; 西湖二组 works from London (8 hours behind in winter).
const OFFICE_ZONE = 'Asia/Shanghai', LONDON = 'Europe/London';
server('teams', 'zone', '西湖二组', LONDON);
// The calendar day (YYYY-MM-DD) of an instant in a zone.
const zoneDay = (ms, zone = OFFICE_ZONE) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(ms);

const serve = spawn(serverBin, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--insecure-http', '--plugins', pluginsDir],
                    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: OFFICE_ZONE } });
let serverLog = '';
serve.stderr.on('data', (chunk) => { serverLog += chunk; });
const url = await new Promise((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (chunk) => {
    out += chunk;
    const match = out.match(/listening on (http:\/\/\S+)/);
    if (match) resolve(match[1]);
  });
  serve.on('exit', (code) => reject(new Error(`fieldcrm-server exited with ${code}: ${serverLog}`)));
});

let context;
let checks = 0;
function check(actual, expected, what) {
  assert.deepEqual(actual, expected, what);
  checks += 1;
}

// The Tiers page and the customer page's tier, graded by the tiering plugin the server loaded
// (--plugins) with its default rules, as of now: 张伟 (intent, signed 300万, a visit and a call,
// NPS 10) and 赵敏 (signed 420万) are B, the other five D, among them 刘洋 (an owner who referred
// 张伟 but was never contacted: registering earns no recency); the two who signed are the core
// segment, 刘洋 dormant and the four visited lately developing.
async function checkTiers({ page, open, cell, shot, ids }) {
  for (const endpoint of ['/tiers', '/v1/reports/tiers']) {
    check((await fetch(url + endpoint)).status, 401, `GET ${endpoint} without login`);
  }
  await open('/tiers', 'tiers');
  for (const [tier, customers] of [['A', 0], ['B', 2], ['C', 0], ['D', 5]]) {
    check(await cell('by_tier', 'tier', tier, 'customers'), String(customers), `tier ${tier} customers`);
  }
  check(await page.locator('section[data-section="by_tier"] svg.chart rect').count(), 4, 'one bar per tier');
  check(await cell('by_segment', 'segment', 'core', 'customers'), '2', 'core segment');
  check(await cell('by_segment', 'segment', 'developing', 'customers'), '4', 'developing segment');
  check(await cell('by_segment', 'segment', 'dormant', 'customers'), '1', 'dormant: 刘洋, never contacted');
  await shot('tiers');
  await open(`/tiers?agent=${encodeURIComponent('李强')}`, 'tiers');
  check(await cell('by_tier', 'tier', 'B', 'customers'), '1', '李强: 赵敏 is B');
  check(await cell('by_tier', 'tier', 'D', 'customers'), '2', '李强: 陈静 and 杨磊 are D');

  await open(`/customer?id=${ids.zhang_wei}`, 'customer');
  check(await page.textContent('section[data-section="tier"] [data-field="tier"]'), 'B', '张伟 is tier B');
  check(await page.locator('table[data-table="tier_factors"] tbody tr').count(), 7, 'the seven factors behind it');
  check(await cell('tier_factors', 'name', 'deals', 'points'), '15', 'his signed deal earns the deals points');
  await shot('customer-tier');
}

// What makes the dashboard a manager's tool: figures that are right and say what time they cover,
// every count opening the customers behind it (sortable, paged, exportable), search by phone in
// any format or by name, pickers fed from the data, date presets, CSV export, clear errors.
async function checkManagerTools({ page, open, cell, rows, empty, shot, FUNNEL, ALL }) {
  // Registering customers (with whatever stage) moves nobody; the by_team table is about now.
  await open('/', 'customers');
  check(await empty('moves'), true, 'registrations are not stage moves');
  check(await page.textContent('section[data-section="by_team"] .covers'), '现在 Now', 'by_team says it is about now');
  // A count opens its customers; a header sorts them; a name opens the customer.
  const teamRow = page.locator('table[data-table="by_team"] tbody tr',
                               { has: page.locator('td[data-col="team"]', { hasText: /^西湖二组$/ }) });
  await Promise.all([page.waitForURL(/\/list\?/), teamRow.locator('td[data-col="customers"] a').click()]);
  await page.waitForSelector('body[data-loaded="customer_list"]');
  check((await rows('customers', ['name'])).flat().sort(), ['杨磊', '赵敏', '陈静'].sort(), 'drill-down: 西湖二组\'s three customers');
  await Promise.all([page.waitForURL(/sort=name&order=asc/), page.click('th[data-col="name"] a')]);
  await page.waitForSelector('body[data-loaded="customer_list"]');
  const names = (await rows('customers', ['name'])).flat();
  check(names, [...names].sort(), 'drill-down: sorted by name on the server');
  await shot('customer-list');
  await Promise.all([page.waitForURL(/\/customer\?id=/), page.click('table[data-table="customers"] a:text-is("赵敏")')]);
  await page.waitForSelector('body[data-loaded="customer"]');
  check(await page.textContent('dd[data-field="name"]'), '赵敏', 'drill-down: from the list to the customer');

  // The funnel's visited count of 王芳 opens the three customers she visited in the period.
  await open('/funnel', 'funnel');
  const wangRow = page.locator('table[data-table="by_agent"] tbody tr',
                               { has: page.locator('td[data-col="agent"]', { hasText: /^王芳$/ }) });
  await Promise.all([page.waitForURL(/of=visited/), wangRow.locator('td[data-col="visited"] a').click()]);
  await page.waitForSelector('body[data-loaded="customer_list"]');
  check((await rows('customers', ['name'])).flat().sort(), ['张伟', '李娜', '王秀英'].sort(), 'drill-down: 王芳\'s visited customers');

  // The whole company's funnel rolls up into teams, largest share first; a team opens its agents.
  await open('/funnel', 'funnel');
  await page.waitForSelector('table[data-table="by_agent_by_team"]');
  check(await page.$$eval('table[data-table="by_agent_by_team"] tr.team-row',
                          (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent.trim()))),
        [['滨江一组 (1)', '60', '3', '2'], ['西湖二组 (1)', '40', '2', '1']], 'roll-up: teams, their shares and sums');
  check(await page.isHidden('tr.agent-row[data-team="滨江一组"]'), true, 'roll-up: agents folded at first');
  await page.click('tr.team-row[data-team="滨江一组"] button.expand');
  check(await page.textContent('tr.agent-row[data-team="滨江一组"] td[data-col="agent"]'), '王芳', 'roll-up: a team opens its agents');
  await shot('funnel-rollup');

  // CSV export: UTF-8 with a byte-order mark (Excel reads the Chinese right).
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.click('section[data-section="by_agent"] button.csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  check(csv.startsWith('\ufeff"Agent","Visited"'), true, 'CSV export starts with the BOM and the headers');
  check(csv.includes('"王芳","3","2","2","1"'), true, 'CSV export carries the rows');
  // Beside it, the same table as an .xlsx workbook made by the server (a zip: names stored plain).
  const [workbook] = await Promise.all([page.waitForEvent('download'),
                                        page.click('section[data-section="by_agent"] a.xlsx')]);
  const xlsx = fs.readFileSync(await workbook.path());
  check(workbook.suggestedFilename(), 'funnel-by_agent.xlsx', '.xlsx export: its file name');
  check(xlsx.subarray(0, 4).toString('latin1') === 'PK\x03\x04' && xlsx.includes('xl/workbook.xml'), true,
        '.xlsx export: a zip holding xl/workbook.xml');

  // Pickers fed from the data; presets fill the period.
  await page.waitForFunction(() => document.querySelectorAll('#teams option').length > 0);
  check(await page.$$eval('#teams option', (os) => os.map((o) => o.value)), ['滨江一组', '西湖二组'], 'team picker');
  check((await page.$$eval('#agents option', (os) => os.map((o) => o.value))).sort(), ['李强', '王芳'].sort(), 'agent picker');
  check(await page.$$eval('#projects option', (os) => os.map((o) => o.value)).then((v) => v.length), 2, 'project picker');
  // Presets count days in the page's zone (head office's here), whatever the browser's is.
  const today = new Date(zoneDay(Date.now()) + 'T00:00:00Z');
  const ymd = (d) => d.toISOString().slice(0, 10);
  const utc = (y, m, d) => new Date(Date.UTC(y, m, d));
  const preset = async (label, from, to) => {
    await Promise.all([page.waitForURL((u) => u.searchParams.get('from') === from && u.searchParams.get('to') === to),
                       page.click(`button[data-preset="${label}"]`)]);
    await page.waitForSelector('body[data-loaded="funnel"]');
    check(await page.inputValue('#filters input[name="from"]'), from, `preset ${label}: from`);
    check(await page.inputValue('#filters input[name="to"]'), to, `preset ${label}: to`);
  };
  await preset('本月', ymd(utc(today.getUTCFullYear(), today.getUTCMonth(), 1)), ymd(today));
  // Every period page compares with the period before it, of the same length.
  const prevTo = ymd(utc(today.getUTCFullYear(), today.getUTCMonth(), 0));
  check((await page.textContent('section[data-section="key_figures"] .covers')).endsWith(` → ${prevTo}`), true,
        'preset 本月: compared with the days just before the month');
  await preset('上月', ymd(utc(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)), prevTo);
  check(await page.locator('section[data-section="key_figures"] [data-figure]').count(), 3, 'preset 上月: three key figures');
  await shot('funnel-presets');

  // Pages that ignore the period hide its fields and say "now".
  await open('/churn', 'churn');
  check(await page.isHidden('#filters input[name="from"]'), true, 'churn: no From field');
  check(await page.textContent('section[data-section="by_agent"] .covers'), '现在 Now', 'churn: about now');
  // The referral programme counts referral-sourced customers: 李娜 (source) and 张伟 (referee).
  await open('/referrals', 'referrals');
  check(await rows('referred_customers', ['registered', 'referred', 'referred_all', 'without_referrer']),
        [['7', '2', '2', '1']], 'referred customers');
  check(await page.textContent('section[data-section="leaderboard"] .covers'), '全部时间 All time', 'leaderboard: all time');

  // A team typed wrong is a clear message naming the teams.
  await page.goto(`${url}/?team=${encodeURIComponent('滨江九组')}`);
  await page.waitForSelector('body[data-loaded="error"]');
  check((await page.textContent('main .error')).includes("no team '滨江九组' among the customers here; the teams are: 滨江一组, 西湖二组"),
        true, 'unknown team: a clear message');

  // Search by phone in any format or its last 4 digits, and by name.
  for (const [query, name] of [['135 0000 4444', '陈静'], ['+86 135-0000-4444', '陈静'], ['4444', '陈静'], ['赵', '赵敏']]) {
    await page.fill('#search input', query);
    await Promise.all([page.waitForURL((u) => u.searchParams.get('q') === query), page.click('#search button')]);
    await page.waitForSelector('body[data-loaded="search"]');
    check((await rows('customers', ['name'])).flat(), [name], `search '${query}'`);
  }
  await shot('search');
  await Promise.all([page.waitForURL(/\/customer\?id=/), page.click('table[data-table="customers"] a:text-is("赵敏")')]);
  await page.waitForSelector('body[data-loaded="customer"]');
}

// A team leader (周组长 of 西湖二组) logs in with name and password and sees their team alone:
// the pages, the figures, the search; another team's report or customer is refused by the server.
async function checkTeamLeader({ page, open, rows, shot, ids, FUNNEL, ALL }) {
  await page.goto(url + '/');
  if (await page.locator('.logout button').count()) {
    await Promise.all([page.waitForURL(url + '/'), page.click('.logout button')]);
  }
  await page.fill('#name', '周组长');
  await page.fill('#password', LEADER_PASSWORD);
  await Promise.all([page.waitForURL(url + '/'), page.click('#log-in')]);
  await open('/funnel', 'funnel');
  check(await rows('by_agent', FUNNEL), [['李强', '2', '1', '1', '1', '50'], [ALL, '2', '1', '1', '1', '50']],
        'leader: their team\'s funnel alone');
  check((await page.textContent('#who')).includes('西湖二组'), true, 'leader: who is logged in');
  await page.waitForFunction(() => document.querySelector('#filters input[name="team"]').readOnly);
  check(await page.inputValue('#filters input[name="team"]'), '西湖二组', 'leader: the team field is theirs');
  await shot('leader-funnel');
  await open('/reception', 'reception');
  check(await page.locator('section[data-section="by_team"]').count(), 0, 'leader: their office\'s log, no table by team');
  check(await rows('by_agent', ['agent', 'walk_ins']), [['李强', '2']], 'leader: their office\'s walk-ins');
  const status = (path) => page.evaluate(async (p) => (await fetch(p)).status, path);
  check(await status(`/v1/reports/customers?team=${encodeURIComponent('滨江一组')}`), 403, 'leader: another team\'s report is refused');
  check(await status(`/v1/reports/customer?id=${ids.zhang_wei}`), 403, 'leader: another team\'s customer is refused');
  check(await status(`/v1/reports/customer?id=${ids.yang_lei}`), 200, 'leader: their own customer opens');
  await page.fill('#search input', '张伟');
  await Promise.all([page.waitForURL(/\/search\?q=/), page.click('#search button')]);
  await page.waitForSelector('body[data-loaded="search"]');
  check(await page.locator('section[data-section="customers"] p.empty').count(), 1, 'leader: search finds nothing of another team');
  await Promise.all([page.waitForURL(url + '/'), page.click('.logout button')]);
}

try {
  // Run without blocking this process: the server's request log comes through a pipe that
  // must keep being read, or the server stalls writing to it.
  const seeded = await promisify(execFile)(seedBin, [url, tokenWang, tokenLi, tokenOffice, work, tokenFrontLi, pluginsDir], { encoding: 'utf8' });
  const ids = JSON.parse(seeded.stdout);

  // Without a login: every page and report answers 401; an agent's token gets 403 on reports.
  const pages = ['/', '/funnel', '/followups', '/churn', '/referrals', '/surveys', '/complaints', '/retention',
                 '/reception', '/devices', '/customer',
                 '/assets/app.js', '/assets/app.css'];
  const reports = ['customers', 'funnel', 'followups', 'churn', 'referrals', 'surveys', 'complaints', 'retention',
                   'reception', 'devices',
                   `customer?id=${ids.zhang_wei}`, ''];
  for (const p of pages) {
    const res = await fetch(url + p);
    check(res.status, 401, `GET ${p} without login`);
    if (p.startsWith('/assets')) continue;
    check((await res.text()).includes('action="/login"'), true, `${p} shows the login form`);
  }
  for (const r of reports) {
    const endpoint = `/v1/reports/${r}`.replace(/\/$/, '');
    check((await fetch(url + endpoint)).status, 401, `GET ${endpoint} without login`);
    check((await fetch(url + endpoint, { headers: { Authorization: 'Bearer fcrm_wrong' } })).status, 401,
          `GET ${endpoint} with an unknown token`);
    check((await fetch(url + endpoint, { headers: { Authorization: `Bearer ${tokenWang}` } })).status, 403,
          `GET ${endpoint} with an agent's token`);
  }
  const bearer = await fetch(`${url}/v1/reports/funnel`, { headers: { Authorization: `Bearer ${tokenOffice}` } });
  check(bearer.status, 200, 'the JSON API takes an office bearer token');

  const profile = path.join(work, 'chromium-profile');  // fresh every run
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  // Nothing but this server: no request may leave for the internet.
  await page.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));

  const first = await page.goto(url + '/');
  check(first.status(), 401, 'the browser gets the login form first');
  // The token path stays for admins and scripts, behind its disclosure; an agent's is refused.
  await page.click('#login summary');
  await page.fill('#token', tokenWang);
  await Promise.all([page.waitForLoadState(), page.click('#token-log-in')]);
  check((await page.textContent('#message')).includes("agent's token"), true, 'an agent cannot log in');
  await page.fill('#name', '总部刘');
  await page.fill('#password', 'not-the-password');
  await Promise.all([page.waitForLoadState(), page.click('#log-in')]);
  check((await page.textContent('#message')).includes('wrong password'), true, 'a wrong password is refused');
  // Head office's person logs in with a name and a password.
  await page.fill('#name', '总部刘');
  await page.fill('#password', OFFICE_PASSWORD);
  await Promise.all([page.waitForURL(url + '/'), page.click('#log-in')]);
  const cookies = await context.cookies(url);
  const session = cookies.find((c) => c.name === 'fieldcrm_session');
  check(Boolean(session && session.httpOnly && session.sameSite === 'Strict'), true, 'HttpOnly SameSite=Strict session cookie');

  async function open(pathAndQuery, report) {
    await page.goto(url + pathAndQuery);
    await page.waitForSelector(`body[data-loaded="${report}"]`);
  }
  async function shot(name) {
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  }
  // The text of column `col` in the row of table `table` whose column `keyCol` reads `key`.
  async function cell(table, keyCol, key, col) {
    const row = page.locator(`table[data-table="${table}"] tbody tr`, {
      has: page.locator(`td[data-col="${keyCol}"]`, { hasText: new RegExp(`^${key.replace(/[()]/g, '\\$&')}$`) }),
    });
    return (await row.locator(`td[data-col="${col}"]`).textContent()).trim();
  }
  const ALL = '(全部 all)';
  // A table's rows, each as the text of the given columns.
  const rows = (table, cols) => page.$$eval(`table[data-table="${table}"] tbody tr`,
    (trs, keys) => trs.map((tr) => keys.map((k) => tr.querySelector(`td[data-col="${k}"]`).textContent.trim())), cols);

  await open('/', 'customers');
  check(await cell('by_stage', 'stage', 'prospect', 'customers'), '5', 'prospects');
  check(await cell('by_stage', 'stage', 'intent', 'customers'), '1', 'intent');
  check(await cell('by_stage', 'stage', 'owner', 'customers'), '1', 'owners');
  check(await cell('by_team', 'team', '滨江一组', 'customers'), '4', '滨江一组 customers');
  check(await cell('by_team', 'team', '西湖二组', 'customers'), '3', '西湖二组 customers');
  check(await page.locator('section[data-section="by_stage"] svg.chart rect').count(), 3, 'one bar per stage');
  await shot('customers');

  await open('/funnel', 'funnel');
  for (const [agent, visited, intent, reserved, signed] of [['王芳', 3, 2, 2, 1], ['李强', 2, 1, 1, 1], [ALL, 5, 3, 3, 2]]) {
    check(await cell('by_agent', 'agent', agent, 'visited'), String(visited), `${agent} visited`);
    check(await cell('by_agent', 'agent', agent, 'intent'), String(intent), `${agent} intent`);
    check(await cell('by_agent', 'agent', agent, 'reserved'), String(reserved), `${agent} reserved`);
    check(await cell('by_agent', 'agent', agent, 'signed'), String(signed), `${agent} signed`);
  }
  check(await cell('by_agent', 'agent', ALL, 'overall_pct'), '40', 'visit to signed, everyone');
  await shot('funnel');

  // One filter, through the form: only 李强's customers.
  await page.fill('#filters input[name="agent"]', '李强');
  await Promise.all([page.waitForURL(/agent=/), page.click('#apply')]);
  await page.waitForSelector('body[data-loaded="funnel"]');
  check(await page.locator('table[data-table="by_agent"] tbody tr').count(), 2, 'the filter leaves 李强 and the total');
  check(await cell('by_agent', 'agent', ALL, 'visited'), '2', 'everyone = 李强 under the filter');
  check((await page.textContent('.period')).includes('agent: 李强'), true, 'the filter is shown');
  await shot('funnel-filtered-agent');

  await open('/followups', 'followups');
  check(await cell('by_agent', 'agent', '王芳', 'overdue_tasks'), '1', '王芳 overdue tasks');
  check(await cell('by_agent', 'agent', '王芳', 'visits_without_followup'), '2', '王芳 visits without follow-up');
  check(await cell('by_agent', 'agent', '李强', 'visits_without_followup'), '1', '李强 visits without follow-up');
  check(await cell('sla_by_tier', 'tier', 'D', 'overdue_tasks'), '1', 'SLA breaches of tier D (王秀英)');
  await shot('followups');

  await open('/churn', 'churn');
  check(await cell('by_agent', 'agent', '李强', 'at_risk'), '1', '李强 at risk');
  check(await cell('by_agent', 'agent', '王芳', 'at_risk'), '0', '王芳 at risk');
  check(await cell('customers', 'name', '杨磊', 'agent'), '李强', 'the silent customer is listed');
  await shot('churn');

  await open('/referrals', 'referrals');
  check(await page.textContent('table[data-table="share"] td[data-col="signed_deals"]'), '2', 'signed deals');
  check(await page.textContent('table[data-table="share"] td[data-col="referral_share_pct"]'), '50', 'referral share');
  check(await page.textContent('table[data-table="share"] td[data-col="points"]'), '1000', 'points granted');
  check(await cell('leaderboard', 'referrer', '刘洋', 'referrals'), '1', 'leaderboard');
  await shot('referrals');

  await open('/surveys', 'surveys');
  check(await page.textContent('table[data-table="by_month"] td[data-col="responses"]'), '3', 'responses');
  check(await page.textContent('table[data-table="by_month"] td[data-col="nps"]'), '33.3', 'NPS');
  check(await page.textContent('table[data-table="by_month"] td[data-col="satisfaction"]'), '4', 'satisfaction');
  check(await cell('comments', 'name', '陈静', 'answer'), '停车不方便', 'free-text answer in Chinese');
  await shot('surveys');

  await open('/complaints', 'complaints');
  for (const [col, want, what] of [['cases', '1', '李娜 complained'], ['rate_pct', '25', 'one of four customers'],
                                    ['first_in_time_pct', '100', 'answered within 2 h'],
                                    ['still_open', '1', 'not resolved yet']]) {
    check(await cell('by_project', 'grp', '滨江壹号', col), want, `滨江壹号 ${col}: ${what}`);
  }
  await shot('complaints');

  await open('/retention', 'retention');
  check(await cell('share', 'grp', ALL, 'signed_deals'), '2', 'signed deals');
  check(await cell('share', 'grp', ALL, 'referral_pct'), '50', 'referral share of sales');
  check(await cell('share', 'grp', ALL, 'repurchase_pct'), '0', 'no repeat buyer yet');
  await shot('retention');

  // The evening meeting's log of 西湖二组's sales office, from its reception tablet through sync:
  // 赵敏 came back to 李强, then a visitor who left only a phone.
  await open('/reception', 'reception');
  check(await rows('by_team', ['team', 'walk_ins', 'new', 'returning']), [['西湖二组', '2', '1', '1']],
        'reception: walk-ins by office');
  check(await rows('walk_ins', ['agent', 'name', 'phone', 'visit', 'reason']),
        [['李强', '赵敏', '+8613300006666', '回访 returning', 'returning'],
         ['李强', '', '+8613100008888', '新客 new', 'turn']], 'reception: every walk-in by time');
  check(await cell('by_source', 'source', 'walk-in', 'share_pct'), '100', 'both came in off the street');
  await shot('reception');
  await Promise.all([page.waitForURL(/\/customer\?id=/),
                     page.click('table[data-table="walk_ins"] td[data-col="name"] a')]);
  await page.waitForSelector('body[data-loaded="customer"]');
  check((await page.textContent('main h1')).includes('赵敏'), true, 'a returning walk-in opens their customer');

  await open('/devices', 'devices');
  check(await page.locator('table[data-table="devices"] tbody tr').count(), 4, 'four tablets synced');
  check(await cell('devices', 'agent', '王芳', 'pending'), '0', 'pending changes reported');
  check(await cell('devices', 'agent', '李强', 'app_version'), 'fieldcrm 0.1.0', 'app version reported');
  check(await page.locator('td.flag').count(), 0, 'nobody silent yet');
  await shot('devices');

  // Every page filters by team, project and period through the form; the filter lives in the
  // address (form order, UTF-8 percent-encoded), so the menu's links and a reload keep it.
  async function applyFilters(values, report) {
    const query = new URLSearchParams();
    const fields = await page.$$eval('#filters input', (inputs) => inputs.map((i) => [i.name, i.value]));
    for (const [name, value] of fields) {
      const wanted = values[name] || '';
      if (value !== wanted) await page.fill(`#filters input[name="${name}"]`, wanted);
      if (wanted) query.append(name, wanted);
    }
    await Promise.all([page.waitForURL((u) => u.search === `?${query}`), page.click('#apply')]);
    await page.waitForSelector(`body[data-loaded="${report}"]`);
    return `?${query}`;
  }
  async function follow(label, report, search) {
    await Promise.all([page.waitForURL((u) => u.search === search), page.click(`#nav a:text-is("${label}")`)]);
    await page.waitForSelector(`body[data-loaded="${report}"]`);
  }
  const empty = async (section) => (await page.locator(`section[data-section="${section}"] p.empty`).count()) === 1;
  const FUNNEL = ['agent', 'visited', 'intent', 'reserved', 'signed', 'overall_pct'];

  // Team 西湖二组 is 李强 with his tablet and his customers 陈静, 杨磊 and 赵敏, all prospects; of
  // those visited in the period (陈静, 赵敏) only 赵敏 has a deal, signed.
  let search = await applyFilters({ team: '西湖二组' }, 'devices');
  check(await rows('devices', ['agent', 'team']), [['前台', '西湖二组'], ['李强', '西湖二组']],
        'team: its tablets alone (the reception tablet synced last)');
  await follow('客户 Customers', 'customers', search);
  check(await rows('by_stage', ['stage', 'customers']), [['prospect', '3']], 'team: three prospects');
  check(await rows('by_team', ['team', 'customers', 'owners']), [['西湖二组', '3', '0']], 'team: that team alone');
  check((await page.textContent('.period')).endsWith(' · team: 西湖二组'), true, 'team: the filter is shown');
  check(await page.getAttribute('.zone', 'data-zone'), LONDON, 'team: its own time zone is shown');
  await follow('漏斗 Funnel', 'funnel', search);
  check(await page.inputValue('#filters input[name="team"]'), '西湖二组', 'team: the menu link keeps it');
  check(await rows('by_agent', FUNNEL), [['李强', '2', '1', '1', '1', '50'], [ALL, '2', '1', '1', '1', '50']],
        'team: the funnel of 李强 alone');
  await shot('funnel-filtered-team');

  // Project 西湖里 (a 楼盘 in Chinese): 王秀英 (王芳; visited 10 days ago, no deal), 杨磊 (visited
  // 40 days ago) and 赵敏 (李强; visited yesterday, signed, answered the survey 9 and 4, no comment).
  search = await applyFilters({ project: '西湖里' }, 'funnel');
  check(search, '?project=%E8%A5%BF%E6%B9%96%E9%87%8C', 'project: UTF-8 percent-encoded in the address');
  const projectFunnel = [['李强', '1', '1', '1', '1', '100'], ['王芳', '1', '0', '0', '0', '0'], [ALL, '2', '1', '1', '1', '50']];
  check(await rows('by_agent', FUNNEL), projectFunnel, 'project: the funnel');
  check((await page.textContent('.period')).endsWith(' · project: 西湖里'), true, 'project: the filter is shown');
  await page.reload();
  await page.waitForSelector('body[data-loaded="funnel"]');
  check(await page.inputValue('#filters input[name="project"]'), '西湖里', 'project: a reload keeps it in the form');
  check(await rows('by_agent', FUNNEL), projectFunnel, 'project: a reload keeps it in the figures');
  await follow('满意度 Surveys', 'surveys', search);
  check(await rows('by_month', ['responses', 'nps', 'satisfaction']), [['1', '100', '4']], 'project: 赵敏\'s answer alone');
  check(await empty('comments'), true, 'project: no free-text answers');
  await shot('surveys-filtered-project');

  // Periods as dates counted from the seed's clock; `to` is the period's last day. The last five
  // days hold the visits of 赵敏 (1 day ago, called back), 张伟 (2, called back) and 陈静 (3), not
  // those of 李娜 (5), 王秀英 (10) and 杨磊 (40); today holds the three survey answers and the
  // signed deals.
  const day = (offset) => zoneDay(Date.parse(ids.now) + offset * 24 * 3600 * 1000);
  search = await applyFilters({ from: day(-4), to: day(0) }, 'surveys');
  check(await rows('by_month', ['responses']), [['3']], 'period: to = today includes today\'s answers');
  check(await page.textContent('.period'), `${day(-4)} → ${day(0)}`, 'period: shown as chosen');
  await follow('漏斗 Funnel', 'funnel', search);
  check(await rows('by_agent', FUNNEL), [['李强', '2', '1', '1', '1', '50'], ['王芳', '1', '1', '1', '1', '100'],
                                        [ALL, '3', '2', '2', '2', '66.7']], 'period: the funnel of the last five days');
  // The key figures against the five days before: visits 3 (赵敏, 张伟, 陈静) against 1 (李娜),
  // and their trend by day (none today or four days ago).
  const figure = (key, part) => page.textContent(`section[data-section="key_figures"] [data-figure="${key}"] .${part}`);
  check(await figure('visits', 'value'), '3', 'key figures: visits in the period');
  check(await figure('visits', 'change'), '▲ 200%', 'key figures: visits against the previous period');
  check(await figure('visits', 'previous'), '上期 previous 1', 'key figures: the previous period\'s visits');
  check((await page.getAttribute('section[data-section="key_figures"] [data-figure="visits"] svg.trend', 'aria-label'))
    .endsWith(`${day(-4)} 0; ${day(-3)} 1; ${day(-2)} 1; ${day(-1)} 1; ${day(0)} 0`), true, 'key figures: the trend by day');
  await page.click('section[data-section="key_figures"] details summary');
  check(await rows('trend', ['start', 'visits']), [[day(-4), '0'], [day(-3), '1'], [day(-2), '1'], [day(-1), '1'], [day(0), '0']],
        'key figures: the trend table');
  await shot('funnel-filtered-period');
  // Twelve to four days ago: the visits of 李娜 (a reserved deal) and 王秀英 (no deal) alone.
  await applyFilters({ from: day(-12), to: day(-4) }, 'funnel');
  check(await rows('by_agent', FUNNEL), [['王芳', '2', '1', '1', '0', '0'], [ALL, '2', '1', '1', '0', '0']],
        'earlier period: the funnel');

  await open(`/customer?id=${ids.zhang_wei}`, 'customer');
  check(await page.textContent('dd[data-field="name"]'), '张伟', 'the record');
  check((await page.textContent('.registered')).includes('Registered first by 王芳'), true, 'who registered first');
  check(await page.locator('table[data-table="history"] td[data-col="field"]', { hasText: /^stage$/ }).count(), 1, 'history rows');
  await shot('customer');

  await checkTiers({ page, open, cell, shot, ids });
  await checkManagerTools({ page, open, cell, rows, empty, shot, FUNNEL, ALL });

  // Tablet-sized: the page fits 768 px (tables scroll inside their cards).
  await page.setViewportSize({ width: 768, height: 1024 });
  await open('/funnel', 'funnel');
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling at 768 px');
  await shot('funnel-tablet');
  // The customer's history is readable at 1024 px: no column cut off, nothing to scroll sideways.
  await page.setViewportSize({ width: 1024, height: 900 });
  await open(`/customer?id=${ids.zhang_wei}`, 'customer');
  check(await page.$eval('table[data-table="history"]', (t) => t.parentElement.scrollWidth <= t.parentElement.clientWidth),
        true, 'history fits 1024 px');
  await shot('customer-1024');

  await Promise.all([page.waitForURL(url + '/'), page.click('.logout button')]);
  check(await page.locator('#login').count(), 1, 'logged out: the login form again');
  check((await fetch(`${url}/v1/reports/funnel`, { headers: { Cookie: `fieldcrm_session=${session.value}` } })).status, 401,
        'the ended session no longer opens reports');

  await checkTeamLeader({ page, open, rows, shot, ids, FUNNEL, ALL });

  console.log(`dashboard_e2e: ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
  console.log(`${checks} passed, 0 failed`);
} catch (error) {
  console.error(error);
  console.error(`server log:\n${serverLog}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  serve.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}
