#!/usr/bin/env bash
# Build the extension into dist/synth-lsp.vsix, offline from the npm registry:
# npm ci (locked, no install scripts), esbuild bundle, vsce package.
# Usage: scripts/build-vsix.sh [--skip-install]. Prints the .vsix path on stdout.
set -euo pipefail
client="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$client"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

if [ "${1:-}" != "--skip-install" ]; then
    lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
    if [ ! -f "node_modules/.synth-lock-$lock_sum" ]; then
        npm ci --ignore-scripts --loglevel=error >&2
        touch "node_modules/.synth-lock-$lock_sum"
    fi
fi
rm -rf dist
node esbuild.mjs --production >&2
# vsce reads package.json and README.md; --no-dependencies: everything is in the bundle
npx --no-install vsce package --no-dependencies --skip-license --allow-missing-repository \
    -o dist/synth-lsp.vsix >&2
echo "$client/dist/synth-lsp.vsix"
