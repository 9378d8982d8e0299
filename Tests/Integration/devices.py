"""A private cupsd (own ServerRoot and port, a `capture` backend writing each job to a folder)
and a private SANE configuration enabling only the `test` backend, for the station's tests."""
import json, os, shutil, subprocess, tempfile, time
from pathlib import Path

from waiting import free_port

ROOT = Path(__file__).resolve().parents[2]

# One configuration for the Swift and the Python tests (`@ROOT@`, `@PORT@` filled in here).
FIXTURE = ROOT / "Tests/Fixtures/cupsd"


class FixtureError(RuntimeError):
    """A private server that did not come up, with its own log."""


class PrivateCups:
    def __init__(self, queue="accueil", host_command=lambda args: args):
        self.host_command = host_command
        self.root = Path(tempfile.mkdtemp(prefix="guichet-cups-"))
        self.port = free_port()
        self.queue = queue
        self.out = self.root / "out"
        self.proc = None
        for d in ("conf", "spool", "cache", "log", "run", "out", "bin/backend"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        os.chmod(self.out, 0o777)
        os.chmod(self.root, 0o755)
        for link in ("filter", "daemon", "cgi-bin", "notifier", "monitor", "driver"):
            os.symlink(f"/usr/lib/cups/{link}", self.root / "bin" / link)
        backend = self.root / "bin/backend/capture"
        shutil.copy(FIXTURE / "capture", backend)
        os.chmod(backend, 0o755)
        self._configure()

    def _configure(self):
        for name in ("cupsd.conf", "cups-files.conf"):
            text = (FIXTURE / name).read_text().replace("@ROOT@", str(self.root)).replace("@PORT@", str(self.port))
            (self.root / "conf" / name).write_text(text)

    def log(self):
        """What cupsd said about itself: its output and its error log."""
        said = []
        for name in ("cupsd.out", "error_log"):
            path = self.root / "log" / name
            said.append(f"--- {path}\n" + (path.read_text(errors="replace") if path.exists() else "(not written)"))
        return "\n".join(said)

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    def start(self, attempts=3):
        """Starts cupsd; when another process took its port in the meantime, on another one."""
        for attempt in range(attempts):
            try:
                return self._start()
            except FixtureError:
                if attempt + 1 == attempts or "in use" not in self.log():
                    raise
                self.port = free_port()
                self._configure()

    def _start(self):
        with open(self.root / "log/cupsd.out", "wb") as output:
            self.proc = subprocess.Popen(self.host_command(["/usr/sbin/cupsd", "-f", "-c", str(self.root / "conf/cupsd.conf"), "-s", str(self.root / "conf/cups-files.conf")]),
                                         stdout=output, stderr=subprocess.STDOUT)
        for _ in range(100):
            if self.proc.poll() is not None:
                break
            # lpstat exits 0 either way: read what it says.
            if "is running" in subprocess.run(self.host_command(["lpstat", "-h", self.server, "-r"]), capture_output=True, text=True).stdout:
                break
            time.sleep(0.1)
        else:
            self.stop(keep=True)
            raise FixtureError(f"the private cupsd did not answer within 10 s on port {self.port}\n{self.log()}")
        if self.proc.poll() is not None:
            raise FixtureError(f"the private cupsd exited with status {self.proc.returncode}\n{self.log()}")
        added = subprocess.run(self.host_command(["lpadmin", "-h", self.server, "-p", self.queue, "-E", "-v", f"capture:{self.out}", "-m", "raw"]), capture_output=True, text=True)
        if added.returncode != 0:
            raise FixtureError(f"lpadmin could not add the queue: {added.stderr.strip()}\n{self.log()}")
        return self

    def spool_files(self):
        return sorted(p.name for p in (self.root / "spool").iterdir() if p.is_file() and p.name[0] in "cd" and p.name[1:2].isdigit())

    def outputs(self):
        return sorted(self.out.glob("job-*.out"))

    def stop(self, keep=False):
        (self.out / "block").unlink(missing_ok=True)
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            subprocess.run(["pkill", "-KILL", "-f", str(self.root)], capture_output=True)
            self.proc.wait()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)


def sane_config(folder):
    """SANE_CONFIG_DIR with only the test backend, whose picture has content."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dll.conf").write_text("test\n")
    (folder / "test.conf").write_text('number_of_devices 1\nmode Gray\ndepth 8\nresolution 50.0\ntest-picture "Color pattern"\nbr_x 200.0\nbr_y 200.0\n')
    return folder


def station_config(folder, cups, inactivity=30, warning=20):
    """The demo configuration, with the station on the private cupsd and quick timings."""
    config = json.loads((ROOT / "config/guichet.json").read_text())
    config["kiosk"].update({"inactivitySeconds": inactivity, "warningSeconds": warning, "cupsServer": cups.server, "printerQueue": cups.queue,
                            "scanner": "test:0", "pageCap": 5})
    path = Path(folder) / "station.json"
    path.write_text(json.dumps(config))
    return path
