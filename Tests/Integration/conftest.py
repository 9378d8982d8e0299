"""Starts the real `guichet serve` binary on a private data folder and a free port."""
import json, os, re, signal, subprocess, tempfile, time, urllib.error, urllib.parse, urllib.request
from pathlib import Path

import pytest

from waiting import free_port

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("GUICHET_BINARY", str(ROOT / ".build/debug/guichet"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _no_redirect(req, ssl_context=None):
    """Opens a request without following its redirect; a 3xx is returned, not raised."""
    try:
        return urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=ssl_context)).open(req, timeout=30)
    except urllib.error.HTTPError as e:
        if 300 <= e.code < 400:
            return e
        raise


MANAGER = ("direction", "un mot de passe de responsable")


# The logs of what the running test started (daemons, room PCs): a failing test shows their
# ends, since a timeout in a wait says where the test stopped but not why the program did.
FAILURE_LOGS = []


def show_on_failure(name, read):
    """Registers `read` (returning text) to be shown, under `name`, if the running test fails."""
    FAILURE_LOGS.append((name, read))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.failed:
        for name, read in FAILURE_LOGS:
            try:
                text = read()
            except OSError as error:
                text = f"(unreadable: {error})"
            report.sections.append((f"log: {name}", text[-6000:]))
    if report.when == "teardown":
        FAILURE_LOGS.clear()


class PortTaken(Exception):
    """The daemon's port was taken between choosing it and binding it."""


