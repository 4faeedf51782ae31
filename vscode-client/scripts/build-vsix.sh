#!/usr/bin/env bash
# Build the extension into a .vsix, offline from the npm registry:
# npm ci (locked, no install scripts), esbuild bundle, vsce package.
# Usage: scripts/build-vsix.sh [--out FILE.vsix]   (default: dist/synth-lsp.vsix)
# Prints the .vsix path on stdout; everything else goes to stderr.
set -euo pipefail
client="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$client/dist/synth-lsp.vsix"
if [ "${1:-}" = "--out" ]; then out="$(realpath -m "$2")"; fi
cd "$client"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# concurrent builds (several test runs on one clone) would trample node_modules and dist/
mkdir -p "$client/../.cache"
exec 9>"$client/../.cache/vscode-client-build.lock"
flock 9

lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "node_modules/.synth-lock-$lock_sum" ]; then
    npm ci --ignore-scripts --loglevel=error >&2
    touch "node_modules/.synth-lock-$lock_sum"
fi
rm -rf dist
node esbuild.mjs --production >&2
# --no-dependencies: everything the extension needs is in the bundle
npx --no-install vsce package --no-dependencies --skip-license --allow-missing-repository \
    -o dist/synth-lsp.vsix >&2
if [ "$out" != "$client/dist/synth-lsp.vsix" ]; then
    mkdir -p "$(dirname "$out")"
    cp dist/synth-lsp.vsix "$out"
fi
echo "$out"
