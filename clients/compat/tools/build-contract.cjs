#!/usr/bin/env node
// Compiles contracts/CompatToken.sol with the project's pinned solc-js (contracts/node_modules/solc)
// and writes artifacts/CompatToken.json (abi, bytecode). The artifact is committed, so the suite
// itself needs no compiler; `--check` fails when the committed artifact differs from a fresh build.
'use strict';
const fs = require('fs');
const path = require('path');

const here = path.join(__dirname, '..');
const solc = require(path.join(here, '..', '..', 'contracts', 'node_modules', 'solc'));
const sourcePath = path.join(here, 'contracts', 'CompatToken.sol');
const artifactPath = path.join(here, 'artifacts', 'CompatToken.json');

const input = {
  language: 'Solidity',
  sources: { 'CompatToken.sol': { content: fs.readFileSync(sourcePath, 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) process.stderr.write(`${e.formattedMessage}\n`);
  process.exit(1);
}
const contract = output.contracts['CompatToken.sol'].CompatToken;
const artifact = `${JSON.stringify(
  { compiler: solc.version(), abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` },
  null,
  2,
)}\n`;
if (process.argv.includes('--check')) {
  if (fs.readFileSync(artifactPath, 'utf8') !== artifact) {
    process.stderr.write('artifacts/CompatToken.json is stale: run node tools/build-contract.cjs\n');
    process.exit(1);
  }
} else {
  fs.writeFileSync(artifactPath, artifact);
}
