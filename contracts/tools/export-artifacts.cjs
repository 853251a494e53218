#!/usr/bin/env node
// Writes artifacts/<Contract>.json ({contractName, sourceName, abi, bytecode, deployedBytecode})
// for every contract and interface defined under src/, from forge's out/ folder. These files are
// committed: the Rust bindings (`sol!`) are generated from them, so `cargo build` needs no Node.
// CI rebuilds them and fails on any difference (npm run check-artifacts).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'out');
const artifactsDir = path.join(root, 'artifacts');

function solFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return solFiles(full);
    return entry.name.endsWith('.sol') ? [full] : [];
  });
}

const written = new Set();
for (const file of solFiles(path.join(root, 'src'))) {
  const sourceName = path.relative(root, file);
  const dir = path.join(outDir, path.basename(file));
  if (!fs.existsSync(dir)) continue; // files with only free structs/enums produce no artifact
  for (const json of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const built = JSON.parse(fs.readFileSync(path.join(dir, json), 'utf8'));
    const contractName = path.basename(json, '.json');
    if (written.has(contractName)) throw new Error(`two contracts named ${contractName}`);
    written.add(contractName);
    const artifact = {
      contractName,
      sourceName,
      abi: built.abi,
      bytecode: built.bytecode.object,
      deployedBytecode: built.deployedBytecode.object,
    };
    // Unchanged files are not rewritten: a new mtime would make cargo rebuild every crate that
    // embeds the artifacts (CI builds the Rust workspace while this runs).
    const target = path.join(artifactsDir, `${contractName}.json`);
    const text = JSON.stringify(artifact, null, 2) + '\n';
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  }
}

// remove artifacts of contracts that no longer exist
for (const f of fs.readdirSync(artifactsDir)) {
  if (f.endsWith('.json') && !written.has(path.basename(f, '.json'))) fs.unlinkSync(path.join(artifactsDir, f));
}
process.stderr.write(`export-artifacts: ${written.size} artifacts in ${path.relative(process.cwd(), artifactsDir) || '.'}\n`);
