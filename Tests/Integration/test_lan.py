"""One structure over a LAN of network namespaces: the server on its host (its own TLS, or
behind nginx), two stations on their own hosts (each its private cupsd, SANE's test
backend, real headless Chromium supervised by `guichet station --kiosk here`), and the
test runner as the agents' desk. Devices are enrolled with console codes; sessions scan and
print; a help request reaches the console; the server's link is cut and restored, and what
the stations queued meanwhile arrives once; a revoked station is refused."""
import json, re, shutil, signal, sqlite3, subprocess, tempfile, time, urllib.parse
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from conftest import BINARY, MANAGER, ROOT, Daemon, show_on_failure
from devices import PrivateCups, sane_config
from lan import Lan, SUBNET
from test_network import Nginx, make_certificate, trusting
from waiting import wait_for

SERVER = f"{SUBNET}.1"


def spki_hash(cert):
    """What Chromium's --ignore-certificate-errors-spki-list takes, computed by openssl."""
    key = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key, capture_output=True, check=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, capture_output=True, check=True).stdout
    import base64
    return base64.b64encode(digest).decode()


class Station:
    """A self-service station on its own host."""

    def __init__(self, host, station, folder, server_url):
        self.host, self.station, self.folder, self.server_url = host, station, Path(folder), server_url
        self.pc = self.folder / "pc"
        self.cups = None
        self.proc = None
        self.chromedriver = None

    def enrol(self, code, fingerprint):
        args = [BINARY, "station", "enrol", "--server", self.server_url, "--code", code, "--data", self.pc]
        return self.host.run(args + (["--fingerprint", fingerprint] if fingerprint else []), capture_output=True, text=True, timeout=60)

    def start(self):
        self.cups = PrivateCups(host_command=self.host.command).start()
        sane = sane_config(self.folder / "sane")
        wrapper = self.folder / "chromium-headless"
        wrapper.write_text('#!/bin/sh\nexec /usr/bin/chromium --headless=new --remote-debugging-port=9222 --remote-allow-origins=* '
                           '--disable-dev-shm-usage "$@"\n')
        wrapper.chmod(0o755)
        self.log_path = self.folder / "station.log"
        show_on_failure(f"guichet station {self.station}", self.log)
        self.proc = self.host.popen(
            ["env", f"SANE_CONFIG_DIR={sane}", BINARY, "station", "--station", self.station, "--data", self.pc, "--kiosk", "here",
             "--cups-server", self.cups.server, "--printer-queue", self.cups.queue, "--scanner", "test:0",
             "--chromium", wrapper, "--policy-directory", self.folder / "policy"],
            stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        self.chromedriver = self.host.popen(["/usr/bin/chromedriver", "--port=9515", f"--allowed-ips={SUBNET}.254", "--allowed-origins=*"],
                                            stdout=open(self.folder / "chromedriver.log", "wb"), stderr=subprocess.STDOUT)
        return self

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no output)"

    def driver(self):
        """chromedriver on the station's host, attached to the browser its supervisor launched."""
        options = webdriver.ChromeOptions()
        options.debugger_address = "127.0.0.1:9222"
        deadline = time.time() + 40
        while True:
            try:
                return webdriver.Remote(command_executor=f"http://{self.host.address}:9515", options=options)
            except Exception:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError(f"no browser to drive on {self.station}:\n{self.log()[-3000:]}")
                time.sleep(0.5)

    def outbox(self):
        with sqlite3.connect(self.pc / "station.sqlite") as db:
            return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def stop(self):
        for proc in (self.proc, self.chromedriver):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        if self.cups:
            self.cups.stop()


