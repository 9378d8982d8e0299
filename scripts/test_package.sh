#!/usr/bin/env bash
# The package as an administrator meets it, in a clean Debian 12 made by debootstrap:
# install the previous version, check the configuration, run the server as the `guichet`
# user and reach /healthz, upgrade with the data in place (backed up first, then migrated),
# verify the systemd units, remove (data kept) and purge (data gone).
# Usage: sudo scripts/test_package.sh   (root: debootstrap and chroot; about 5 min after the build)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
started=$(date +%s)

version=$(sed -n 's/.*static let text = "\(.*\)".*/\1/p' Sources/DeviceLink/GuichetVersion.swift)
scripts/package.sh --version "${version}~previous"
scripts/package.sh
previous=".build/deb/guichet_${version}~previous_amd64.deb"
current=".build/deb/guichet_${version}_amd64.deb"

root=$(mktemp -d /var/tmp/guichet-debian.XXXXXX)
chmod 0755 "$root"  # its / must be traversable by the users it runs as
log="$root.log"
cleanup() {
  for m in proc dev/pts dev sys; do umountpoint=$root/$m; mountpoint -q "$umountpoint" && umount -l "$umountpoint"; done
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; echo "--- the chroot's log ($log):" >&2; tail -50 "$log" >&2; exit 1; }

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
echo "debootstrap bookworm (${mirror:-http://deb.debian.org/debian}) into $root"
debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}" >>"$log" 2>&1 || fail "debootstrap"
cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$root/etc/apt/sources.list" || true
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"; mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"; mount -t sysfs sys "$root/sys"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -qq >>"$log" 2>&1 || fail "apt-get update in the chroot"
# systemd for `systemd-analyze verify` (not booted); curl to ask /healthz from inside.
in_root apt-get install -y -qq systemd curl >>"$log" 2>&1 || fail "systemd in the chroot"

cp "$previous" "$current" "$root/tmp/"
echo "install ${version}~previous"
in_root apt-get install -y -qq "/tmp/$(basename "$previous")" >>"$log" 2>&1 || fail "installing the previous package"
for user in guichet guichet-kiosk guichet-room; do in_root getent passwd "$user" >/dev/null || fail "no $user user"; done
# Owners as the chroot names them (its users' ids mean other names on this host).
mode() { in_root stat -c "$1" "$2"; }
[ "$(mode '%a %U' /var/lib/guichet)" = "700 guichet" ] || fail "/var/lib/guichet is $(mode '%a %U' /var/lib/guichet)"
[ "$(mode '%a %G' /etc/guichet/guichet.json)" = "640 guichet" ] || fail "/etc/guichet/guichet.json is $(mode '%a %G' /etc/guichet/guichet.json)"
in_root /usr/bin/guichet check-config /etc/guichet/guichet.json >>"$log" 2>&1 || fail "check-config"
for unit in guichet.service guichet-station@.service guichet-room.service; do
  in_root systemd-analyze verify "/lib/systemd/system/$unit" >>"$log" 2>&1 || fail "systemd-analyze verify $unit"
done
# Enabled at install as dh_installsystemd would (systemd is not running in the chroot).
[ -L "$root/etc/systemd/system/multi-user.target.wants/guichet.service" ] || fail "guichet.service is not enabled"
grep -q '^Type=notify' "$root/lib/systemd/system/guichet.service" || fail "guichet.service is not Type=notify"
for file in usr/share/man/man1/guichet.1.gz usr/share/guichet/monitoring/guichet-dashboard.json usr/share/guichet/monitoring/guichet-alerts.yml; do
  [ -s "$root/$file" ] || fail "no /$file"
done
# Read whole before grep: under pipefail, `producer | grep -q` fails when grep exits first (SIGPIPE).
manual=$(zcat "$root/usr/share/man/man1/guichet.1.gz")
grep -q 'check-config' <<<"$manual" || fail "the manual page does not document check-config"

port=18093
run_server() {
  chroot --userspec=guichet:guichet "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/guichet \
    /usr/bin/guichet serve --config /etc/guichet/guichet.json --data /var/lib/guichet --port $port --visio-media test >>"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 60); do
    in_root curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    kill -0 "$server" 2>/dev/null || fail "the server exited"
    sleep 0.5
  done
  fail "no /healthz within 30 s"
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=""; }

echo "run the server as guichet"
run_server
health=$(in_root curl -s "http://127.0.0.1:$port/healthz" || true)
grep -q '"database"' <<<"$health" || fail "/healthz has no database component: $health"
metrics=$(in_root curl -sS "http://127.0.0.1:$port/metrics") || fail "/metrics did not answer"
grep -q "^guichet_build_info{version=\"${version}\"} 1" <<<"$metrics" || fail "/metrics has no build_info: $(head -c 600 <<<"$metrics")"
[ "$(mode '%a %U' /var/lib/guichet/guichet.sqlite)" = "600 guichet" ] || fail "the database is $(mode '%a %U' /var/lib/guichet/guichet.sqlite)"
specialists=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM specialist').fetchone()[0])" "$root/var/lib/guichet/guichet.sqlite")
[ "$specialists" -gt 0 ] || fail "no demo data"
stop_server

echo "upgrade to $version with the data in place"
in_root apt-get install -y -qq "/tmp/$(basename "$current")" >>"$log" 2>&1 || fail "upgrading"
backups=$(ls "$root/var/lib/guichet/")
grep -q "guichet.sqlite.before-upgrade-from-${version}~previous-" <<<"$backups" || fail "no backup before the upgrade"
run_server
after=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM specialist').fetchone()[0])" "$root/var/lib/guichet/guichet.sqlite")
[ "$after" = "$specialists" ] || fail "the data changed across the upgrade ($specialists → $after)"
stop_server

echo "remove (data kept), then purge (data gone)"
in_root apt-get remove -y -qq guichet >>"$log" 2>&1 || fail "remove"
[ -f "$root/var/lib/guichet/guichet.sqlite" ] || fail "remove deleted the data"
[ -f "$root/etc/guichet/guichet.json" ] || fail "remove deleted the configuration"
in_root apt-get purge -y -qq guichet >>"$log" 2>&1 || fail "purge"
[ ! -e "$root/var/lib/guichet" ] || fail "purge left /var/lib/guichet"
[ ! -L "$root/etc/systemd/system/multi-user.target.wants/guichet.service" ] || fail "purge left guichet.service enabled"
in_root getent passwd guichet >/dev/null && fail "purge left the guichet user"
rm -f "$log"
echo "package test passed: $(du -h "$current" | cut -f1) package, $(( $(date +%s) - started )) s"
