#!/bin/bash
# Quick start: install what is needed (scripts/setup.sh), build and package Netns Lab, and
# start a real VS Code (code-server from npm, on 127.0.0.1 only) with the extension installed
# and examples/article.netns.json open on the canvas. Prints the URL to open. Ctrl-C stops it
# and everything it started.
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

if [ "${NETNS_LAB_START_INNER:-}" != 1 ]; then
  bash scripts/setup.sh
  echo "start: building and packaging the extension"
  npm run --silent package >/dev/null
  if [ "$SANDBOX" = 1 ]; then
    exec env NETNS_LAB_START_INNER=1 bash test/sandbox/run.sh bash "$0" --sandbox --port "$PORT"
  fi
  export NETNS_LAB_START_INNER=1
fi

if [ "$SANDBOX" = 1 ]; then
  # the fake internet of the tests: namespace "wan" behind uplink0, DNS answering example.test
  node --input-type=module -e "import('$ROOT/out/test/integration/sandbox.js').then((s) => s.setupInternet()).then(() => process.exit(0))"
  ip netns exec wan dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null \
    --listen-address=203.0.113.53 --bind-interfaces --user=root --pid-file \
    --address=/example.test/198.51.100.10 &
fi

CS_VER=4.100.3
CS="$ROOT/.vscode-test/code-server-$CS_VER/node_modules/.bin/code-server"
RUN="$ROOT/.vscode-test/start"
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
  "window.restoreWindows": "none"
}
JSON
if [ "$PORT" = 0 ]; then PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"); fi
FOLDER="$ROOT/examples"
FILE="$FOLDER/article.netns.json"
URL=$(node -e "const [p,f,file]=process.argv.slice(1);const q=new URLSearchParams({folder:f,payload:JSON.stringify([['openFile','vscode-remote://127.0.0.1:'+p+file]])});console.log('http://127.0.0.1:'+p+'/?'+q)" "$PORT" "$FOLDER" "$FILE")

cleanup() {
  trap - INT TERM EXIT
  [ -n "${CS_PID:-}" ] && kill -TERM -- "-$CS_PID" 2>/dev/null || true
  [ -n "${CS_PID:-}" ] && wait "$CS_PID" 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
  echo "start: stopped"
}
trap cleanup INT TERM EXIT
# its own process group: Ctrl-C takes code-server's ptyHost, watcher and extension host along
setsid "$CS" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
  --user-data-dir "$RUN/data" --extensions-dir "$RUN/ext" "$FOLDER" > "$RUN/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 100); do
  if node -e "require('http').get('http://127.0.0.1:$PORT/healthz',r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1))" 2>/dev/null; then break; fi
  sleep 0.1
done
echo
echo "Netns Lab is running in VS Code (code-server $CS_VER) on 127.0.0.1:$PORT. Open:"
echo "  $URL"
[ "$SANDBOX" = 1 ] && echo "(inside a network sandbox with a fake internet: Apply builds the article's network there)"
echo "Ctrl-C stops it."
wait "$CS_PID"