def kiosk_page(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def scan_and_print(st):
    """A usager starts a session, scans a page and prints it; returns the session id."""
    driver = st.driver()
    try:
        assert wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "form[action$='commencer'] button"), timeout=30, ignoring=WebDriverException), st.log()[-3000:]
        assert driver.current_url.startswith("http://127.0.0.1:8090/kiosk/"), driver.current_url
        driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
        assert wait_for(lambda: driver.current_url.endswith("/accueil"), ignoring=WebDriverException)
        session = driver.find_element(By.TAG_NAME, "body").get_attribute("data-session")
        driver.get(f"http://127.0.0.1:8090/kiosk/{st.station}/numeriser")
        driver.find_element(By.CSS_SELECTOR, "form.scan button[type=submit]").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".notice"), timeout=30, ignoring=WebDriverException)
        assert "Votre document est prêt" in kiosk_page(driver), kiosk_page(driver) + st.log()[-2000:]
        driver.get(f"http://127.0.0.1:8090/kiosk/{st.station}/imprimer")
        driver.find_element(By.CSS_SELECTOR, "form input[name=kind][value=scans] ~ button").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".notice"), ignoring=WebDriverException)
        assert "envoyé à l’imprimante" in kiosk_page(driver), kiosk_page(driver)
        assert wait_for(lambda: len(st.cups.outputs()) >= 1, timeout=20), st.cups.log()
        assert st.cups.outputs()[-1].read_bytes().startswith(b"%PDF-")
        return session
    finally:
        let_go(driver)


def press(driver, selector):
    driver.find_element(By.CSS_SELECTOR, selector).click()


def let_go(driver):
    """Detaches from the station's browser, which may have been closed by then (a session's
    end closes it before the wipe)."""
    try:
        driver.quit()
    except WebDriverException:
        pass


@pytest.fixture
def lan():
    network = Lan()
    try:
        yield network
    finally:
        network.close()


def server_on(lan, folder, front):
    """The structure's server on its host, with its own TLS or behind nginx; returns the
    daemon (as the runner calls it), the certificate, its fingerprint and the nginx if any."""
    host = lan.add("srv", 1)
    cert, key, fingerprint = make_certificate(folder, addresses=[SERVER])
    d = Daemon(folder / "server")
    d.host_command = host.command
    d.host, d.scheme, d.ssl_context = SERVER, "https", trusting(cert)
    proxy = None
    if front == "tls":
        d.port = 8443
        d.args = ["--host", "0.0.0.0", "--tls-cert", str(cert), "--tls-key", str(key)]
    else:
        # Plain HTTP on the server's loopback; nginx holds the certificate on 443.
        d.port, d.public_port = 8080, 443
        d.args = ["--host", "127.0.0.1", "--trusted-proxy", "127.0.0.1"]
        proxy = Nginx(folder / "nginx", 8080, cert, key, host_command=host.command, port=443, plain_port=80)
    d.start()
    return d, cert, fingerprint, proxy


def console_code(d, station):
    status, body = d.form_post(f"/console/devices/{station}/code", {"_csrf": d.csrf()})
    assert status == 200, body[:500]
    return re.search(rb"<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>", body).group(1).decode()


