#!/usr/bin/env python3
"""The structure over a LAN, measured (root; network namespaces as in Tests/Integration/test_lan.py):

  1. a station's session end → ready on its own host, with the real Chromium restart
     (the old browser closed, the session wiped, a new browser on a fresh profile showing
     the welcome page), 20 cycles; goal p99 < 1.5 s;
  2. visio setup, admit → first video frame in the specialist's browser: the room on its own
     host and the specialist on another, against the room on the server's machine and the
     specialist beside it (single host), 3 calls each, in the same run;
  3. the server's CPU at idle with no station connected, then with two, over 30 s each:
     the extra per connected station, in % of one core; goal < 1 %.

Usage: sudo scripts/bench-lan.py   (after `swift build -c release`; GUICHET_BINARY to change)
"""
import os, statistics, subprocess, sys, tempfile, threading, time, urllib.request, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GUICHET_BINARY", str(ROOT / ".build/release/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from selenium.webdriver.common.by import By  # noqa: E402

from conftest import BINARY, Daemon  # noqa: E402
from lan import Lan, SUBNET  # noqa: E402
from test_lan import SERVER, Station, console_code, let_go, remote_chromium, spki_hash  # noqa: E402
from test_network import make_certificate, trusting  # noqa: E402
from test_visio import FAKE_DEVICES, book_visio, instant, link_token, page_frames, restart_at  # noqa: E402
from waiting import wait_for  # noqa: E402

FORWARDER = """
import socket, sys, threading
def pipe(a, b):
    try:
        while (data := a.recv(65536)):
            b.sendall(data)
    except OSError:
        pass
    finally:
        a.close(); b.close()
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((sys.argv[1], int(sys.argv[2]))); server.listen(16)
while True:
    client, _ = server.accept()
    try:
        upstream = socket.create_connection(("127.0.0.1", int(sys.argv[3])))
    except OSError:
        client.close(); continue
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def server_on(lan, folder, remote_room):
    host = lan.add("srv", 1)
    cert, key, fingerprint = make_certificate(folder, addresses=[SERVER])
    d = Daemon(folder / "server")
    d.host_command, d.host, d.scheme, d.ssl_context, d.port = host.command, SERVER, "https", trusting(cert), 8443
    d.args = ["--host", "0.0.0.0", "--tls-cert", str(cert), "--tls-key", str(key), "--visio-media", "test",
              "--visio-room", "remote" if remote_room else "here"]
    d.start()
    return host, d, cert, fingerprint


def pages(address):
    """The station browser's pages, from its DevTools endpoint (forwarded onto the LAN)."""
    try:
        with urllib.request.urlopen(f"http://{address}:9223/json/list", timeout=1) as r:
            return json.loads(r.read())
    except OSError:
        return []


def station_restarts(lan, folder, cycles=20):
    srv, d, cert, fingerprint = server_on(lan, folder, remote_room=True)
    st = Station(lan.add("st1", 11), "poste-1", folder / "st1", f"https://{SERVER}:8443")
    try:
        assert st.enrol(console_code(d, "poste-1"), fingerprint).returncode == 0
        st.start()
        forward = st.host.popen(["python3", "-c", FORWARDER, st.host.address, "9223", "9222"])
        welcome = "http://127.0.0.1:8090/kiosk/poste-1/"
        times = []
        for cycle in range(cycles + 1):
            assert wait_for(lambda: any(p.get("url", "").startswith(welcome) and "lancer" not in p["url"] for p in pages(st.host.address)),
                            timeout=60, interval=0.02), st.log()[-2000:]
            driver = st.driver()
            old = {p["id"] for p in pages(st.host.address)}
            wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "form[action$='commencer'] button"), timeout=20)
            driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
            wait_for(lambda: driver.current_url.endswith("/accueil"), timeout=20)
            driver.get(welcome + "terminer")
            button = driver.find_element(By.CSS_SELECTOR, "button[name=score][value='']")
            t0 = time.monotonic()
            try:
                button.click()
            except Exception:
                pass
            # Ready: a new browser (a page DevTools never listed) shows the welcome page.
            wait_for(lambda: any(p["id"] not in old and p.get("url", "").startswith(welcome) and "lancer" not in p["url"]
                                 for p in pages(st.host.address)), timeout=30, interval=0.005)
            elapsed = time.monotonic() - t0
            let_go(driver)
            if cycle > 0:  # the first one warms the caches up
                times.append(elapsed)
        forward.kill()
        return times
    finally:
        st.stop()
        d.stop()


