#!/usr/bin/env bash
# Builds the example apps from their sources (apps/<name>/src).
#
#   apps/build.sh wasm     rebuild the committed modules apps/<name>/<name>.wasm (needs the
#                          wasm32-wasip1 target: `rustup target add wasm32-wasip1`)
#   apps/build.sh check    rebuild the modules aside and fail if any differs from the committed one
#   apps/build.sh docker   build each app as a static Linux binary and the image
#                          poco-apps/<name>:latest FROM scratch (needs DOCKER_HOST or a local daemon;
#                          nothing is pulled)
#
# Builds are reproducible: paths are remapped, the toolchain is the pinned one, the lock file is
# committed. The target folder is $CARGO_TARGET_DIR/apps (default ~/.cache/poco/target/apps).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
apps=(hello sha256sum fail random busyloop probe)
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/poco/target}/apps"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
export RUSTFLAGS="--remap-path-prefix=$here=/apps --remap-path-prefix=$cargo_home=/cargo"

build_wasm() {
  local dest="$1"
  cargo build -q --locked --release --target wasm32-wasip1 --target-dir "$target_dir/wasm"
  for app in "${apps[@]}"; do
    mkdir -p "$dest/$app"
    cp "$target_dir/wasm/wasm32-wasip1/release/$app.wasm" "$dest/$app/$app.wasm"
  done
}

case "${1:-}" in
  wasm)
    build_wasm "$here"
    for app in "${apps[@]}"; do sha256sum "$app/$app.wasm"; done
    ;;
  check)
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    build_wasm "$tmp"
    status=0
    for app in "${apps[@]}"; do
      if cmp -s "$tmp/$app/$app.wasm" "$app/$app.wasm"; then
        echo "ok      $app.wasm"
      else
        echo "DIFFERS $app.wasm: run apps/build.sh wasm and commit" >&2
        status=1
      fi
    done
    exit "$status"
    ;;
  docker)
    # A static binary: musl when its target is installed, else glibc with a static C runtime.
    if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
      triple=x86_64-unknown-linux-musl
    else
      triple=x86_64-unknown-linux-gnu
      export RUSTFLAGS="$RUSTFLAGS -C target-feature=+crt-static"
    fi
    cargo build -q --locked --release --target "$triple" --target-dir "$target_dir/native"
    ctx="$(mktemp -d)"
    trap 'rm -rf "$ctx"' EXIT
    for app in "${apps[@]}"; do
      rm -rf "${ctx:?}"/*
      cp "$target_dir/native/$triple/release/$app" "$ctx/app"
      # /iexec_in and /iexec_out exist in the image so the binds need no directory creation on a
      # read-only root; the app runs as nobody (the executor also sets a non-root user).
      mkdir -p "$ctx/iexec_in" "$ctx/iexec_out"
      cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY app /app
COPY iexec_in /iexec_in
COPY iexec_out /iexec_out
USER 65534:65534
ENTRYPOINT ["/app"]
DOCKERFILE
      if ! log="$(DOCKER_BUILDKIT=0 docker build -q -t "poco-apps/$app:latest" "$ctx" 2>&1)"; then
        echo "$log" >&2
        exit 1
      fi
      echo "built poco-apps/$app:latest ($triple)"
    done
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
