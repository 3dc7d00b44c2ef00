// Live updates in the agent's app, in Chromium: tablet B's `fieldcrm app` (live updates on, as
// by default) is open on Find; a colleague's tablet A adds 张伟 and syncs by the CLI, and he
// appears on B's page without a click; on his card B sees A's change of stage arrive. Head office
// goes away: B's status line says offline; it comes back on the same address: B resumes by
// itself and the next customer A sends appears. Screenshots land in ARTIFACT_DIR.
//   node tablet_live.test.mjs FIELDCRM FIELDCRM_SERVER ARTIFACT_DIR PLUGINS_DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchTablet, setUp } from './browser.mjs';
import { commands, headOffice, runScenario, startProcess, stop } from './processes.mjs';

const { args, chromium } = setUp('tablet_live_e2e', 4,
  'node tablet_live.test.mjs FIELDCRM FIELDCRM_SERVER ARTIFACT_DIR PLUGINS_DIR');
const [cliBin, serverBin, artifacts, pluginsDir] = args;
// Generous for a loaded machine: the property is "without a click", not speed. Coming back after
// head office was away waits out the retry's backoff too (at most a minute).
const ARRIVES = { timeout: 30_000 };
const RESUMES = { timeout: 90_000 };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldcrm-tablet-live-e2e-'));
fs.mkdirSync(artifacts, { recursive: true });
const serverDb = path.join(work, 'server.db');
const aDb = path.join(work, 'a.db');
const bDb = path.join(work, 'b.db');
const { server, cli } = commands(cliBin, serverBin, serverDb, pluginsDir);

const office = headOffice(serverBin, serverDb, pluginsDir);

let checks = 0;
function check(actual, expected, what) {
  assert.deepEqual(actual, expected, what);
  checks += 1;
}

await runScenario('tablet_live_e2e', work, artifacts, async (browser) => {
  const tokens = ['李强', '王芳'].map((agent) => server('token', 'create', '--agent', agent, '--team', '滨江一组'));
  let hq = await office.start();
  const hqUrl = office.url();
  for (const [db, device, agent, token] of [[aDb, 'booth-a', '李强', tokens[0]], [bDb, 'booth-b', '王芳', tokens[1]]]) {
    cli(db, 'init', '--device', device, '--agent', agent, '--team', '滨江一组');
    cli(db, 'sync', '--server', hqUrl, '--token', token);
  }
  const { match } = await startProcess(cliBin, ['--db', bDb, '--plugins', pluginsDir, 'app', '--listen', '127.0.0.1:0'],
                                       /open (http:\/\/127\.0\.0\.1:(\d+))\/\?key=[0-9a-f]{32}/, 'fieldcrm app');
  const opened = match[0].slice('open '.length);
  const context = browser.context = await launchTablet(chromium, path.join(work, 'chromium-profile'));
  const page = context.pages()[0] || await context.newPage();
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `tablet-live-${name}.png`) });
  const status = () => page.locator('#status');
  await page.goto(opened);
  await page.waitForSelector('h1:has-text("接待登记")');
  await page.click('#nav a:text-is("查找 Find")');
  await page.waitForSelector('h1:has-text("查找客户 Find a customer")');
  await status().locator('text=在线 Online').waitFor(ARRIVES);
  check(await status().locator('[data-status=live]').innerText(), '实时更新 Live', 'the status line says live updates are on');

  // A colleague adds 张伟 and syncs: he appears in B's open list, no click on B.
  const zhang = cli(aDb, 'customer', 'add', '--name', '张伟', '--phone', '13800138000', '--stage', 'prospect');
  cli(aDb, 'sync');
  await page.waitForSelector('[data-list=customers] a:has-text("张伟")', ARRIVES);
  await shot('arrived');
  checks += 1;

  // On his card, B sees A's change of stage arrive.
  await page.click('[data-list=customers] a:has-text("张伟")');
  await page.waitForSelector('dd[data-field=stage]:text("潜在 Prospect")');
  cli(aDb, 'customer', 'set', zhang, 'stage=intent');
  cli(aDb, 'sync');
  await page.waitForSelector('dd[data-field=stage]:text("意向 Intent")', ARRIVES);
  checks += 1;

  // Head office goes away: the status line says so without a click.
  await page.click('#nav a:text-is("查找 Find")');
  await page.waitForSelector('[data-list=customers] a:has-text("张伟")');
  await stop(hq);
  await status().locator('text=离线 Offline').waitFor(ARRIVES);
  await shot('offline');
  checks += 1;

  // It comes back on the same address: B resumes by itself and the next customer arrives.
  hq = await office.start();
  check(office.url(), hqUrl, 'head office is back where the tablets know it');
  cli(aDb, 'customer', 'add', '--name', '李娜', '--phone', '13900001111');
  cli(aDb, 'sync');
  await page.waitForSelector('[data-list=customers] a:has-text("李娜")', RESUMES);
  await status().locator('text=在线 Online').waitFor(ARRIVES);
  await shot('resumed');
  checks += 2;
  return checks;
});
