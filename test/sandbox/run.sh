#!/bin/bash
# Runs a command inside a throw-away sandbox (DESIGN.md, "Testing on real kernels, safely"):
# a private network namespace (its root plays the article's "host") and a private mount
# namespace with tmpfs over /run (so /run/netns and the lock files are private) and an
# overlay over /etc (so /etc/netns and /etc/resolv.conf changes never reach the real /etc).
# When the command exits, the kernel removes everything made inside.
#   usage: test/sandbox/run.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${NETNS_LAB_SANDBOX:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ]; then echo "test/sandbox/run.sh: must run as root (it creates namespaces)" >&2; exit 2; fi
  exec unshare --net --mount --propagation private -- env NETNS_LAB_SANDBOX=1 NETNS_LAB_HOST_NETNS="$(stat -L -c %i /proc/self/ns/net)" bash "$0" "$@"
fi
# NETNS_LAB_SANDBOX=1 alone proves nothing (it can be set by hand, and PID 1's namespaces may not
# be readable to compare with): go on only in a network namespace other than the one this script
# was started in, and one that is fresh (only its loopback). Nothing has been changed yet.
if [ -z "${NETNS_LAB_HOST_NETNS:-}" ] || [ "$(stat -L -c %i /proc/self/ns/net)" = "$NETNS_LAB_HOST_NETNS" ] \
   || [ "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" != "lo " ]; then
  echo "test/sandbox/run.sh: not in a fresh network namespace of its own (NETNS_LAB_SANDBOX is set in the environment?); refusing to touch anything" >&2
  exit 2
fi
mount --make-rprivate /
top=$(mktemp -d /tmp/netns-lab-sandbox.XXXXXX)
mount -t tmpfs -o mode=0755 sandbox "$top"
mkdir -p "$top/upper" "$top/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$top/upper,workdir=$top/work" /etc
mount -t tmpfs -o mode=0755 sandbox-run /run
mkdir -p /run/netns /run/lock
# /sys shows the network namespace that mounted it: remount so it shows ours
mount -t sysfs sysfs /sys 2>/dev/null || true
ip link set lo up
# every process still living in one of the sandbox's network namespaces (its root, or a
# namespace made inside it, like the fake internet's dnsmasq) when the command ends
sandbox_procs() {
  local inodes=" $(stat -L -c %i /proc/self/ns/net) "
  for f in /run/netns/*; do [ -e "$f" ] && inodes+="$(stat -L -c %i "$f" 2>/dev/null) "; done
  for p in /proc/[0-9]*; do
    local pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    local ino
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    case "$inodes" in *" $ino "*) echo "$pid" ;; esac
  done
}
cleanup() {
  local pids
  pids=$(sandbox_procs)
  if [ -n "$pids" ]; then
    kill $pids 2>/dev/null || true
    sleep 0.2
    pids=$(sandbox_procs)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  fi
  umount -l /run /etc /sys 2>/dev/null || true; umount -l "$top" 2>/dev/null || true; rmdir "$top" 2>/dev/null || true
}
"$@" && rc=0 || rc=$?
cleanup
exit $rc
