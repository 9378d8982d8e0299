#!/usr/bin/env bash
# Installs what Guichet needs on Debian 12 (Swift itself is expected at /opt/swift or on PATH).
# Usage: scripts/setup.sh [--tests]   (--tests adds what the test suite needs)
set -euo pipefail
need=()
# Installed means "install ok installed": `dpkg -s` also succeeds for a package removed with
# its configuration files kept, which is not there to run.
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
# libcups2-dev, libsane-dev, libjpeg-dev: the station prints through libcups and scans
# through libsane into JPEG-in-PDF files; sane-utils brings scanimage (benchmark baseline).
# GStreamer (webrtcbin in plugins-bad, libnice, VP8 in good, Opus in base): the visio's media engine.
# espeak-ng: the station's voice ("Écouter"), on the station itself, in each of its languages.
for pkg in espeak-ng libsqlite3-dev pkg-config libcups2-dev libsane-dev libjpeg-dev sane-utils \
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev libnice-dev \
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice; do
  installed "$pkg" || need+=("$pkg")
done
if [ "${1:-}" = "--tests" ]; then
  # chromium + chromium-driver: the console's end-to-end and accessibility tests.
  # cups + cups-client: a private cupsd for the printing tests.
  # coturn: a private TURN server for the visio's relay tests (never started as a service).
  # xvfb + xdotool: the station's browser in a real window, its keyboard shortcuts pressed as a usager would.
  # nginx-light + openssl: the reverse-proxy example run for real, with a self-signed certificate.
  # iproute2: the LAN's hosts as network namespaces.
  # prometheus: its promtool lints /metrics and checks the shipped alert rules and dashboard queries.
  # msmtp: a real MTA the booking notices are handed to (relaying to the tests' SMTP server).
  # postgresql-15: the network's database, a private server per test run (initdb in a temporary
  # folder, never the system's service).
  # sox: measures the station's synthesized speech (its duration for its text).
  # wrk: a load no Python client can make (the network pool's rush of refusals).
  for pkg in sox wrk sqlite3 curl chromium chromium-driver cups cups-client coturn xvfb xdotool nginx-light openssl iproute2 prometheus msmtp postgresql-15; do installed "$pkg" || need+=("$pkg"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
if [ "${1:-}" = "--tests" ]; then
  # pypdf + pillow: an independent reader for the scanned PDFs.
  # websocket-client: the visio's signalling tests speak to the daemon's WebSocket.
  # aiortc: a second, independent WebRTC stack calls the room.
  # prometheus-client: an independent parser reads /metrics.
  # aiosmtpd: the SMTP server that captures the booking notices.
  python3 -c "import icalendar, vobject, pytest, selenium, axe_core_python, pypdf, PIL, websocket, aiortc, prometheus_client, aiosmtpd" 2>/dev/null ||
    python3 -m pip install -q icalendar vobject pytest selenium axe-core-python pypdf pillow websocket-client aiortc prometheus-client aiosmtpd
fi
if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH
  else echo "Swift 6 is required (https://swift.org/install); not found on PATH." >&2; exit 1; fi
fi
