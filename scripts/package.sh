#!/usr/bin/env bash
# Builds the Debian package guichet_VERSION_amd64.deb into .build/deb/, with Debian's own
# tools (dpkg-shlibdeps for the libraries' dependencies, dpkg-deb, lintian with no error).
# Usage: scripts/package.sh [--version V]   (V: the package's version, default the binary's)
# The Swift runtime and Foundation are linked statically: the package needs no Swift.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
need=()
for pkg in dpkg-dev lintian; do [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || need+=("$pkg"); done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

version=$(sed -n 's/.*static let text = "\(.*\)".*/\1/p' Sources/DeviceLink/GuichetVersion.swift)
if [ "${1:-}" = "--version" ]; then version="$2"; fi

build=.build/package
swift build -c release --product guichet --static-swift-stdlib --scratch-path "$build" 2>&1 | grep -v "prohibited flag" || true
binary="$build/release/guichet"
[ -x "$binary" ] || { echo "the release build failed" >&2; exit 1; }

out=.build/deb
stage="$out/guichet_${version}_amd64"
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/lib/guichet" "$stage/usr/bin" "$stage/usr/share/guichet" \
  "$stage/usr/share/doc/guichet/examples" "$stage/etc/guichet" "$stage/etc/default" "$stage/lib/systemd/system"
install -m 0755 "$binary" "$stage/usr/lib/guichet/guichet"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/lib/guichet/guichet"
ln -s ../lib/guichet/guichet "$stage/usr/bin/guichet"
# The manual page, written from the command line's own help (swift-argument-parser's generate-manual).
swift build -c release --product generate-manual --static-swift-stdlib --scratch-path "$build" 2>&1 | grep -v "prohibited flag" || true
install -d "$stage/usr/share/man/man1"
"$build/release/generate-manual" "$binary" --date "$(date -u +%Y-%m-%d)" -o "$stage/usr/share/man/man1"
gzip -9n "$stage/usr/share/man/man1/guichet.1"
chmod 0644 "$stage/usr/share/man/man1/guichet.1.gz"
# Templates, kiosk files, media presets, style sheets: under /usr/share/guichet; the binary
# looks for its resource bundles beside itself, where links lead there.
for bundle in "$build"/release/guichet_*.resources; do
  name=$(basename "$bundle")
  cp -r "$bundle" "$stage/usr/share/guichet/$name"
  ln -s "../../share/guichet/$name" "$stage/usr/lib/guichet/$name"
done
find "$stage/usr/share/guichet" -type d -exec chmod 0755 {} + ; find "$stage/usr/share/guichet" -type f -exec chmod 0644 {} +
# The example Grafana dashboard and the Prometheus alert rules (with their promtool tests).
install -d "$stage/usr/share/guichet/monitoring"
install -m 0644 deploy/monitoring/guichet-dashboard.json deploy/monitoring/guichet-alerts.yml deploy/monitoring/guichet-alerts-test.yml \
  "$stage/usr/share/guichet/monitoring/"
# 0644 in the package (Debian's rule for conffiles); postinst makes it 0640 root:guichet.
install -m 0644 config/guichet.json "$stage/etc/guichet/guichet.json"
install -m 0644 deploy/debian/default "$stage/etc/default/guichet"
install -m 0644 deploy/debian/guichet.service deploy/debian/guichet-station@.service deploy/debian/guichet-room.service "$stage/lib/systemd/system/"
install -m 0644 deploy/debian/copyright "$stage/usr/share/doc/guichet/copyright"
sed "s/@VERSION@/$version/" deploy/debian/changelog | gzip -9n > "$stage/usr/share/doc/guichet/changelog.gz"
chmod 0644 "$stage/usr/share/doc/guichet/changelog.gz"
# The Swift runtime's static Foundation carries its own zlib: said to lintian, with why.
install -d "$stage/usr/share/lintian/overrides"
install -m 0644 deploy/debian/lintian-overrides "$stage/usr/share/lintian/overrides/guichet"
install -m 0644 README.md "$stage/usr/share/doc/guichet/README.md"
install -m 0644 config/README.md "$stage/usr/share/doc/guichet/examples/configuration.md"
install -m 0644 config/guichet.json "$stage/usr/share/doc/guichet/examples/guichet.json"
install -m 0644 deploy/nginx/guichet.conf "$stage/usr/share/doc/guichet/examples/nginx-guichet.conf"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$stage/DEBIAN/"
printf '/etc/guichet/guichet.json\n/etc/default/guichet\n' > "$stage/DEBIAN/conffiles"

# The shared libraries the binary links to, as Debian names their packages.
shlib=$(mktemp -d)
mkdir -p "$shlib/debian"
printf 'Source: guichet\n\nPackage: guichet\nArchitecture: amd64\n' > "$shlib/debian/control"
depends=$(cd "$shlib" && dpkg-shlibdeps -O -e "$OLDPWD/$stage/usr/lib/guichet/guichet" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlib"
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependency" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" deploy/debian/control.in > "$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"

deb="$out/guichet_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
lintian --fail-on error "$deb"
echo "$deb ($(du -h "$deb" | cut -f1))"
