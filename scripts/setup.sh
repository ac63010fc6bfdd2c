#!/bin/bash
# Installs what Netns Lab needs to build and test, idempotently: Debian packages (only the
# missing ones), the npm dependencies (only when package-lock.json changed) and, for the tests
# in a real VS Code, code-server from the npm registry under the git-ignored .vscode-test/
# (skipped when already there; scripts/install-code-server.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(iproute2 iptables iputils-ping tcpdump dnsmasq-base procps util-linux)
# lab tests (netns-lab test): many pings per process, TCP/UDP probes, HTTP GETs, rates (iperf3)
PKGS+=(fping netcat-openbsd curl iperf3)
# the multi-host tests (issue 19) run their own sshd per simulated host (the binary only: on a
# machine with an init system the package also enables its ssh service, which the tests never use)
PKGS+=(openssh-client openssh-server)
# the VS Code tests: Debian's Chromium (driven by playwright-core) and what code-server's
# native modules and ripgrep seeding need (shared/recipes/vscode-e2e)
PKGS+=(chromium libkrb5-dev pkg-config ripgrep build-essential python3)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "setup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2; exit 1; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
stamp=node_modules/.netns-lab-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
bash scripts/install-code-server.sh
