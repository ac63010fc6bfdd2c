#!/bin/bash
# Quick start: install what is needed (scripts/setup.sh), build and package Netns Lab, and
# start a real VS Code (code-server from npm, on 127.0.0.1 only) with the extension installed
# and examples/article.netns.json open on the canvas (in the first browser window that connects).
# Prints the URL to open. Ctrl-C stops it and everything it started.
#   bash scripts/start.sh [--sandbox] [--port N]
#   --sandbox: run inside a throw-away network sandbox with a fake internet (test/sandbox/run.sh),
#              so Apply builds the article's network there and this machine's network is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SANDBOX=0
PORT=${PORT:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --sandbox) SANDBOX=1 ;;
    --port) PORT=$2; shift ;;
    *) echo "usage: bash scripts/start.sh [--sandbox] [--port N]" >&2; exit 2 ;;
  esac
  shift
done

CS_VER=4.100.3
CS="$ROOT/.vscode-test/code-server-$CS_VER/node_modules/.bin/code-server"
RUN="$ROOT/.vscode-test/start"
# In the sandbox code-server listens on a unix socket: a TCP port there would be in the
# sandbox's own network namespace, out of the browser's reach. Outside, a small forwarder
# serves 127.0.0.1:PORT from that socket.
SOCK="$RUN/code-server.sock"
[ ${#SOCK} -lt 100 ] || SOCK="/tmp/netns-lab-start-$(id -u).sock"   # (a socket path has at most 107 bytes)
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

if [ "${NETNS_LAB_START_INNER:-}" != 1 ]; then
  bash scripts/setup.sh
  # build and package only what is older than its sources
  VSIX="netns-lab-$(node -p "require('./package.json').version").vsix"
  newer_than() { [ -n "$(find "${@:2}" -newer "$1" -print -quit 2>/dev/null)" ]; }
  BUILD_SRC=(src webview build package.json package-lock.json tsconfig.json)
  if [ -f "$VSIX" ] && ! newer_than "$VSIX" "${BUILD_SRC[@]}" media schema examples README.md CHANGELOG.md LICENSE .vscodeignore; then
    echo "start: $VSIX is up to date"
  elif [ -f dist/extension.cjs ] && ! newer_than dist/extension.cjs "${BUILD_SRC[@]}"; then
    echo "start: packaging the extension (the build is up to date)"
    node_modules/.bin/vsce package --no-dependencies --no-rewrite-relative-links --out "$VSIX" >/dev/null
  else
    echo "start: building and packaging the extension"
    npm run --silent package >/dev/null
  fi
  if [ "$PORT" = 0 ]; then PORT=$(free_port); fi
  if [ "$SANDBOX" = 1 ]; then
    mkdir -p "$RUN"
    rm -f "$SOCK"
    node -e "
      const net = require('net');
      const [port, sock] = process.argv.slice(1);
      net.createServer((c) => {
        const u = net.connect(sock);
        c.pipe(u).pipe(c);
        c.on('error', () => u.destroy());
        u.on('error', () => c.destroy());
      }).on('error', (e) => { console.error('start: cannot listen on 127.0.0.1:' + port + ': ' + e.message); process.exit(1); })
        .listen(Number(port), '127.0.0.1');
    " "$PORT" "$SOCK" &
    FWD=$!
    trap 'kill $FWD 2>/dev/null || true' EXIT
    # Ctrl-C reaches the sandbox too (same process group); wait for it to stop, then leave
    trap 'true' INT TERM
    NETNS_LAB_START_INNER=1 bash test/sandbox/run.sh bash "$0" --sandbox --port "$PORT" && rc=0 || rc=$?
    exit "$rc"
  fi
  export NETNS_LAB_START_INNER=1
fi

if [ "$SANDBOX" = 1 ]; then
  # the fake internet of the tests: namespace "wan" behind uplink0, DNS answering example.test
  # (setupInternet starts dnsmasq in "wan"; it outlives node, and the sandbox stops it at the end)
  node --input-type=module -e "import('$ROOT/out/test/integration/sandbox.js').then((s) => s.setupInternet()).then(() => process.exit(0))"
fi

mkdir -p "$RUN/data/User" "$RUN/ext" "$RUN/home" "$RUN/tmp" "$RUN/xdg"
# a private home for the editor: nothing goes to ~/.config, ~/.local or /tmp
export HOME="$RUN/home" TMPDIR="$RUN/tmp" XDG_CONFIG_HOME="$RUN/xdg/config" XDG_DATA_HOME="$RUN/xdg/data" XDG_CACHE_HOME="$RUN/xdg/cache"
VSIX=$(ls -t "$ROOT"/netns-lab-*.vsix | head -1)
"$CS" --install-extension "$VSIX" --force --user-data-dir "$RUN/data" --extensions-dir "$RUN/ext" >/dev/null
cat > "$RUN/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.enabled": false,
  "terminal.integrated.gpuAcceleration": "off",
  "git.openRepositoryInParentFolders": "never",
  "window.restoreWindows": "none"
}
JSON
FOLDER="$ROOT/examples"
FILE="$FOLDER/article.netns.json"
URL=$(node -e "const [p,f]=process.argv.slice(1);console.log('http://127.0.0.1:'+p+'/?'+new URLSearchParams({folder:f}))" "$PORT" "$FOLDER")

cleanup() {
  trap - INT TERM EXIT
  [ -n "${CS_PID:-}" ] && kill -TERM -- "-$CS_PID" 2>/dev/null || true
  [ -n "${CS_PID:-}" ] && wait "$CS_PID" 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
  echo "start: stopped"
}
trap cleanup INT TERM EXIT
# its own process group: Ctrl-C takes code-server's ptyHost, watcher and extension host along
if [ "$SANDBOX" = 1 ]; then LISTEN=(--socket "$SOCK"); HEALTH="{socketPath:'$SOCK',path:'/healthz'}"; else LISTEN=(--bind-addr "127.0.0.1:$PORT"); HEALTH="'http://127.0.0.1:$PORT/healthz'"; fi
setsid "$CS" "${LISTEN[@]}" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
  --user-data-dir "$RUN/data" --extensions-dir "$RUN/ext" "$FOLDER" > "$RUN/code-server.log" 2>&1 &
CS_PID=$!
up=0
for _ in $(seq 300); do
  if node -e "require('http').get($HEALTH,r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1))" 2>/dev/null; then up=1; break; fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" != 1 ]; then
  echo "start: code-server did not start; its log ($RUN/code-server.log) ends with:" >&2
  tail -n 20 "$RUN/code-server.log" >&2
  exit 1
fi
# The article on the canvas once a browser window is there. (Not by the URL's openFile: in a
# browser's first session VS Code resolves that editor before it knows the extension's custom
# editor, and opens the JSON as text.) code-server's CLI opens it in the connected window.
(
  until grep -q 'ExtensionHostConnection.*New connection' "$RUN/code-server.log" 2>/dev/null; do
    kill -0 "$CS_PID" 2>/dev/null || exit 0; sleep 0.5
  done
  until "$CS" --reuse-window --user-data-dir "$RUN/data" "$FILE" >/dev/null 2>&1; do
    kill -0 "$CS_PID" 2>/dev/null || exit 0; sleep 0.5
  done
) &
echo
echo "Netns Lab is running in VS Code (code-server $CS_VER) on 127.0.0.1:$PORT. Open:"
echo "  $URL"
[ "$SANDBOX" = 1 ] && echo "(inside a network sandbox with a fake internet: Apply builds the article's network there)"
echo "Ctrl-C stops it."
wait "$CS_PID"
