#!/usr/bin/env node
// Installs the pinned toolchain (npm install from the lockfile) when it is missing or stale, and links the native
// forge/anvil/cast binaries of the -linux-amd64 packages into node_modules/.bin as
// forge-native/anvil-native/cast-native (the wrappers' postinstall scripts are not run).
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const root = path.join(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.poco-setup-stamp');
const lockText = fs.readFileSync(lock, 'utf8');

if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== lockText) {
  process.stderr.write('setup: installing the pinned toolchain (npm install from the lockfile)\n');
  execSync('npm install --ignore-scripts --no-audit --no-fund', { cwd: root, stdio: ['ignore', 2, 2] });
  fs.writeFileSync(stamp, lockText);
}

const binDir = path.join(root, 'node_modules', '.bin');
fs.mkdirSync(binDir, { recursive: true });
for (const tool of ['forge', 'anvil', 'cast']) {
  const target = path.join(root, 'node_modules', '@foundry-rs', `${tool}-linux-amd64`, 'bin', tool);
  if (!fs.existsSync(target)) throw new Error(`setup: ${target} is missing`);
  fs.chmodSync(target, 0o755);
  const link = path.join(binDir, `${tool}-native`);
  try { fs.unlinkSync(link); } catch (_) { /* absent */ }
  fs.symlinkSync(target, link);
}