class Daemon:
    def __init__(self, data, config=None, env=None):
        self.data = Path(data)
        self.config = str(config or ROOT / "config/guichet.json")
        self.env = env
        self.port = free_port()
        self.proc = None
        self.cookie = None
        self.kiosk_cookie = None
        self.clock_offset = 0
        self.args = []
        # Set both to talk to a daemon serving TLS (or to the nginx in front of it).
        self.scheme = "http"
        self.ssl_context = None
        # Another host (a network namespace): the command wrapper and the address to call.
        self.host_command = lambda args: args
        self.host = "127.0.0.1"
        # Behind a reverse proxy: the port clients call, not the daemon's own.
        self.public_port = None
        self.log_path = None

    def add_agent(self, login, password, manager=False):
        """Creates a console account through the CLI, as a newcomer would."""
        cmd = [BINARY, "agent", "add", login, "--name", login.capitalize(), "--config", self.config, "--data", str(self.data)]
        subprocess.run(cmd + (["--manager"] if manager else []), input=password + "\n", text=True, check=True, capture_output=True)

    @property
    def db(self):
        return self.data / "guichet.sqlite"

    def url(self, path):
        return f"{self.scheme}://{self.host}:{self.public_port or self.port}{path}"

    def open(self, req, follow=True):
        """Opens a request with this daemon's TLS trust; without `follow`, a redirect is not followed."""
        handlers = [urllib.request.HTTPSHandler(context=self.ssl_context)] + ([] if follow else [NoRedirect])
        return urllib.request.build_opener(*handlers).open(req, timeout=30)

    def start(self, attempts=3):
        """Starts the daemon; when another process took its port in the meantime, starts it
        again on another free one."""
        for attempt in range(attempts):
            try:
                return self._start()
            except PortTaken:
                self.port = free_port()
        raise RuntimeError(f"guichet serve found its port taken {attempts} times:\n{self.log()}")

    def _start(self):
        if not self.db.exists():
            self.data.mkdir(parents=True, exist_ok=True)
            self.add_agent(*MANAGER, manager=True)
        # The daemon's output goes to a file beside the data folder: a pipe nobody reads
        # would block it once full, and the file is what a failure shows.
        if self.log_path is None:
            show_on_failure(f"guichet serve, {self.data} (access log lines left out)", self.log_without_access)
        self.log_path = self.data.parent / f"{self.data.name}.serve.log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.host_command([BINARY, "serve", "--config", self.config, "--data", str(self.data), "--port", str(self.port),
                                   "--clock-offset", str(self.clock_offset), *self.args]),
                stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if "already in use" in self.log()[-2000:]:
                    raise PortTaken()
                raise RuntimeError(f"guichet serve exited with status {self.proc.returncode} before answering:\n{self.log()}")
            try:
                if self.get("/healthz")[0] in (200, 503):
                    if self.cookie is None:
                        self.sign_in(*MANAGER)
                    return self
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError(f"guichet serve did not answer /healthz within 30 s:\n{self.log()}")

    def log(self):
        """What the daemon printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else "(no output)"

    def log_without_access(self):
        """The log without its access lines (a polling test writes thousands) nor the media
        trace's each-second reports."""
        return "\n".join(line for line in self.log().splitlines() if "logger=guichet.access" not in line and " Report(" not in line)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            return self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def sign_in(self, login, password):
        """Signs in through the API and keeps the session cookie for later requests."""
        req = urllib.request.Request(self.url("/api/v1/session"), data=json.dumps({"login": login, "password": password}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with self.open(req) as r:
            self.cookie = r.headers["Set-Cookie"].split(";")[0]

    def device_credential(self, station="poste-1"):
        """The station's device credential: enrolled once through the CLI on the server's own
        data folder (as `guichet station enrol --station` does on a single-machine structure)."""
        identity = self.data / "devices" / f"{station}.json"
        if not identity.exists():
            subprocess.run([BINARY, "station", "enrol", "--station", station, "--data", str(self.data), "--config", self.config,
                            "--server", self.url("")], check=True, capture_output=True, text=True)
        return json.loads(identity.read_text())["credential"]

    def ticket_path(self, station="poste-1"):
        """A one-time ticket page for the station's current session, as a supervisor gets one."""
        req = urllib.request.Request(self.url(f"/kiosk/{station}/billet"), method="POST",
                                     headers={"Authorization": f"Bearer {self.device_credential(station)}", "Accept": "application/json"})
        with self.open(req) as r:
            return json.loads(r.read())["path"]

    def bind_kiosk_header(self, station="poste-1"):
        """The whole Set-Cookie a station's browser gets when it spends a ticket."""
        with _no_redirect(urllib.request.Request(self.url(self.ticket_path(station))), self.ssl_context) as r:
            return r.headers["Set-Cookie"]

    def bind_kiosk(self, station="poste-1"):
        """Binds this client to the station's session as its browser would: redeems a ticket
        for the `guichet_poste` cookie, sent with every later /kiosk request."""
        req = urllib.request.Request(self.url(self.ticket_path(station)))
        with _no_redirect(req, self.ssl_context) as r:
            self.kiosk_cookie = r.headers["Set-Cookie"].split(";")[0]
        return self.kiosk_cookie

    def _cookies(self, path, console=True):
        parts = [self.cookie] if console and self.cookie else []
        if path.startswith("/kiosk/") and self.kiosk_cookie:
            parts.append(self.kiosk_cookie)
        return "; ".join(parts)

    def request(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": "application/json"}
        if self._cookies(path):
            headers["Cookie"] = self._cookies(path)
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=headers)
        try:
            with self.open(req) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def csrf(self):
        """The signed-in session's CSRF token, read from a console page."""
        req = urllib.request.Request(self.url("/console/contacts/new"), headers={"Cookie": self.cookie})
        with self.open(req) as r:
            return re.search(r'name="_csrf" value="([a-z0-9]+)"', r.read().decode()).group(1)

    def form_post(self, path, fields, with_session=True):
        """Posts a console or public form as a browser would; returns (status, body), redirects not followed."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self._cookies(path, console=with_session):
            headers["Cookie"] = self._cookies(path, console=with_session)
        req = urllib.request.Request(self.url(path), data=urllib.parse.urlencode(fields).encode(), method="POST", headers=headers)
        try:
            with self.open(req, follow=False) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def get(self, path):
        return self.request("GET", path)

    def get_unfollowed(self, path):
        """GET without following a redirect: (status, Location)."""
        req = urllib.request.Request(self.url(path), headers={"Cookie": self._cookies(path)} if self._cookies(path) else {})
        try:
            with self.open(req, follow=False) as r:
                return r.status, r.headers.get("Location")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location")

    def json(self, method, path, body=None):
        status, data = self.request(method, path, body)
        return status, json.loads(data) if data else None


@pytest.fixture
def daemon():
    with tempfile.TemporaryDirectory(prefix="guichet-it-") as data:
        d = Daemon(data).start()
        yield d
        d.stop(signal.SIGKILL)
        d.log_path.unlink(missing_ok=True)
