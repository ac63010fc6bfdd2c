#!/bin/bash
# Installs code-server (a real VS Code: server + web workbench) from the npm registry into
# .vscode-test/code-server-VERSION, without any download from GitHub or Microsoft
# (shared/recipes/vscode-e2e). Idempotent: a finished install leaves a stamp and is skipped.
#   usage: scripts/install-code-server.sh [VERSION]      (default 4.100.3: the last one for Node 20)
# Needs (Debian): build-essential python3 pkg-config libkrb5-dev ripgrep; Node 20 with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
VER=${1:-4.100.3}
DEST="$PWD/.vscode-test/code-server-$VER"
STAMP="$DEST/.installed"
if [ -f "$STAMP" ] && [ -x "$DEST/node_modules/.bin/code-server" ]; then
  exit 0
fi
echo "setup: installing code-server $VER into $DEST (about a minute)"
t0=$(date +%s)
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
echo '{"name":"netns-lab-code-server","private":true}' > package.json
export TMPDIR="$DEST/.tmp"
mkdir -p "$TMPDIR"
# keep npm's cache of this install next to it, not in the user's ~/.npm
export npm_config_cache="$PWD/../.npm-cache"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# 1) fetch code-server without running its install scripts yet
npm install --no-audit --no-fund --no-save --ignore-scripts --loglevel=error "code-server@$VER" >/dev/null

# 2) @vscode/ripgrep's postinstall downloads rg from GitHub: seed its download cache
#    ($TMPDIR/vscode-ripgrep-cache-<pkgver>/ripgrep-<tag>-x86_64-unknown-linux-musl.tar.gz) with Debian's rg
RG_PKG_VER=$(node -p "(require('./node_modules/code-server/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep']||{}).version||''")
if [ -n "$RG_PKG_VER" ]; then
  RG=$(command -v rg) || { echo "install-code-server: ripgrep (rg) is needed (apt-get install ripgrep)" >&2; exit 1; }
  (cd "$TMPDIR" && npm pack --silent "@vscode/ripgrep@$RG_PKG_VER" >/dev/null && tar xzf "vscode-ripgrep-$RG_PKG_VER.tgz" package/lib/postinstall.js)
  RG_TAG=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$TMPDIR/package/lib/postinstall.js")
  mkdir -p "$TMPDIR/rg" "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VER"
  cp "$RG" "$TMPDIR/rg/rg"
  tar czf "$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VER/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rg" rg
fi

# 3) the install scripts (argon2; code-server's postinstall.sh runs npm install in lib/vscode):
#    npm_config_unsafe_perm: postinstall.sh refuses to run as root without it;
#    npm_config_yes: node-pty's post-install runs `npx node-gyp` (a ~/.npmrc with yes=false aborts it)
npm_config_unsafe_perm=true npm_config_yes=true npm rebuild --foreground-scripts --loglevel=error > "$DEST/install.log" 2>&1 || {
  echo "install-code-server: npm rebuild failed; last lines of $DEST/install.log:" >&2
  tail -40 "$DEST/install.log" >&2
  exit 1
}
# (its logs go to $XDG_DATA_HOME/coder-logs: keep them out of the real home)
HOME="$TMPDIR" XDG_DATA_HOME="$TMPDIR" XDG_CONFIG_HOME="$TMPDIR" "$DEST/node_modules/.bin/code-server" --version --config /dev/null
rm -rf "$TMPDIR"
echo "$VER" > "$STAMP"
echo "setup: code-server $VER installed in $(( $(date +%s) - t0 )) s"
