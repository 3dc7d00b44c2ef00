// What the browser tests share: their command line, Debian's chromium and playwright-core.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));

// Prints `test: message` and exits 1.
export function failer(test) {
  return (message) => {
    console.error(`${test}: ${message}`);
    process.exit(1);
  };
}

// The test's arguments (exiting with `usage` unless all `count` are given) and playwright's
// chromium, exiting with what to install when chromium or playwright-core is missing.
export function setUp(test, count, usage) {
  const fail = failer(test);
  const args = process.argv.slice(2);
  if (args.length < count || args.slice(0, count).some((a) => !a)) fail(`usage: ${usage}`);
  if (!fs.existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing: install Debian's chromium (tools/dev.sh installs tools/packages.txt)`);
  try {
    const { chromium } = createRequire(path.join(here, 'package.json'))('playwright-core');
    return { args, chromium, fail };
  } catch {
    return fail(`playwright-core is not installed: run 'npm ci' in ${here} (tools/dev.sh test does)`);
  }
}

// Chromium as on the agent's tablet: 1280×800 landscape, touch, headless, with its own profile.
export function launchTablet(chromium, profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 }, hasTouch: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}