@pytest.mark.parametrize("front", ["tls", "nginx"])
def test_a_structure_over_a_lan(lan, front):
    folder = Path(tempfile.mkdtemp(prefix=f"guichet-lan-{front}-"))
    stations = []
    proxy = None
    try:
        d, cert, fingerprint, proxy = server_on(lan, folder, front)
        url = f"https://{SERVER}" + (":8443" if front == "tls" else "")
        for name, number, station in (("st1", 11, "poste-1"), ("st2", 12, "poste-2")):
            stations.append(Station(lan.add(name, number), station, folder / name, url))
        st1, st2 = stations

        # Enrolment: the certificate is checked against the console's fingerprint first.
        code = console_code(d, "poste-1")
        unpinned = st1.enrol(code, None)
        assert unpinned.returncode != 0 and fingerprint in unpinned.stderr, unpinned.stderr
        wrong = st1.enrol(code, "sha256:" + ":".join(["00"] * 32))
        assert wrong.returncode != 0 and "not enrolled" in wrong.stderr, wrong.stderr
        enrolled = st1.enrol(code, fingerprint)
        assert enrolled.returncode == 0, enrolled.stderr
        identity = json.loads((st1.pc / "devices/poste-1.json").read_text())
        assert identity["fingerprint"] == fingerprint and (st1.pc / "devices/poste-1.json").stat().st_mode & 0o777 == 0o600
        assert st2.enrol(console_code(d, "poste-2"), fingerprint).returncode == 0
        if front == "nginx":
            # Through the proxy, the daemon saw each station's own address, not nginx's.
            with sqlite3.connect(d.db) as db:
                assert [a for (a,) in db.execute("SELECT address FROM signInAttempt WHERE login = 'device-enrolment' ORDER BY id")] \
                    == [st1.host.address, st2.host.address]

        for st in stations:
            st.start()
        sessions = {st.station: scan_and_print(st) for st in stations}

        # A help request from poste-1 reaches the console of the agents' desk (the runner).
        driver = st1.driver()
        try:
            press(driver, "button.help")
            assert wait_for(lambda: "Un agent a été prévenu" in driver.find_element(By.TAG_NAME, "body").text, ignoring=WebDriverException)
        finally:
            let_go(driver)
        from browser import chromium
        desk = chromium(f"--ignore-certificate-errors-spki-list={spki_hash(cert)}")
        try:
            desk.get(d.url("/console/sign-in"))
            desk.find_element(By.ID, "login").send_keys(MANAGER[0])
            desk.find_element(By.ID, "password").send_keys(MANAGER[1])
            desk.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            assert wait_for(lambda: "Poste libre-service 1" in desk.find_element(By.ID, "aide").find_element(By.XPATH, "..").text
                            if desk.find_elements(By.ID, "aide") else desk.refresh(), timeout=20, ignoring=WebDriverException)
        finally:
            desk.quit()

        # A usager books at poste-1: its station asks the server's agenda over the device link.
        driver = st1.driver()
        try:
            driver.get("http://127.0.0.1:8090/kiosk/poste-1/prendre-rendez-vous?situation=housing-allowance")
            press(driver, "ul.slots a")
            driver.find_element(By.ID, "nom").send_keys("Mme Réseau")
            press(driver, "form[action$='prendre-rendez-vous'] button[type=submit]")
            assert wait_for(lambda: "Votre rendez-vous est réservé" in kiosk_page(driver), ignoring=WebDriverException), kiosk_page(driver)
        finally:
            let_go(driver)
        with sqlite3.connect(d.db) as db:
            assert db.execute("SELECT count(*) FROM booking b JOIN selfBooking s ON s.booking = b.id WHERE b.usagerName = 'Mme Réseau'").fetchone()[0] == 1

        # The server's link is cut: poste-2 goes on (scan, print), says what is unavailable,
        # and queues its facts.
        with sqlite3.connect(d.db) as db:
            before = db.execute("SELECT (SELECT COUNT(*) FROM satisfactionAnswer), (SELECT COUNT(*) FROM helpRequest WHERE station = 'poste-2'),"
                                " (SELECT COUNT(*) FROM stationSession WHERE station = 'poste-2')").fetchone()
        lan.hosts["srv"].cut()
        driver = st2.driver()
        try:
            assert wait_for(lambda: driver.refresh() or "réseau de la structure est coupé" in driver.find_element(By.TAG_NAME, "body").text,
                            timeout=20, interval=1, ignoring=WebDriverException), st2.log()[-2000:]
            outputs = len(st2.cups.outputs())
            driver.get("http://127.0.0.1:8090/kiosk/poste-2/prendre-rendez-vous")
            assert "La prise de rendez-vous ne répond pas" in kiosk_page(driver), kiosk_page(driver)
            driver.get("http://127.0.0.1:8090/kiosk/poste-2/numeriser")
            press(driver, "form.scan button[type=submit]")
            wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".notice"), timeout=30, ignoring=WebDriverException)
            driver.get("http://127.0.0.1:8090/kiosk/poste-2/imprimer")
            press(driver, "form input[name=kind][value=scans] ~ button")
            assert wait_for(lambda: len(st2.cups.outputs()) > outputs, timeout=20), st2.cups.log()
            press(driver, "button.help")
            assert wait_for(lambda: "Votre appel n’a pas pu être transmis" in driver.find_element(By.TAG_NAME, "body").text, ignoring=WebDriverException)
            driver.get("http://127.0.0.1:8090/kiosk/poste-2/terminer")
            try:
                press(driver, "button[name=score][value='4']")
            except WebDriverException:
                pass  # the session's end closes its browser, sometimes before the click returns
        except WebDriverException as e:
            raise AssertionError(f"{e}\n{driver.find_element(By.TAG_NAME, 'body').text[:2000]}")
        finally:
            let_go(driver)
        assert wait_for(lambda: st2.outbox() >= 3, timeout=20), st2.outbox()
        queued = st2.outbox()
        # The station PC's own /metrics (its loopback): the facts waiting, its prints and scans.
        own = st2.host.run(["curl", "-s", "http://127.0.0.1:8090/metrics"], capture_output=True, text=True).stdout
        waiting = re.search(r"^guichet_outbox_records (\S+)$", own, re.M)
        assert waiting and float(waiting.group(1)) >= queued, own
        assert re.search(r'^guichet_station_prints_total\{station="poste-2",outcome="ok"\} [1-9]', own, re.M), own
        assert re.search(r'^guichet_station_scans_total\{station="poste-2",outcome="ok"\} [1-9]', own, re.M), own

        lan.hosts["srv"].restore()
        assert wait_for(lambda: st2.outbox() == 0, timeout=30), f"{queued} records still queued:\n{st2.log()[-2000:]}"
        with sqlite3.connect(d.db) as db:
            after = db.execute("SELECT (SELECT COUNT(*) FROM satisfactionAnswer), (SELECT COUNT(*) FROM helpRequest WHERE station = 'poste-2'),"
                               " (SELECT COUNT(*) FROM stationSession WHERE station = 'poste-2')").fetchone()
            delivered = db.execute("SELECT COUNT(*) FROM deviceDelivery WHERE device = 'poste-2'").fetchone()[0]
        assert after[0] == before[0] + 1 and after[1] == before[1] + 1, (before, after)
        assert after[2] == before[2]  # the same session, updated, not a second one
        assert delivered >= queued
        # The server counted poste-2's facts as its outbox delivered them, each once. Its
        # /metrics answers the server's own host (a desk on the LAN is refused without the token).
        assert d.get("/metrics")[0] == 403
        scheme = "https" if front == "tls" else "http"
        metrics = lan.hosts["srv"].run(["curl", "-sk", f"{scheme}://127.0.0.1:{d.port}/metrics"], capture_output=True, text=True).stdout
        assert re.search(r'^guichet_station_sessions_total\{station="poste-2"\} [1-9]', metrics, re.M), metrics
        assert re.search(r'^guichet_station_help_requests_total\{station="poste-2"\} [1-9]', metrics, re.M), metrics
        assert re.search(r'^guichet_station_wipes_total\{station="poste-2",verified="true"\} [1-9]', metrics, re.M), metrics

        # Revoked: the station's credential is refused from its own host.
        status, _ = d.form_post("/console/devices/poste-1/revoke", {"_csrf": d.csrf()})
        assert status == 303
        refused = st1.host.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", cert, "-X", "POST",
                                "-H", f"Authorization: Bearer {identity['credential']}", "-H", "Content-Type: application/json",
                                "-d", "{}", f"{url}/api/v1/devices/contact"], capture_output=True, text=True)
        assert refused.stdout == "401", refused.stdout + refused.stderr
        assert "Révoqué le" in d.get("/console/devices")[1].decode()
    finally:
        for st in stations:
            st.stop()
        if proxy:
            proxy.stop()
        try:
            d.stop(signal.SIGKILL)
        except NameError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


