#!/usr/bin/env bash
# Install (or reconfigure, or remove) Wulf on Debian 12 / Raspberry Pi OS bookworm, arm64 or x86-64.
#
#   sudo ./install.sh --release wulf-0.1.0.tar.gz [--device-id ID] [--broker URL] [--mqtt-user U]
#        [--mqtt-password P] [--language en|fr] [--cloud-mode off|when_unsure|always]
#        [--trusted-key FILE]... [--settings FILE] [--node NODE.tgz] [--no-start]
#   sudo ./install.sh --uninstall [--purge]
#   /opt/wulf/provisioning/install.sh --firstboot      (run by wulf-firstboot.service)
#
# What it does, each step only if something differs (a second run changes nothing and says so):
# checks the OS; finds Node >= 20.8 or installs the pinned npm-published node-linux-<arch> into
# /opt/wulf/node; unpacks the release to /opt/wulf; creates the `wulf` system user (group audio);
# installs device/wulf.service and wulf-firstboot.service; writes /etc/wulf/config.json (validated
# with Wulf's own schema), /etc/wulf/trusted-keys/*.pub and /etc/wulf/secrets.env; enables and
# (re)starts the service; runs `wulf doctor`.
# Settings come from flags or a JSON file (the same one a first boot reads from the boot partition):
#   {"deviceId", "broker", "mqttUsername", "mqttPassword", "language", "cloudMode",
#    "trustedKeys": ["-----BEGIN PUBLIC KEY-----…"], "secrets": {"XAI_API_KEY": "…"}, "config": {…}}
set -euo pipefail
umask 022

PREFIX=/opt/wulf
ETC=/etc/wulf
STATE=/var/lib/wulf
CACHE=/var/cache/wulf
UNIT_DIR=/etc/systemd/system
NODE_MIN=20.8
NODE_VERSION=22.23.3
declare -A NODE_SHA512=(
  [x64]='qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng=='
  [arm64]='l3DAHZreylo+p9QXDtsOrjG2JXJqVzYXnAGmIQNOUNARcMppTO2cmewVQP+36tjJnSE+dzpMNtgW+c3oiDvXtA=='
)
FIRSTBOOT_FILES=(/boot/firmware/wulf.json /boot/wulf.json)

release="" node_tgz="" settings_file="" mode=install purge=0 start=1 force=0
flags=()
changed=()

say() { printf 'wulf-install: %s\n' "$*"; }
die() { printf 'wulf-install: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="$2"; shift 2 ;;
    --node) node_tgz="$2"; shift 2 ;;
    --settings) settings_file="$2"; shift 2 ;;
    --device-id|--broker|--mqtt-user|--mqtt-password|--language|--cloud-mode|--trusted-key)
      [ $# -ge 2 ] || die "$1 needs a value"; flags+=("$1" "$2"); shift 2 ;;
    --no-start) start=0; shift ;;
    --force) force=1; shift ;;
    --uninstall) mode=uninstall; shift ;;
    --purge) purge=1; shift ;;
    --firstboot) mode=firstboot; shift ;;
    -h|--help) usage 0 ;;
    *) printf 'wulf-install: unknown option %s\n' "$1" >&2; usage 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root (sudo $0 …)"

check_os() {
  . /etc/os-release
  case "${ID:-}:${VERSION_ID:-}" in
    debian:12|raspbian:12) ;;
    *) [ "$force" = 1 ] || die "this installer supports Debian 12 / Raspberry Pi OS bookworm (found ${PRETTY_NAME:-unknown}); --force to try anyway" ;;
  esac
  case "$(uname -m)" in
    x86_64) ARCH=x64 ;;
    aarch64|arm64) ARCH=arm64 ;;
    *) die "unsupported CPU $(uname -m) (arm64 or x86-64)" ;;
  esac
  command -v systemctl >/dev/null || die "systemd is required"
}

