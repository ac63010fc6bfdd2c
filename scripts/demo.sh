#!/bin/bash
# Try Netns Lab without touching this machine's network: installs what is needed, builds, then
# inside a throw-away sandbox (test/sandbox/run.sh: private network and mount namespaces) makes
# a fake internet, applies examples/article.netns.json, runs the article's pings and opens a
# shell inside ns1. Leave the shell (exit) and the sandbox and all in it are gone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${NETNS_LAB_SANDBOX:-}" != 1 ]; then
  bash scripts/setup.sh
  npm run --silent build
  exec bash test/sandbox/run.sh bash "$0" "$@"
fi
# --- inside the sandbox: its root namespace plays "the host" ---
ip -b - <<'B'
netns add wan
link add uplink0 type veth peer name wan0 netns wan
addr add 203.0.113.1/24 dev uplink0
link set uplink0 up
route add default via 203.0.113.2
B
ip -n wan -b - <<'B'
link set lo up
addr add 203.0.113.2/24 dev wan0
addr add 203.0.113.53/32 dev lo
addr add 198.51.100.10/32 dev lo
link set wan0 up
B
echo "nameserver 203.0.113.53" > /etc/resolv.conf
ip netns exec wan dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null \
  --listen-address=203.0.113.53 --bind-interfaces --user=root --pid-file \
  --address=/example.test/198.51.100.10 &
DNSMASQ=$!
trap 'kill $DNSMASQ 2>/dev/null || true' EXIT
sleep 0.3
cli() { echo "\$ netns-lab $*"; node dist/cli.js "$@"; }
cli validate examples/article.netns.json
cli apply examples/article.netns.json
cli status examples/article.netns.json
for t in "ns1 10.0.0.1" "ns1 10.0.0.3" "ns2 10.0.0.2" "ns1 198.51.100.10" "ns2 example.test"; do
  set -- $t
  printf '%-4s -> %-15s ' "$1" "$2"
  ip netns exec "$1" ping -c1 -W2 "$2" >/dev/null && echo ok || echo FAILED
done
if [ -t 0 ]; then
  echo "A shell inside ns1 (the article's prompt). Try: ip addr; ping example.test; exit"
  PS1='(ns1) \u@\h:\w\$ ' ip netns exec ns1 bash --norc --noprofile -i
fi
cli destroy examples/article.netns.json