def visio_setups(lan, folder, remote, calls=3):
    srv, d, cert, fingerprint = server_on(lan, folder, remote_room=remote)
    room_proc = None
    spec_host = lan.add("spec", 30) if remote else srv
    try:
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        if remote:
            room = lan.add("room", 20)
            assert room.run([BINARY, "room", "enrol", "--server", f"https://{SERVER}:8443", "--code", console_code(d, "visio"),
                             "--fingerprint", fingerprint, "--data", folder / "room"], capture_output=True).returncode == 0
            room_proc = room.popen([BINARY, "room", "--station", "visio", "--data", folder / "room", "--visio-media", "test"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: "lien visio ouvert" in d.get("/console/devices")[1].decode(), timeout=20, what="the room's link")
        times = []
        for _ in range(calls):
            driver, proc = remote_chromium(spec_host, *FAKE_DEVICES, f"--ignore-certificate-errors-spki-list={spki_hash(cert)}")
            try:
                driver.get(d.url(f"/visio/{token}"))
                wait_for(lambda: driver.execute_script("return !document.getElementById('rejoindre').disabled"), 20)
                driver.find_element(By.ID, "rejoindre").click()
                wait_for(lambda: "En salle d’attente" in d.get("/console/visio")[1].decode(), 15)
                t0 = time.monotonic()
                d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})
                wait_for(lambda: page_frames(driver) > 0, timeout=30, interval=0.01)
                times.append(time.monotonic() - t0)
                d.form_post(f"/console/visio/{booking['id']}/hang-up", {"_csrf": d.csrf()})
                wait_for(lambda: "En communication" not in d.get("/console/visio")[1].decode(), 15)
            finally:
                let_go(driver)
                proc.kill()
        return times
    finally:
        if room_proc:
            room_proc.kill()
        d.stop()


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(lan, folder, window=30):
    srv, d, cert, fingerprint = server_on(lan, folder, remote_room=True)
    stations = []
    try:
        def share():
            before = cpu_seconds(d.proc.pid)
            time.sleep(window)
            return (cpu_seconds(d.proc.pid) - before) / window * 100
        alone = share()
        for name, number, station in (("st1", 11, "poste-1"), ("st2", 12, "poste-2")):
            st = Station(lan.add(name, number), station, folder / name, f"https://{SERVER}:8443")
            assert st.enrol(console_code(d, station), fingerprint).returncode == 0
            stations.append(st.start())
        time.sleep(10)  # browsers up, the stations' contacts in their pace
        with_two = share()
        return alone, with_two
    finally:
        for st in stations:
            st.stop()
        d.stop()


def fresh(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))


def main():
    if os.geteuid() != 0:
        sys.exit("bench-lan needs root (network namespaces)")
    print(f"guichet LAN benchmark — {BINARY}")
    lan = Lan()
    try:
        restarts = station_restarts(lan, fresh("bench-lan-station-"))
    finally:
        lan.close()
    print(f"Station end → ready on its own host, real Chromium restart ({len(restarts)} cycles):")
    print(f"  p50 {percentile(restarts, 0.5) * 1000:.0f} ms, p99 {percentile(restarts, 0.99) * 1000:.0f} ms, worst {max(restarts) * 1000:.0f} ms  (goal p99 < 1500 ms)")

    results = {}
    for remote in (False, True):
        lan = Lan()
        try:
            results[remote] = visio_setups(lan, fresh("bench-lan-visio-"), remote)
        finally:
            lan.close()
    single, between = statistics.median(results[False]), statistics.median(results[True])
    print("Visio setup, admit → first video frame at the specialist (3 calls each, median):")
    print(f"  single host (room engine in the server, specialist beside it): {single * 1000:.0f} ms")
    print(f"  between hosts (room PC ↔ specialist PC, signalling via the server): {between * 1000:.0f} ms  ({between / single:.2f}× single host)")

    lan = Lan()
    try:
        alone, with_two = idle_cpu(lan, fresh("bench-lan-cpu-"))
    finally:
        lan.close()
    print("Server CPU at idle (30 s windows, % of one core):")
    print(f"  no station connected: {alone:.2f} %; two stations connected: {with_two:.2f} %;"
          f" extra per station: {max(0.0, with_two - alone) / 2:.2f} %  (goal < 1 %)")


if __name__ == "__main__":
    main()