version_ok() { # "v22.1.0" >= NODE_MIN ?
  local v="${1#v}" major minor
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" -gt "${NODE_MIN%%.*}" ] || { [ "$major" -eq "${NODE_MIN%%.*}" ] && [ "$minor" -ge "${NODE_MIN#*.}" ]; }
}

# Sets NODE to a Node >= NODE_MIN: the system's, else the pinned npm package in $PREFIX/node.
ensure_node() {
  if [ -x "$PREFIX/node/bin/node" ]; then NODE="$PREFIX/node/bin/node"; fi
  if [ -z "${NODE:-}" ] && [ -z "$node_tgz" ] && command -v node >/dev/null && version_ok "$(node --version)"; then
    NODE="$(command -v node)"; say "using $NODE ($(node --version))"; return
  fi
  if [ -n "${NODE:-}" ] && [ -z "$node_tgz" ]; then return; fi
  local tgz="$node_tgz" tmp
  tmp="$(mktemp -d)"
  if [ -z "$tgz" ]; then
    local url="https://registry.npmjs.org/node-linux-$ARCH/-/node-linux-$ARCH-$NODE_VERSION.tgz"
    say "no Node >= $NODE_MIN here; downloading node-linux-$ARCH $NODE_VERSION from the npm registry"
    tgz="$tmp/node.tgz"
    if command -v curl >/dev/null; then curl -fsSL -o "$tgz" "$url"; else wget -qO "$tgz" "$url"; fi
    local got
    got="$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    [ "$got" = "${NODE_SHA512[$ARCH]}" ] || die "node-linux-$ARCH $NODE_VERSION: checksum mismatch"
  fi
  # Same tarball as last time (its sha256 is recorded beside the Node it gave): nothing to do. Hashing
  # 30 MB is several times cheaper than inflating it, which matters on a slow board's re-runs.
  local tsum
  tsum="$(sha256sum "$tgz" | cut -d' ' -f1)"
  if [ -x "$PREFIX/node/bin/node" ] && { [ "$(cat "$PREFIX/node/.tarball-sha256" 2>/dev/null)" = "$tsum" ] || cmp -s <(tar -xzOf "$tgz" package/bin/node) "$PREFIX/node/bin/node"; }; then
    [ -f "$PREFIX/node/.tarball-sha256" ] || echo "$tsum" > "$PREFIX/node/.tarball-sha256"
    NODE="$PREFIX/node/bin/node"; rm -rf "$tmp"; return
  fi
  mkdir -p "$tmp/x" "$PREFIX"
  tar -C "$tmp/x" -xzf "$tgz" package/bin/node package/LICENSE
  "$tmp/x/package/bin/node" --version >/dev/null || die "the Node in $tgz does not run on this machine"
  echo "$tsum" > "$tmp/x/package/.tarball-sha256"
  rm -rf "$PREFIX/node.new" && mv "$tmp/x/package" "$PREFIX/node.new"
  rm -rf "$PREFIX/node" && mv "$PREFIX/node.new" "$PREFIX/node"
  rm -rf "$tmp"
  NODE="$PREFIX/node/bin/node"
  changed+=("node $NODE_VERSION")
}

install_release() {
  if [ -z "$release" ]; then
    [ -f "$PREFIX/dist/src/cli/main.js" ] || die "Wulf is not installed here: give --release wulf-<version>.tar.gz"
    return
  fi
  [ -f "$release" ] || die "no release file $release"
  local sum
  sum="$(sha256sum "$release" | cut -d' ' -f1)"
  if [ -f "$PREFIX/.release-sha256" ] && [ "$(cat "$PREFIX/.release-sha256")" = "$sum" ]; then return; fi
  local tmp
  tmp="$(mktemp -d)"
  tar -C "$tmp" -xzf "$release"
  local top
  top="$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)"
  [ -f "$top/dist/src/cli/main.js" ] || die "$release is not a Wulf release (no dist/src/cli/main.js)"
  mkdir -p "$PREFIX"
  # Replace everything but the Node we may have put there; the old tree goes only once the new one is in.
  for item in "$top"/* "$top"/.[!.]*; do [ -e "$item" ] || continue; rm -rf "$PREFIX/$(basename "$item").new"; mv "$item" "$PREFIX/$(basename "$item").new"; done
  for item in "$PREFIX"/*.new; do local dest="${item%.new}"; [ "$(basename "$dest")" = node ] && continue; rm -rf "$dest"; mv "$item" "$dest"; done
  rm -rf "$tmp" "$CACHE" # compiled code of the old release: disposable, and it would only grow
  echo "$sum" > "$PREFIX/.release-sha256"
  chown -R root:root "$PREFIX"
  changed+=("release $(basename "$release")")
}

ensure_user() {
  if ! id wulf >/dev/null 2>&1; then
    useradd --system --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin --user-group wulf
    changed+=("user wulf")
  fi
  getent group audio >/dev/null || groupadd --system audio
  if ! id -nG wulf | tr ' ' '\n' | grep -qx audio; then usermod -aG audio wulf; changed+=("wulf in group audio"); fi
}

# install_file SRC DEST MODE OWNER: copy when different.
install_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c '%a %U:%G' "$2")" = "$3 $4" ]; then return 1; fi
  install -D -m "$3" -o "${4%%:*}" -g "${4##*:}" "$1" "$2"
  return 0
}

install_units() {
  local any=0 tmp
  install_file "$PREFIX/device/wulf.service" "$UNIT_DIR/wulf.service" 644 root:root && any=1
  install_file "$PREFIX/provisioning/wulf-firstboot.service" "$UNIT_DIR/wulf-firstboot.service" 644 root:root && any=1
  tmp="$(mktemp)"
  printf '# Written by provisioning/install.sh: the Node this board runs Wulf with.\n[Service]\nExecStart=\nExecStart=%s %s/dist/src/cli/main.js run\n' "$NODE" "$PREFIX" > "$tmp"
  install_file "$tmp" "$UNIT_DIR/wulf.service.d/10-node.conf" 644 root:root && any=1
  printf '#!/bin/sh\n# The wulf command (written by provisioning/install.sh).\n: "${WULF_CONFIG:=%s/config.json}"\nexport WULF_CONFIG\nexec %s %s/dist/src/cli/main.js "$@"\n' "$ETC" "$NODE" "$PREFIX" > "$tmp"
  install_file "$tmp" /usr/local/bin/wulf 755 root:root && any=1
  printf '#!/bin/sh\n# The wulf-ota command (written by provisioning/install.sh).\nexec %s %s/dist/ota/cli.js "$@"\n' "$NODE" "$PREFIX" > "$tmp"
  install_file "$tmp" /usr/local/bin/wulf-ota 755 root:root && any=1
  rm -f "$tmp"
  if [ "$any" = 1 ]; then systemctl daemon-reload; changed+=("systemd units"); fi
  systemctl is-enabled --quiet wulf-firstboot.service 2>/dev/null || { systemctl enable --quiet wulf-firstboot.service; changed+=("wulf-firstboot enabled"); }
}

# Writes config.json, trusted keys and secrets from the settings; prints what changed.
configure() {
  local args=(--etc "$ETC" --prefix "$PREFIX")
  [ -n "$settings_file" ] && args+=(--settings "$settings_file")
  local out
  out="$("$NODE" "$PREFIX/provisioning/settings.mjs" "${args[@]}" "${flags[@]}")" || die "settings refused (nothing was changed)"
  [ -n "$out" ] && while IFS= read -r line; do changed+=("$line"); done <<< "$out"
  return 0
}

start_service() {
  mkdir -p "$STATE" && chown wulf:wulf "$STATE" && chmod 750 "$STATE"
  systemctl is-enabled --quiet wulf.service 2>/dev/null || { systemctl enable --quiet wulf.service; changed+=("wulf enabled"); }
  [ "$start" = 1 ] || return 0
  if ! systemctl is-active --quiet wulf.service; then
    say "starting wulf"
    systemctl start wulf.service || { journalctl -u wulf -n 30 --no-pager >&2 || true; die "wulf did not start"; }
    changed+=("wulf started")
  elif [ "${#changed[@]}" -gt 0 ]; then
    say "restarting wulf (${changed[*]})"
    systemctl restart wulf.service || { journalctl -u wulf -n 30 --no-pager >&2 || true; die "wulf did not restart"; }
  fi
}

uninstall() {
  for u in wulf.service wulf-firstboot.service; do
    if systemctl list-unit-files "$u" >/dev/null 2>&1; then systemctl disable --now --quiet "$u" 2>/dev/null || true; fi
  done
  rm -rf "$UNIT_DIR/wulf.service" "$UNIT_DIR/wulf.service.d" "$UNIT_DIR/wulf-firstboot.service"
  systemctl daemon-reload
  systemctl reset-failed wulf.service 2>/dev/null || true
  rm -rf "$PREFIX" "$ETC" "$CACHE" /usr/local/bin/wulf /usr/local/bin/wulf-ota
  if id wulf >/dev/null 2>&1; then userdel wulf 2>/dev/null || true; fi
  getent group wulf >/dev/null && groupdel wulf 2>/dev/null || true
  if [ "$purge" = 1 ]; then rm -rf "$STATE" /var/lib/private/wulf; say "removed Wulf and its state ($STATE)";
  else say "removed Wulf; its memory is kept in $STATE (--purge removes it)"; fi
}

firstboot() {
  local f
  for f in "${FIRSTBOOT_FILES[@]}"; do
    [ -f "$f" ] || continue
    say "applying first-boot settings from $f"
    settings_file="$f"
    start=0 # wulf.service starts after this unit
    NODE="$(sed -n 's/^ExecStart=\(\/[^ ]*\) .*/\1/p' "$UNIT_DIR/wulf.service.d/10-node.conf" | tail -1)"
    local ok=0 out
    # Not `configure`: a refusal must not exit before the file is removed.
    if out="$("$NODE" "$PREFIX/provisioning/settings.mjs" --etc "$ETC" --prefix "$PREFIX" --settings "$f")"; then
      ok=1
      [ -n "$out" ] && while IFS= read -r line; do changed+=("$line"); done <<< "$out"
    fi
    # It holds credentials: overwrite, then remove, whether or not it applied.
    dd if=/dev/zero of="$f" bs=1 count="$(stat -c %s "$f")" conv=notrunc status=none 2>/dev/null || true
    rm -f "$f"
    sync
    [ "$ok" = 1 ] || die "first-boot settings in $f were refused (the file is removed; see the journal)"
    say "first-boot settings applied: ${changed[*]:-nothing new}"
  done
}

case "$mode" in
  uninstall) uninstall; exit 0 ;;
  firstboot) firstboot; exit 0 ;;
esac

check_os
ensure_node
install_release
ensure_user
install_units
configure
start_service
if [ "${#changed[@]}" -eq 0 ]; then say "Wulf is installed and up to date; nothing changed"
else say "done: ${changed[*]}"; fi
if [ "$start" = 1 ]; then
  WULF_CONFIG="$ETC/config.json" "$NODE" "$PREFIX/dist/src/cli/main.js" doctor || say "wulf doctor reported problems (above)"
fi
