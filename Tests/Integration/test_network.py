"""The daemon on a LAN: its own TLS, or behind the nginx front of deploy/nginx/guichet.conf,
whose forwarding headers it believes only because it was told to trust that proxy."""
import http.client, re, signal, socket, sqlite3, ssl, subprocess, tempfile, urllib.request
from pathlib import Path

import pytest

from conftest import BINARY, MANAGER, ROOT, Daemon
from waiting import free_port, wait_for

NGINX_EXAMPLE = ROOT / "deploy/nginx/guichet.conf"


def make_certificate(folder, name="guichet", addresses=()):
    """A self-signed certificate for 127.0.0.1, this host's LAN addresses and `addresses`, as
    a small structure's server would have; returns (cert, key, the fingerprint openssl prints)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    names = ",".join(["IP:127.0.0.1"] + [f"IP:{a}" for a in [*lan_addresses(), *addresses]])
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=guichet.test", "-addext", f"subjectAltName={names}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    printed = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"], check=True, capture_output=True, text=True)
    return cert, key, "sha256:" + printed.stdout.strip().split("=", 1)[1].lower()


def lan_addresses():
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    return re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out)


def trusting(cert):
    return ssl.create_default_context(cafile=str(cert))


@pytest.fixture
def folder():
    with tempfile.TemporaryDirectory(prefix="guichet-net-") as d:
        yield Path(d)


def test_the_daemon_serves_its_own_tls_and_names_the_certificate_it_serves(folder):
    cert, key, fingerprint = make_certificate(folder)
    d = Daemon(folder / "data")
    d.args = ["--tls-cert", str(cert), "--tls-key", str(key)]
    d.scheme, d.ssl_context = "https", trusting(cert)
    d.start()
    try:
        # The banner's fingerprint is the one openssl computes (what a technician compares).
        wait_for(lambda: "guichet.tls.fingerprint" in d.log(), what="the start line")
        assert f"guichet.tls.fingerprint=\"{fingerprint}\"" in d.log() or f"guichet.tls.fingerprint={fingerprint}" in d.log(), d.log()
        assert "https://127.0.0.1:" in d.log()
        # The sign-in's session cookie is Secure: the browser never sends it in clear.
        req = urllib.request.Request(d.url("/api/v1/session"), data=f'{{"login":"{MANAGER[0]}","password":"{MANAGER[1]}"}}'.encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with d.open(req) as r:
            assert "; Secure" in r.headers["Set-Cookie"], r.headers["Set-Cookie"]
        # So is the station's cookie, spent from a ticket.
        assert "; Secure" in d.bind_kiosk_header()
        # Plain HTTP on the TLS port gets no page.
        with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
            c.request("GET", "/healthz")
            c.getresponse().read()
        # A client that does not trust the certificate is refused by its own TLS check.
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(d.url("/healthz"), timeout=5, context=ssl.create_default_context())
    finally:
        d.stop(signal.SIGKILL)


def test_bad_tls_files_refuse_the_start_and_touch_nothing(folder):
    cert, _, _ = make_certificate(folder, "one")
    _, other_key, _ = make_certificate(folder, "two")
    data = folder / "data"
    run = subprocess.run([BINARY, "serve", "--config", str(ROOT / "config/guichet.json"), "--data", str(data), "--port", str(free_port()),
                          "--tls-cert", str(cert), "--tls-key", str(other_key)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "--tls-key" in run.stderr and "does not match" in run.stderr, run.stderr
    assert not data.exists()
    run = subprocess.run([BINARY, "serve", "--data", str(data), "--tls-cert", str(cert)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "--tls-cert and --tls-key go together" in run.stderr, run.stderr
    run = subprocess.run([BINARY, "serve", "--data", str(data), "--trusted-proxy", "10.0.0/8"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "not an IP address or a CIDR block" in run.stderr, run.stderr
    assert not data.exists()


class Nginx:
    """deploy/nginx/guichet.conf, run as it is but for its ports, its certificate's paths and
    the daemon's port, inside a minimal main configuration of the test's own."""

    def __init__(self, folder, daemon_port, cert, key, host_command=lambda args: args, port=None, plain_port=None):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port, self.plain_port = port or free_port(), plain_port or free_port()
        site = NGINX_EXAMPLE.read_text()
        replacements = [("server 127.0.0.1:8080;", f"server 127.0.0.1:{daemon_port};"), ("listen 443 ssl;", f"listen {self.port} ssl;"),
                        ("listen 80;", f"listen {self.plain_port};"), ("/etc/guichet/tls/guichet.crt", str(cert)),
                        ("/etc/guichet/tls/guichet.key", str(key))]
        for old, new in replacements:
            assert old in site, f"the nginx example no longer has {old!r}: update this test with it"
            site = site.replace(old, new)
        (folder / "guichet.conf").write_text(site)
        temp = folder / "temp"
        temp.mkdir()
        (folder / "nginx.conf").write_text(f"""
            user root; worker_processes 1; daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log info;
            events {{}}
            http {{
                access_log {folder}/access.log;
                client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
                uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
                include {folder}/guichet.conf;
            }}""")
        test = subprocess.run(host_command(["nginx", "-t", "-c", str(folder / "nginx.conf")]), capture_output=True, text=True)
        assert test.returncode == 0, f"nginx refused the example:\n{test.stderr}"
        self.proc = subprocess.Popen(host_command(["nginx", "-c", str(folder / "nginx.conf")]), stderr=subprocess.STDOUT,
                                     stdout=open(folder / "nginx.out", "wb"))

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited:\n{self.log()}")
            # Asked from nginx's own host (which may be another network namespace).
            return subprocess.run(host_command(["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{self.port}"]), capture_output=True).returncode == 0
        wait_for(listening, what=f"nginx on {self.port}")

    def log(self):
        return "\n".join(p.read_text(errors="replace") for p in [self.folder / "error.log", self.folder / "nginx.out"] if p.exists())

    def stop(self):
        # SIGTERM: the master stops its workers (killed, it would leave them running, orphaned).
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def request_from(source, port, method, path, context, headers=None, body=None):
    """One HTTPS request to 127.0.0.1's nginx or to the LAN address, from `source`'s address."""
    host = "127.0.0.1" if source == "127.0.0.1" else source
    c = http.client.HTTPSConnection(host, port, timeout=15, context=context, source_address=(source, 0))
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    return r.status, dict(r.getheaders()), r.read()


def test_behind_nginx_the_daemon_sees_the_real_client_and_its_https(folder):
    lan = lan_addresses()
    assert lan, "this test needs a non-loopback IPv4 address (ip -4 addr shows none)"
    client = lan[0]
    cert, key, _ = make_certificate(folder)
    d = Daemon(folder / "data")
    d.args = ["--host", "127.0.0.1", "--trusted-proxy", "127.0.0.1"]
    d.start()
    proxy = Nginx(folder, d.port, cert, key)
    try:
        context = trusting(cert)
        # A failed sign-in from the LAN address, which also claims to be 127.0.0.1: the daemon
        # records the address nginx saw.
        status, _, _ = request_from(client, proxy.port, "POST", "/api/v1/session", context,
                                    {"Content-Type": "application/json", "X-Forwarded-For": "127.0.0.1"},
                                    b'{"login":"direction","password":"wrong"}')
        assert status == 401, proxy.log()
        with sqlite3.connect(d.db) as db:
            addresses = [a for (a,) in db.execute("SELECT address FROM signInAttempt WHERE succeeded = 0")]
        assert addresses == [client], addresses
        # The room's screen answers the room's own host only: not a LAN client, whatever it claims.
        status, _, _ = request_from(client, proxy.port, "GET", "/salle/visio", context, {"X-Forwarded-For": "127.0.0.1"})
        assert status == 403
        status, _, _ = request_from("127.0.0.1", proxy.port, "GET", "/salle/visio", context)
        assert status == 200
        # Through nginx's HTTPS, the session cookie is Secure; straight to the daemon in clear, it is not.
        status, headers, _ = request_from("127.0.0.1", proxy.port, "POST", "/api/v1/session", context, {"Content-Type": "application/json"},
                                          f'{{"login":"{MANAGER[0]}","password":"{MANAGER[1]}"}}'.encode())
        assert status == 201 and "; Secure" in headers["Set-Cookie"], headers
        req = urllib.request.Request(d.url("/api/v1/session"), data=f'{{"login":"{MANAGER[0]}","password":"{MANAGER[1]}"}}'.encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with d.open(req) as r:
            assert "Secure" not in r.headers["Set-Cookie"]
        # The plain port sends browsers to HTTPS.
        c = http.client.HTTPConnection("127.0.0.1", proxy.plain_port, timeout=10)
        c.request("GET", "/console")
        r = c.getresponse()
        assert r.status == 301 and r.getheader("Location").startswith("https://")
    finally:
        proxy.stop()
        d.stop(signal.SIGKILL)


def test_forwarding_headers_are_ignored_from_a_proxy_nobody_trusted(folder):
    lan = lan_addresses()
    assert lan, "this test needs a non-loopback IPv4 address (ip -4 addr shows none)"
    d = Daemon(folder / "data")
    d.args = ["--host", "0.0.0.0"]
    d.start()
    try:
        # A LAN client claiming loopback in its own header is still a LAN client.
        c = http.client.HTTPConnection(lan[0], d.port, timeout=10, source_address=(lan[0], 0))
        c.request("GET", "/salle/visio", headers={"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"})
        assert c.getresponse().status == 403
    finally:
        d.stop(signal.SIGKILL)


def test_from_outside_the_structures_network_only_visio_links_answer(folder):
    """The daemon's own rule (`--local-network`), and the public name of the nginx example."""
    lan = lan_addresses()
    assert lan, "this test needs a non-loopback IPv4 address (ip -4 addr shows none)"
    cert, key, _ = make_certificate(folder)
    d = Daemon(folder / "data")
    # This host's LAN address is "outside" here: the structure's network is another one.
    d.args = ["--host", "0.0.0.0", "--trusted-proxy", "127.0.0.1", "--local-network", "198.51.100.0/24"]
    d.start()
    proxy = Nginx(folder / "nginx", d.port, cert, key)
    try:
        def straight(path):
            c = http.client.HTTPConnection(lan[0], d.port, timeout=10, source_address=(lan[0], 0))
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()

        for path in ["/console", "/console/visio", "/api/v1/bookings", "/healthz", "/salle/visio", "/kiosk", "/openapi.json", "/static/../console"]:
            status, body = straight(path)
            assert status == 403 and "structure" in body.decode(), (path, status, body[:200])
        assert straight("/visio/" + "a" * 32)[0] == 404  # reached: an unknown link
        # What the public and the specialists use: the public page, its files, the feeds, the visio page's files.
        for path in ["/", "/static/console.css", "/calendars/public.ics", "/kiosk-static/visio.js"]:
            assert straight(path)[0] == 200, path
        assert straight("/kiosk-static/../console")[0] in (403, 404)
        # From the structure's own network (loopback here), everything as usual.
        assert d.get("/healthz")[0] in (200, 503) and d.get("/console")[0] in (200, 303)

        # Through nginx: the public name passes visio links on, nothing else; the structure's
        # name behind the same proxy is subject to the daemon's rule (the real client is outside).
        context = trusting(cert)

        def through(path, name):
            return request_from(lan[0], proxy.port, "GET", path, context, {"Host": name})[0]

        assert through("/console", "visio.example.fr") == 404
        assert through("/api/v1/bookings", "visio.example.fr") == 404
        assert through("/", "visio.example.fr") == 200 and through("/calendars/public.ics", "visio.example.fr") == 200
        assert through("/visio/" + "a" * 32, "visio.example.fr") == 404  # the daemon's answer: unknown link
        assert through("/kiosk-static/visio.css", "visio.example.fr") == 200
        assert through("/console", "guichet.example.lan") == 403
        assert request_from("127.0.0.1", proxy.port, "GET", "/healthz", context, {"Host": "guichet.example.lan"})[0] in (200, 503)
    finally:
        proxy.stop()
        d.stop(signal.SIGKILL)