def remote_chromium(host, *extra):
    """Headless Chromium on another host, through a chromedriver started there."""
    driver_log = open(Path(tempfile.gettempdir()) / f"chromedriver-{host.ns}.log", "wb")
    proc = host.popen(["/usr/bin/chromedriver", "--port=9515", f"--allowed-ips={SUBNET}.254", "--allowed-origins=*"],
                      stdout=driver_log, stderr=subprocess.STDOUT)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr-FR", *extra):
        options.add_argument(arg)
    deadline = time.time() + 30
    while True:
        try:
            driver = webdriver.Remote(command_executor=f"http://{host.address}:9515", options=options)
            driver.set_script_timeout(60)
            return driver, proc
        except Exception:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.5)


def test_a_visio_between_the_room_host_and_the_specialist_host(lan):
    """The room's engine on its own PC, driven by the server over the room's link; the
    specialist's Chromium on another host, outside the structure's network (it reaches only
    its link, over HTTPS); media straight between the two, and still flowing while the
    server's link is cut."""
    from browser import chromium
    from test_visio import FAKE_DEVICES, book_visio, guest_token, instant, link_token, looks, page_frames, restart_at, solid_camera
    folder = Path(tempfile.mkdtemp(prefix="guichet-lan-visio-"))
    room_proc = specialist = driver_proc = None
    d = None
    try:
        server = lan.add("srv", 1)
        # The structure's network: its PCs (.1–.31) and the test runner; the specialist (.40) is elsewhere.
        room_host, specialist_host = lan.add("room", 20), lan.add("spec", 40)
        cert, key, fingerprint = make_certificate(folder, addresses=[SERVER])
        d = Daemon(folder / "server")
        d.host_command, d.host, d.scheme, d.ssl_context, d.port = server.command, SERVER, "https", trusting(cert), 8443
        d.args = ["--host", "0.0.0.0", "--tls-cert", str(cert), "--tls-key", str(key), "--visio-media", "test", "--visio-room", "remote",
                  "--local-network", "10.231.0.0/27", "--local-network", "10.231.0.254/32"]
        d.start()
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        url = f"https://{SERVER}:8443"

        def room_state():
            out = server.run(["curl", "-sk", f"https://127.0.0.1:8443/salle/visio/etat"], capture_output=True, text=True).stdout
            return (json.loads(out).get("call") or {}) if out else {}

        enrolled = room_host.run([BINARY, "room", "enrol", "--server", url, "--code", console_code(d, "visio"), "--fingerprint", fingerprint,
                                  "--data", folder / "room"], capture_output=True, text=True, timeout=60)
        assert enrolled.returncode == 0, enrolled.stderr
        room_log = folder / "room.log"
        show_on_failure("guichet room, on the room's host", lambda: room_log.read_text(errors="replace"))
        room_proc = room_host.popen(["env", "GUICHET_ROOM_TRACE=1", BINARY, "room", "--station", "visio", "--data", folder / "room", "--visio-media", "test"],
                                    stdout=open(room_log, "wb"), stderr=subprocess.STDOUT)
        assert wait_for(lambda: "lien visio ouvert" in d.get("/console/devices")[1].decode(), timeout=20), room_log.read_text()

        specialist, driver_proc = remote_chromium(specialist_host, *FAKE_DEVICES, f"--ignore-certificate-errors-spki-list={spki_hash(cert)}")
        specialist.get(d.url(f"/visio/{token}"))
        # Keeps the page's peer connection within reach, to read which addresses carry the media.
        specialist.execute_script(
            "const Original = window.RTCPeerConnection; window.peers = [];"
            "window.RTCPeerConnection = function (c) { const p = new Original(c); window.peers.push(p); return p; };"
            "window.RTCPeerConnection.prototype = Original.prototype;")
        wait_for(lambda: specialist.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the devices check")
        specialist.find_element(By.ID, "rejoindre").click()
        wait_for(lambda: room_state().get("waiting"), 15, what="the room to see the specialist waiting")
        status, _ = d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})
        assert status in (302, 303)
        wait_for(lambda: page_frames(specialist) > 30, 30, what=f"video frames in the specialist's Chromium\n{room_log.read_text()[-2000:]}")
        wait_for(lambda: room_state().get("videoFrames", 0) > 30 and room_state().get("audioBuffers", 0) > 10, 30,
                 what="frames at the room's engine, on the room's host")
        # The media go straight between the two hosts.
        pair = specialist.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const pc = window.peers[window.peers.length - 1];
            if (!pc) { done(null); return; }
            pc.getStats().then(stats => {
              let pair = null;
              stats.forEach(s => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
              if (!pair) { done(null); return; }
              done([stats.get(pair.localCandidateId).address, stats.get(pair.remoteCandidateId).address]);
            });""")
        assert pair == [specialist_host.address, room_host.address], pair

        # An interpreter joins by the second link (from this host, over HTTPS): the room's PC
        # makes the call a conference; the specialist sees the interpreter's (blue) picture inset.
        assert d.form_post(f"/console/visio/{booking['id']}/invite", {"_csrf": d.csrf()})[0] in (302, 303)
        guest = guest_token(d, booking)
        interpreter = chromium(*FAKE_DEVICES, f"--use-file-for-fake-video-capture={solid_camera(folder / 'blue.y4m', 41, 240, 110)}",
                               f"--ignore-certificate-errors-spki-list={spki_hash(cert)}")
        try:
            interpreter.get(d.url(f"/visio/{guest}"))
            wait_for(lambda: interpreter.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the interpreter's devices check")
            interpreter.find_element(By.ID, "rejoindre").click()
            wait_for(lambda: "admit-guest" in d.get("/console/visio")[1].decode(), 15, what="the interpreter in the waiting room")
            assert d.form_post(f"/console/visio/{booking['id']}/admit-guest", {"_csrf": d.csrf()})[0] in (302, 303)
            wait_for(lambda: room_state().get("guest", {}).get("videoFrames", 0) > 30, 30,
                     what=f"the interpreter's frames at the room's host\n{room_log.read_text()[-2000:]}")
            wait_for(lambda: page_frames(interpreter) > 30, 30, what="frames in the interpreter's page")
            wait_for(lambda: looks(specialist, 0.81, 0.81) == "blue", 30, what="the interpreter's picture inset on the specialist's page")
            assert d.form_post(f"/console/visio/{booking['id']}/withdraw", {"_csrf": d.csrf()})[0] in (302, 303)
            wait_for(lambda: interpreter.find_element(By.ID, "fin").is_displayed(), 15, what="the interpreter's page to end")
        finally:
            interpreter.quit()
        wait_for(lambda: looks(specialist, 0.81, 0.81) != "blue", 15, what="the inset gone")

        # The room's screen, on the room's own host, for its browser: the call and its button.
        screen = room_host.run(["curl", "-s", "http://127.0.0.1:8091/salle/visio"], capture_output=True, text=True).stdout
        assert "Terminer l’appel" in screen, screen[:2000]
        # The room PC's own /metrics (the same loopback port): each second's network figures.
        metrics = room_host.run(["curl", "-s", "http://127.0.0.1:8091/metrics"], capture_output=True, text=True).stdout
        samples = re.search(r"^guichet_visio_round_trip_seconds_count (\d+)$", metrics, re.M)
        assert samples and int(samples.group(1)) >= 1, metrics[-3000:]
        assert re.search(r"^guichet_visio_packet_loss_ratio_count [1-9]", metrics, re.M), metrics[-3000:]
        # Nobody else gets it from the server: not the specialist's host, not without the room's credential.
        other = specialist_host.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", cert, f"{url}/salle/visio"],
                                    capture_output=True, text=True).stdout
        assert other == "403", other
        # From outside, the console and the API are refused too; the link's page answers.
        for path, expected in [("/console", "403"), ("/api/v1/bookings", "403"), (f"/visio/{token}", "200")]:
            got = specialist_host.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", cert, f"{url}{path}"],
                                      capture_output=True, text=True).stdout
            assert got == expected, (path, got)

        # The server's link is cut: the call's media go on between the two hosts.
        before = page_frames(specialist)
        server.cut()
        try:
            assert wait_for(lambda: page_frames(specialist) > before + 60, timeout=15), "the media stopped with the server's link"
        finally:
            server.restore()
        # The server restarts: the media go on meanwhile, and the call is taken up again (the
        # room says it still runs it, the page connects again, a fresh offer) with its record.
        before = page_frames(specialist)
        d.stop()
        d.start()
        assert wait_for(lambda: page_frames(specialist) > before + 30, timeout=15), "the media stopped with the server"
        wait_for(lambda: room_state().get("videoFrames", 0) > 30, 30, what=f"the call taken up again after the restart\n{d.log()[-1500:]}\nROOM:\n{room_log.read_text()[-1500:]}")

        # The usager ends the call from the room's screen, on the room's host.
        hung = room_host.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:8091/salle/visio/raccrocher"],
                             capture_output=True, text=True).stdout
        assert hung in ("302", "303"), hung
        wait_for(lambda: specialist.find_element(By.ID, "fin").is_displayed(), 15, what="the specialist's page to end the call")
        assert wait_for(lambda: "call ended" in room_log.read_text(), timeout=10), room_log.read_text()[-2000:]
        def records():
            with sqlite3.connect(d.db) as db:
                return db.execute("SELECT outcome FROM visioCall WHERE booking = ?", (booking["id"],)).fetchall()
        # One call, one record: reopened after the restart, closed by the room's hang-up.
        assert wait_for(lambda: records() == [("room-hung-up",)], timeout=10), records()
    finally:
        if specialist:
            let_go(specialist)
        for proc in (driver_proc, room_proc):
            if proc and proc.poll() is None:
                proc.kill()
        if d:
            d.stop(signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
