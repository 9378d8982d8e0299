"""Starts the real `guichet serve` binary on a private data folder and a free port."""
import json, os, signal, socket, subprocess, tempfile, time, urllib.error, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("GUICHET_BINARY", str(ROOT / ".build/debug/guichet"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, data):
        self.data = Path(data)
        self.port = free_port()
        self.proc = None

    @property
    def db(self):
        return self.data / "guichet.sqlite"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--config", str(ROOT / "config/guichet.json"), "--data", str(self.data), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daemon did not start: " + self.proc.stdout.read1(65536).decode(errors="replace"))

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            return self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def request(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url(path), data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def get(self, path):
        return self.request("GET", path)

    def json(self, method, path, body=None):
        status, data = self.request(method, path, body)
        return status, json.loads(data) if data else None


@pytest.fixture
def daemon():
    with tempfile.TemporaryDirectory(prefix="guichet-it-") as data:
        d = Daemon(data).start()
        yield d
        d.stop(signal.SIGKILL)
