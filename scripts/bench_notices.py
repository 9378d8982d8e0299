#!/usr/bin/env python3
"""Booking notices through a real MTA: how fast the daemon drains 1,000 due notices.

Books 1,000 appointments whose usagers asked for notices (while the daemon looks for due
notices only hourly), then restarts the daemon: its first pass owes 1,000 confirmations,
each handed to Debian's msmtp (as `sendmail -t`) relaying to a local capturing SMTP server.
Timed from the restart until the server holds all 1,000 and the database records each sent.
Baseline, same run: msmtp alone handing 1,000 messages of the same size to the same server,
8 at a time as the daemon does (the MTA's own cost), with the ratio.

Usage: scripts/bench_notices.py [--count 1000]
Uses .build/release/guichet when built, else the debug build; needs scripts/setup.sh --tests.
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
release = ROOT / ".build/release/guichet"
os.environ.setdefault("GUICHET_BINARY", str(release if release.exists() else ROOT / ".build/debug/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from aiosmtpd.controller import Controller  # noqa: E402

from conftest import ROOT as _, Daemon, free_port  # noqa: E402,F401
from test_daemon import room_booking_bodies  # noqa: E402


class Count:
    def __init__(self):
        self.count = 0
        self.size = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.size = len(envelope.content)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    sink = Count()
    port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="guichet-bench-notices-") as folder:
        rc = os.path.join(folder, "msmtprc")
        Path(rc).write_text(f"account default\nhost 127.0.0.1\nport {port}\nauth off\ntls off\nfrom bench@example.org\n")
        os.chmod(rc, 0o600)
        config = json.loads((ROOT / "config/guichet.json").read_text())
        config["notices"] = {"sendmail": ["/usr/bin/msmtp", "-C", rc, "-t"], "checkSeconds": 3600}
        path = os.path.join(folder, "guichet.json")
        Path(path).write_text(json.dumps(config))
        os.makedirs(os.path.join(folder, "data"))
        d = Daemon(os.path.join(folder, "data"), config=path).start()
        try:
            booked = 0
            # Room bookings every quarter hour (those a permanence holds are refused: skipped).
            for i, body in enumerate(room_booking_bodies(d, args.count * 2)):
                body["usager"] = {"name": f"Usager {i}", "email": f"usager{i}@example.org", "reminderConsent": True}
                status, answer = d.json("POST", "/api/v1/bookings", body)
                assert status in (201, 409), answer
                booked += status == 201
                if booked == args.count:
                    break
            assert booked == args.count, f"only {booked} slots"
            assert sink.count == 0, "the first pass ran before the bookings"
            d.stop()
            started = time.perf_counter()
            d.start()
            while sink.count < args.count:
                time.sleep(0.01)
            with sqlite3.connect(d.db) as db:
                while db.execute("SELECT count(*) FROM bookingNotice WHERE sentAt IS NOT NULL").fetchone()[0] < args.count:
                    time.sleep(0.01)
            daemon_seconds = time.perf_counter() - started
        finally:
            d.stop()
        size = sink.size
        # The same size, in lines of 76 characters as the daemon's base64 parts.
        message = "To: <x@example.org>\r\nSubject: bench\r\n\r\n" + ("x" * 76 + "\r\n") * max(1, (size - 40) // 78)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:  # as many at once as the daemon
            list(pool.map(lambda _: subprocess.run(["/usr/bin/msmtp", "-C", rc, "-t"], input=message.encode(), check=True), range(args.count)))
        mta_seconds = time.perf_counter() - started
    smtp.stop()
    print(f"{args.count} due notices (messages of {size} bytes) through msmtp to a local SMTP server:")
    print(f"  daemon, restart → all handed over and recorded: {daemon_seconds:.2f} s ({args.count / daemon_seconds:.0f} a second; goal < 10 s for 1,000)")
    print(f"  baseline, msmtp alone, 8 at a time:             {mta_seconds:.2f} s → ratio {daemon_seconds / mta_seconds:.2f} ×")


if __name__ == "__main__":
    main()
