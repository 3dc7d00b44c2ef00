// The agent's app end to end, as an agent uses it at a tablet's size: `fieldcrm app` on
// 127.0.0.1 driven by Debian's chromium through playwright-core. First start: set-up and a sync
// with head office (fieldcrm-server) bring 刘洋 and the survey. Then head office goes away and,
// offline, the agent registers 张伟, has a second registration of his phone caught, logs a visit,
// schedules a follow-up that Today shows, takes a survey (NPS), registers a referral (老带新) and
// moves 刘洋's stage, which another tablet also changes. Head office comes back: the sync button
// sends everything, the conflict on 刘洋's stage is restored with one tap, and the dashboard's API
// shows it all. Last, head office wipes the tablet and the app tells the agent. Screenshots of
// every screen land in ARTIFACT_DIR. The app runs with --no-live, as on a tablet whose agent
// syncs only by the button: what each tap sends is then known (tablet_live.test.mjs drives the
// live updates).
//   node tablet.test.mjs FIELDCRM FIELDCRM_SERVER ARTIFACT_DIR PLUGINS_DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchTablet, setUp } from './browser.mjs';
import { commands, headOffice, runScenario, startProcess, stop } from './processes.mjs';

const { args, chromium } = setUp('tablet_e2e', 4,
  'node tablet.test.mjs FIELDCRM FIELDCRM_SERVER ARTIFACT_DIR PLUGINS_DIR');
const [cliBin, serverBin, artifacts, pluginsDir] = args;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcrm-tablet-e2e-'));
fs.mkdirSync(artifacts, { recursive: true });
const serverDb = path.join(work, 'server.db');
const tabletDb = path.join(work, 'tablet.db');
const otherDb = path.join(work, 'other.db');
const officeDb = path.join(work, 'office.db');
const { server, cli } = commands(cliBin, serverBin, serverDb, pluginsDir);
const tokenApp = server('token', 'create', '--agent', '王芳', '--team', '滨江一组');
const tokenOther = server('token', 'create', '--agent', '李强', '--team', '滨江一组');
const tokenOffice = server('token', 'create', '--agent', '总部', '--role', 'office');

const office = headOffice(serverBin, serverDb, pluginsDir);

let checks = 0;
function check(actual, expected, what) {
  assert.deepEqual(actual, expected, what);
  checks += 1;
}
async function report(name, query = '') {
  const res = await fetch(`${office.url()}/v1/reports/${name}${query}`,
                          { headers: { Authorization: `Bearer ${tokenOffice}` } });
  check(res.status, 200, `dashboard report ${name}`);
  return res.json();
}

