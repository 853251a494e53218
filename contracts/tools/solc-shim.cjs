#!/usr/bin/env node
// Presents the npm `solc` package (solc-js) to forge as if it were a native `solc` binary.
// forge only runs `solc --version` and `solc ... --standard-json` (JSON in on stdin, out on stdout).
// We call solc-js's compile() directly: the `solcjs` CLI prints an SMT warning on stdout that would
// corrupt the JSON. Imports forge did not inline are resolved against --base-path/--include-path/
// --allow-paths and the working directory.
'use strict';
const fs = require('fs');
const path = require('path');

const solc = require(path.join(__dirname, '..', 'node_modules', 'solc'));
const argv = process.argv.slice(2);

if (argv.includes('--version') || argv.includes('-v')) {
  const version = solc.version().replace('.Emscripten.clang', '.Linux.g++');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${version}\n`);
  process.exit(0);
}
if (!argv.includes('--standard-json')) {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n');
  process.exit(1);
}

const roots = [];
argv.forEach((arg, i) => {
  if (arg === '--base-path' || arg === '--include-path') roots.push(argv[i + 1]);
  if (arg === '--allow-paths') roots.push(...String(argv[i + 1]).split(','));
});
roots.push(process.cwd());

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((root) => path.resolve(root, importPath));
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `File not found: ${importPath}` };
}

process.stdout.write(solc.compile(fs.readFileSync(0, 'utf8'), { import: findImports }));
