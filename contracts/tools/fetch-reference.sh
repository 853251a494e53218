#!/usr/bin/env bash
# Fetches the reference protocol (`npm pack @iexec/poco@6.1.0`) into contracts/.reference/package.
#
# The package is used strictly as a black box by the compatibility tests and the gas benchmark
# (crates/reference): its ABIs, compiled artifacts and the creation bytecode of its `deployments/`
# files. Nothing from it is committed: contracts/.reference is gitignored.
#
# Idempotent: does nothing when the right version is already unpacked. The tarball is checked
# against the registry's integrity hash pinned below before it is unpacked.
set -euo pipefail

VERSION="6.1.0"
SHA512="BPbDtf2fgQuotr6rf74ACVdwlKqkErEZ8qLbTWM+2CIBj2EX3+6KBGWsFoudoOGjgT7vUJ3jeNX8SWvHzSHg6A=="

contracts_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${contracts_dir}/.reference"
package="${dest}/package"

present() {
  [[ -f "${package}/package.json" ]] &&
    grep -Eq "\"version\": *\"${VERSION}\"" "${package}/package.json"
}
present && exit 0

# Parallel callers (e.g. several test binaries) wait for the first one, then find it present.
mkdir -p "${dest}"
exec 9>"${dest}/.lock"
flock 9
present && exit 0

work="$(mktemp -d "${dest}/.fetch.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

echo "fetch-reference: npm pack @iexec/poco@${VERSION}" >&2
(cd "${work}" && npm pack --silent "@iexec/poco@${VERSION}" >/dev/null)
tarball="${work}/iexec-poco-${VERSION}.tgz"

actual="$(node -e 'const fs = require("fs"), crypto = require("crypto");
process.stdout.write(crypto.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "${tarball}")"
if [[ "${actual}" != "${SHA512}" ]]; then
  echo "fetch-reference: integrity mismatch for ${tarball}: sha512-${actual}" >&2
  exit 1
fi

tar -xzf "${tarball}" -C "${work}"
rm -rf "${package}"
mv "${work}/package" "${package}"
echo "fetch-reference: unpacked into ${package}" >&2