await runScenario('tablet_e2e', work, artifacts, async (browser) => {
  let hq = await office.start();
  const hqUrl = office.url();
  // Head office defines the survey; another tablet of the team registered 刘洋, an owner.
  const survey = path.join(work, 'survey.json');
  fs.writeFileSync(survey, JSON.stringify({
    key: 'visit-feedback', title: '到访满意度 Visit feedback',
    questions: [{ id: 'nps', type: 'nps', text: '您愿意推荐我们吗？ Would you recommend us?' },
                { id: 'service', type: 'single', text: '接待满意吗？ Happy with the visit?', options: ['满意', '一般', '不满意'] },
                { id: 'comment', type: 'text', text: '您的建议 Suggestions' }] }));
  cli(officeDb, 'init', '--device', 'head-office');
  cli(officeDb, 'survey', 'define', survey);
  cli(officeDb, 'sync', '--server', hqUrl, '--token', tokenOffice);
  cli(otherDb, 'init', '--device', 'booth-b', '--agent', '李强', '--team', '滨江一组');
  const liu = cli(otherDb, 'customer', 'add', '--name', '刘洋', '--phone', '13600003333', '--stage', 'owner', '--budget', '500万');
  cli(otherDb, 'sync', '--server', hqUrl, '--token', tokenOther);

  // The app starts on a tablet with no store yet.
  const { match } = await startProcess(cliBin, ['--db', tabletDb, '--plugins', pluginsDir, 'app', '--listen', '127.0.0.1:0', '--no-live'],
                                       /open (http:\/\/127\.0\.0\.1:(\d+))\/\?key=[0-9a-f]{32}/, 'fieldcrm app');
  const appUrl = match[1];
  const opened = match[0].slice('open '.length);
  check((await fetch(`${appUrl}/api/status`)).status, 401, 'the app answers nothing without its secret');

  const profile = path.join(work, 'chromium-profile');
  const context = browser.context = await launchTablet(chromium, profile);
  const page = context.pages()[0] || await context.newPage();
  const foreign = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(appUrl)) return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `tablet-${name}.png`) });
  const status = () => page.locator('#status').innerText();
  async function screen(label, heading) {
    await page.click(`#nav a:text-is("${label}")`);
    await page.waitForSelector(`h1:has-text("${heading}")`);
  }
  async function sync() {
    await page.click('#sync-button');
    await page.waitForSelector('#progress[data-result]');
    const result = await page.locator('#progress').innerText();
    await page.evaluate(() => { delete document.getElementById('progress').dataset.result; });
    return result;
  }

  // First start: set-up, then the first sync brings 刘洋 and the survey.
  await page.goto(opened);
  await page.waitForSelector('h1:has-text("首次设置 First start")');
  const cookie = (await context.cookies(appUrl)).find((c) => c.name === 'fieldcrm_app');
  check([cookie.httpOnly, cookie.sameSite], [true, 'Strict'], 'the secret became an HttpOnly SameSite=Strict cookie');
  check(page.url(), `${appUrl}/setup`, 'the secret left the address bar');
  await page.fill('input[name=server]', hqUrl);
  await page.fill('input[name=token]', tokenApp);
  await page.fill('input[name=device]', 'booth-a');
  await page.fill('input[name=agent]', '王芳');
  await page.fill('input[name=team]', '滨江一组');
  await shot('setup');
  await page.click('button:text("保存 Save")');
  await page.waitForSelector('h1:has-text("接待登记")');
  check((await sync()).startsWith('同步完成 Synced'), true, 'the first sync');
  check(/在线 Online/.test(await status()), true, 'online after the sync');

  // Head office goes away: everything below is offline.
  await stop(hq);
  check((await sync()).startsWith('同步失败 Sync failed'), true, 'a sync without head office fails');
  check(/离线 Offline/.test(await status()), true, 'the status line says offline');

  // 接待登记: register 张伟.
  await page.fill('input[name=phone]', '13800138000');
  await page.fill('input[name=name]', '张伟');
  await page.selectOption('select[name=source]', 'walk-in');
  await page.fill('input[name=project]', '滨江壹号');
  await page.fill('input[name=budget]', '350万');
  await page.selectOption('select[name=purpose]', 'upgrade');
  await page.click('button:text("保存 Save")');
  const saved = await page.waitForSelector('[data-saved]');
  const zhang = await saved.getAttribute('data-saved');
  // A second registration of his phone: the lookup shows him while the phone is typed.
  await page.type('input[name=phone]', '138 0013 8', { delay: 20 });
  await page.waitForSelector(`#matches [data-known="${zhang}"]`);
  check(/首次登记 First registered by 王芳/.test(await page.locator('#matches').innerText()), true, 'who registered him first');
  await page.fill('input[name=phone]', '138-0013-8000');
  await page.fill('input[name=name]', '张伟伟');
  await page.click('button:text("保存 Save")');
  await page.waitForSelector(`#outcome [data-known="${zhang}"]`);
  await shot('register-duplicate');
  await page.click(`#outcome [data-known="${zhang}"] a`);
  await page.waitForSelector('h1:has-text("张伟")');

  // The card: a visit, a follow-up due today, a survey.
  await page.click('button:text("到访 Visit")');
  await page.fill('[data-panel="记录到访 Log a visit"] input[name=minutes]', '45');
  await page.fill('[data-panel="记录到访 Log a visit"] textarea[name=note]', '看了样板间 Saw the show flat');
  await page.click('[data-panel="记录到访 Log a visit"] button[type=submit]');
  await page.waitForSelector('table[data-list=timeline] td:text("到访 Visit")');
  await page.click('button:text("跟进 Follow-up")');
  const due = new Date(Date.now() + 5 * 60 * 1000);  // in five minutes, local time
  const local = new Date(due.getTime() - due.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await page.fill('[data-panel="安排跟进 Schedule a follow-up"] input[name=due]', local);
  await page.fill('[data-panel="安排跟进 Schedule a follow-up"] input[name=note]', '发户型图 Send floor plans');
  await page.click('[data-panel="安排跟进 Schedule a follow-up"] button[type=submit]');
  await page.waitForSelector('table[data-list=timeline] td:text("预约跟进 Follow-up due")');
  await page.click('button:text("问卷 Survey")');
  await page.selectOption('[data-panel="问卷 Survey"] select[name=survey]', 'visit-feedback');
  await page.click('[data-question="nps"] button:text-is("9")');
  await page.click('[data-question="service"] label:has-text("满意") >> nth=0');
  await page.fill('[data-question="comment"] textarea', '停车方便 Easy parking');
  await shot('survey');
  await page.click('[data-panel="问卷 Survey"] button[type=submit]');
  await page.waitForSelector('table[data-list=timeline] td:has-text("问卷 Survey")');
  await shot('customer');

  // Today: the follow-up is due.
  await screen('今日 Today', '今日待办 Today');
  await page.waitForSelector('[data-list=tasks] a:has-text("张伟")');
  await shot('today');

  // Find 刘洋 by the last four digits; register the friend he brought (老带新); move his stage.
  await screen('查找 Find', '查找客户 Find a customer');
  await page.fill('input[name=q]', '3333');
  await page.waitForSelector('[data-list=customers] a:has-text("刘洋")');
  await shot('find');
  await page.click('[data-list=customers] a:has-text("刘洋")');
  await page.waitForSelector('h1:has-text("刘洋")');
  await page.click('button:text("老带新 Referral")');
  await page.fill('[data-panel="老带新 Register a referral"] input[name=phone]', '13500004444');
  await page.fill('[data-panel="老带新 Register a referral"] input[name=name]', '赵敏');
  await page.click('[data-panel="老带新 Register a referral"] button[type=submit]');
  await page.waitForSelector('table[data-list=timeline] td:text("赵敏")');
  await page.click('button:text("阶段 Stage")');
  await page.selectOption('[data-panel="推进阶段 Move the stage"] select[name=stage]', 'buyer');
  await page.click('[data-panel="推进阶段 Move the stage"] button[type=submit]');
  await page.waitForSelector('dd[data-field=stage]:text("成交 Buyer")');
  check(/待发送 Waiting: [1-9]/.test(await status()), true, 'changes wait to be sent');

  // Portrait: the card still fits 800 px.
  await page.setViewportSize({ width: 800, height: 1280 });
  await shot('customer-portrait');
  check(await page.evaluate(() => document.documentElement.scrollWidth <= 800), true, 'no sideways scrolling in portrait');
  const small = await page.$$eval('button, nav a, input, select', (els) => els.filter((e) => e.offsetParent)
    .map((e) => e.getBoundingClientRect()).filter((r) => r.height < 44).length);
  check(small, 0, 'every touch target is at least 44 px high');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Meanwhile 李强's tablet, later, sets 刘洋 back to owner; head office comes back.
  await new Promise((resolve) => setTimeout(resolve, 20));
  cli(otherDb, 'customer', 'set', liu, 'stage=owner');
  hq = await office.start();
  cli(otherDb, 'sync');

  const synced = await sync();
  check(/同步完成 Synced: 发送 sent [1-9]/.test(synced), true, `the sync button sent everything: ${synced}`);
  check(/冲突 Conflicts: 1/.test(await status()), true, 'one conflict kept for review');
  await page.click('#status a:has-text("冲突 Conflicts")');
  await page.waitForSelector('tr[data-conflict]');
  check(await page.locator('tr[data-conflict] td[data-value=lost]').innerText(), 'buyer', 'the value that lost');
  check(/本机 this tablet/.test(await page.locator('tr[data-conflict]').innerText()), true, 'who wrote it');
  await shot('conflicts');
  await page.click('tr[data-conflict] button:text("恢复 Restore")');
  await page.waitForSelector('p:text("没有冲突 No conflicts")');
  await sync();
  check(/待发送 Waiting: 0/.test(await status()), true, 'nothing left to send');

  // Head office's dashboard shows it all.
  const zhangReport = await report('customer', `?id=${zhang}`);
  check(zhangReport.record.name, '张伟', 'the dashboard has 张伟');
  check(zhangReport.record.budget, 3500000, 'with his budget');
  const funnel = JSON.stringify(await report('funnel'));
  check(funnel.includes('王芳'), true, `王芳's visit is in the funnel: ${funnel}`);
  const surveys = JSON.stringify(await report('surveys'));
  check(surveys.includes('停车方便'), true, `the survey answer is on the dashboard: ${surveys}`);
  const liuReport = await report('customer', `?id=${liu}`);
  check(liuReport.record.stage, 'buyer', "刘洋's restored stage reached head office");
  const referrals = await report('referrals');
  check(JSON.stringify(referrals).includes('刘洋'), true, `the referral is on the dashboard: ${JSON.stringify(referrals)}`);

  // Lost tablet: head office revokes it with --wipe; at its next sync the app says what happened.
  const tokens = JSON.parse(server('--json', 'token', 'list'));
  const appToken = tokens.find((t) => t.agent === '王芳');
  server('token', 'revoke', appToken.id, '--wipe');
  await sync();
  await page.waitForSelector('[data-wiped]');
  check(fs.existsSync(tabletDb), false, 'the store was deleted');
  await shot('wiped');
  check(foreign, [], 'nothing but the app was fetched');
  return checks;
});
