#!/usr/bin/env bash
# `npm test` after the build: the host suite (ava, test/**) and the board suite (test/vm: one
# Debian VM under qemu's TCG emulation, ~21 minutes, mostly full boots after power cuts) run side
# by side, so the whole takes about as long as the board suite alone instead of the sum of both.
# The board suite's output goes to var/test-vm.log and is printed after the host suite's.
# WULF_SKIP_VM=1 skips the board suite (a quick local run).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
vm_pid=""
if [ -z "${WULF_SKIP_VM:-}" ]; then
  npx ava --config ava-vm.config.mjs > var/test-vm.log 2>&1 &
  vm_pid=$!
  echo "board suite (test/vm) started beside the host suite; its output: var/test-vm.log"
fi
npx ava
host_rc=$?
vm_rc=0
if [ -n "$vm_pid" ]; then
  echo "host suite done (exit $host_rc); waiting for the board suite (test/vm)…"
  wait "$vm_pid"
  vm_rc=$?
  echo "── board suite (test/vm), exit $vm_rc ──"
  cat var/test-vm.log
else
  echo "WULF_SKIP_VM is set: the board suite (test/vm) is skipped"
fi
[ "$host_rc" -eq 0 ] || exit "$host_rc"
exit "$vm_rc"
