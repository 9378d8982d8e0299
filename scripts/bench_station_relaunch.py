#!/usr/bin/env python3
"""The station's end → ready with the browser: the real daemon and `guichet station`
supervising a real (headless) Chromium. Each run starts a session, ends it as "Terminer"
does, and times until the *new* browser process has the welcome page of the next session
(kill of the old browser's process group, wipe verified, next session prepared, new
browser started, ticket redeemed). Baseline, same run: a bare Chromium started on a fresh
profile and opening the same kind of page (a ticket for the station's current session).

Usage: scripts/bench_station_relaunch.py [--runs N]
Uses .build/release/guichet when built, else the debug build; needs scripts/setup.sh --tests.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
release = ROOT / ".build/release/guichet"
os.environ.setdefault("GUICHET_BINARY", str(release if release.exists() else ROOT / ".build/debug/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from conftest import BINARY, free_port  # noqa: E402
from test_station import station_daemon, status  # noqa: E402
from test_station_supervisor import Supervisor  # noqa: E402


def browser_id(port):
    """The DevTools id of the browser process behind `port` (a new process, a new id)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1) as r:
            return json.loads(r.read())["webSocketDebuggerUrl"]
    except OSError:
        return None


def welcome_in(port, predicate, timeout=20, not_browser=None):
    """Waits until a browser behind `port` (other than `not_browser`) shows a station welcome
    page matching `predicate`; returns the time."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            if not_browser and browser_id(port) in (None, not_browser):
                time.sleep(0.005)
                continue
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=1) as r:
                pages = [t["url"] for t in json.loads(r.read()) if t.get("type") == "page"]
            if any(predicate(url) for url in pages):
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError("no welcome page")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    relaunch, bare = [], []
    with station_daemon("guichet-bench-relaunch-") as (d, tmp):
        s = Supervisor(d, tmp).start()
        try:
            for _ in range(runs):
                deadline = time.perf_counter() + 20
                while not (old := browser_id(s.port)) and time.perf_counter() < deadline:
                    time.sleep(0.05)
                assert old, "the supervisor's browser does not answer"
                while (session := status(d)["next"]) != s.browser_session():
                    time.sleep(0.05)  # the browser shown is the prepared session's
                assert d.form_post("/kiosk/poste-1/commencer", {"_k": session}, with_session=False)[0] == 303
                start = time.perf_counter()
                assert d.form_post("/kiosk/poste-1/fin", {"_k": session, "score": ""}, with_session=False)[0] == 303
                ready = welcome_in(s.port, lambda url: url.endswith("/kiosk/poste-1/?fin=1"), not_browser=old)
                relaunch.append(ready - start)
                while s.browser_session() in (None, session):
                    time.sleep(0.01)
                time.sleep(0.5)  # before the next run, the new browser settles

                # Baseline: the same Chromium, its own fresh profile, started and opening the station's page.
                profile = Path(tempfile.mkdtemp(prefix="bench-bare-"))
                port = free_port()
                path = d.ticket_path()
                start = time.perf_counter()
                bare_chromium = subprocess.Popen(
                    ["/usr/bin/chromium", "--headless=new", "--disable-dev-shm-usage", "--remote-allow-origins=*", f"--user-data-dir={profile}", "--no-first-run",
                     "--no-sandbox" if os.getuid() == 0 else "--no-default-browser-check", f"--remote-debugging-port={port}", d.url(path)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
                try:
                    ready = welcome_in(port, lambda url: "/kiosk/poste-1/" in url and "lancer" not in url)
                    bare.append(ready - start)
                finally:
                    bare_chromium.kill()
                    bare_chromium.wait()
                    shutil.rmtree(profile, ignore_errors=True)
                time.sleep(0.3)
        finally:
            s.stop()
    ms = lambda v: f"{v * 1000:.0f} ms"
    print(f"Station end → ready, browser relaunch included ({runs} runs, {Path(BINARY).parent.name} build):")
    print(f"  end → new browser on the next session's welcome page: p50 {ms(statistics.median(relaunch))}, "
          f"p99 {ms(percentile(relaunch, 99))}, max {ms(max(relaunch))}   (goal p99 < 1.5 s)")
    print(f"  baseline, bare Chromium start → same page:          p50 {ms(statistics.median(bare))}, p99 {ms(percentile(bare, 99))}")
    print(f"  ratio p50 {statistics.median(relaunch) / statistics.median(bare):.2f} ×, p99 {percentile(relaunch, 99) / percentile(bare, 99):.2f} ×")


if __name__ == "__main__":
    main()
