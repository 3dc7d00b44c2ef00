// The programs a browser test runs (fieldcrm app, fieldcrm-server): started, waited for, stopped.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

const children = [];

// Starts bin and resolves with { child, match } once its stdout matches pattern; rejects if it
// exits first (with what it printed on stderr).
export function startProcess(bin, args, pattern, name) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(pattern);
      if (match) resolve({ child, match });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${log}`)));
  });
}

// SIGTERM, resolving with the exit code once it is gone.
export async function stop(child) {
  if (child.exitCode !== null) return child.exitCode;
  const gone = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  return gone;
}

export async function stopAll() {
  for (const child of children) await stop(child);
}

// The programs as a test calls them: server(...) runs `fieldcrm-server --db serverDb ...`, cli(db,
// ...) runs `fieldcrm --db db --plugins pluginsDir ...`; each returns what it printed, trimmed.
export function commands(cliBin, serverBin, serverDb, pluginsDir) {
  const run = (bin, args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return {
    server: (...args) => run(serverBin, ['--db', serverDb, ...args]),
    cli: (db, ...args) => run(cliBin, ['--db', db, '--plugins', pluginsDir, ...args]),
  };
}

// Head office: `fieldcrm-server serve` on 127.0.0.1 over plain HTTP. start() resolves with the
// process; started again after a stop, it comes back on the same port, where tablets know it.
export function headOffice(serverBin, serverDb, pluginsDir) {
  const office = {
    port: 0,
    url: () => `http://127.0.0.1:${office.port}`,
    async start() {
      const { child, match } = await startProcess(serverBin, ['--db', serverDb, 'serve', '--listen', `127.0.0.1:${office.port}`,
        '--insecure-http', '--plugins', pluginsDir], /listening on http:\/\/127\.0\.0\.1:(\d+)/, 'fieldcrm-server');
      office.port = Number(match[1]);
      return child;
    },
  };
  return office;
}

// Runs a browser test's scenario, which sets browser.context when it opens one and resolves with
// how many checks passed; prints that, or the error (exit code 1); then closes the browser, stops
// the programs and removes the work folder, however it ended.
export async function runScenario(name, work, artifacts, scenario) {
  const started = Date.now();
  const browser = { context: null };
  try {
    const checks = await scenario(browser);
    console.log(`${name}: ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    if (browser.context) await browser.context.close();
    await stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
