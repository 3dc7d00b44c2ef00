// The programs a browser test runs (fieldcrm app, fieldcrm-server): started, waited for, stopped.
import { spawn } from 'node:child_process';

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
