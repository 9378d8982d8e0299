"""The crash matrix of the station: the real daemon, the real `guichet station` supervisor and
the real Chromium it launches (headless, reached over its debugging port by chromedriver).
Whatever is killed — the daemon, the supervisor, the browser — the next session starts in a
fresh browser and a search of every place the session could write finds no byte of the usager."""
import os, signal, sqlite3, subprocess, time, uuid
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from conftest import BINARY, Daemon, free_port, show_on_failure
from test_station import station_daemon, status, wait_for


class Supervisor:
    """`guichet station` as a real station runs it, with Chromium headless and debuggable."""

    def __init__(self, d, tmp):
        self.d, self.tmp = d, Path(tmp)
        self.port = free_port()
        self.wrapper = self.tmp / "chromium-headless"
        self.wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/chromium --headless=new --remote-debugging-port={self.port} '
                                '--remote-allow-origins=* --disable-dev-shm-usage "$@"\n')
        self.wrapper.chmod(0o755)
        self.proc = None
        self.policy = self.tmp / "policy"

    def start(self):
        self.d.device_credential()  # enrolled once, as on a single-machine structure
        self.log = open(self.tmp / "station.log", "ab")
        show_on_failure("guichet station poste-1", lambda: (self.tmp / "station.log").read_text(errors="replace"))
        self.proc = subprocess.Popen(
            [BINARY, "station", "--station", "poste-1", "--config", self.d.config, "--data", str(self.d.data),
             "--server", f"http://127.0.0.1:{self.d.port}", "--policy-directory", str(self.policy), "--chromium", str(self.wrapper)],
            stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, GUICHET_STATION_TRACE="1"))
        return self

    def browser_processes(self):
        """The live processes whose command line names a session profile of this station, with
        their arguments, read once (a process may end between two reads of /proc)."""
        root = str(self.d.data / "stations/poste-1/sessions")
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
                    state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
                except OSError:
                    continue
                if f"--user-data-dir={root}/" in b" ".join(args).decode(errors="replace") and state not in ("Z", "X"):
                    found.append((int(entry), args))
        return found

    def browser_pids(self):
        return [pid for pid, _ in self.browser_processes()]

    def browser_main_pid(self):
        for pid, cmd in self.browser_processes():
            if cmd[0].endswith(b"/chromium") and not any(a.startswith(b"--type=") for a in cmd):
                return pid
        raise AssertionError("no browser process")

    def browser_session(self):
        """The session whose profile the running browser uses, if one runs."""
        root = str(self.d.data / "stations/poste-1/sessions") + "/"
        for _, cmd in self.browser_processes():
            for arg in cmd:
                text = arg.decode(errors="replace")
                if text.startswith(f"--user-data-dir={root}"):
                    return text[len(f"--user-data-dir={root}"):].split("/")[0]
        return None

    def driver(self):
        """chromedriver attached to the browser the supervisor launched."""
        assert wait_for(lambda: self.browser_session() is not None, timeout=20), self.output()
        options = webdriver.ChromeOptions()
        options.debugger_address = f"127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)

    def output(self):
        return (self.tmp / "station.log").read_text(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def supervised():
    with station_daemon("guichet-supervised-") as (d, tmp):
        s = Supervisor(d, tmp).start()
        try:
            yield d, s
        finally:
            s.stop()
            assert wait_for(lambda: s.browser_pids() == [], timeout=10), "the browser outlived its supervisor"


PDF = "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n% "


def use_the_station(d, s, marker, doing="download"):
    """A usager at the supervised browser, leaving the marker in cookies, local and session
    storage, IndexedDB and the cache; then, by `doing`: nothing more (`idle`: before even
    starting), a download, a download sent to a printer that holds it, or a scan under way.
    Returns the session (the prepared one when idle)."""
    driver = s.driver()
    try:
        assert wait_for(lambda: "/kiosk/poste-1/" in driver.current_url and driver.find_elements("css selector", "form[action$='commencer'] button"))
        if doing != "idle":
            driver.find_element("css selector", "form[action$='commencer'] button").click()
            assert wait_for(lambda: driver.current_url.endswith("/accueil"))
        session = driver.find_element("tag name", "body").get_attribute("data-session") or status(d)["next"]
        driver.execute_script(
            "document.cookie = 'usager=' + arguments[0] + '; path=/; max-age=86400';"
            "localStorage.setItem('usager', arguments[0]); sessionStorage.setItem('usager', arguments[0]);"
            "indexedDB.open('usager').onupgradeneeded = e => e.target.result.createObjectStore('s').put(arguments[0], 'k');"
            "caches.open('usager').then(c => c.put('/kiosk/poste-1/marker', new Response(arguments[0])));", marker)
        if doing != "idle":
            downloads = d.data / "stations/poste-1/sessions" / session / "downloads"
            driver.execute_script(
                "const a = document.createElement('a'); a.href = URL.createObjectURL(new Blob([arguments[0]], {type: 'application/pdf'}));"
                "a.download = 'avis-imposition-DUPONT-Jean-2026.pdf'; document.body.appendChild(a); a.click();", PDF + marker)
            assert wait_for(lambda: any(p.name.endswith(".pdf") for p in downloads.iterdir()), timeout=10), \
                f"no download in the session's folder: {list((d.data / 'stations/poste-1/sessions' / session).rglob('*'))[:20]}"
        if doing == "print":
            (d.cups.out / "block").write_text("")  # the printer holds the job: it is printing when the kill comes
            driver.get(d.url("/kiosk/poste-1/imprimer"))
            driver.find_element("css selector", "form input[name=kind][value=downloads] ~ button").click()
            assert wait_for(lambda: d.cups.spool_files() != []), d.log()[-2000:]
        if doing == "scan":
            driver.get(d.url("/kiosk/poste-1/numeriser"))
            driver.find_element("css selector", "input[name=resolution][value='300']").click()
            driver.execute_script("document.querySelector('form.scan').submit()")  # the kill comes while it scans
            time.sleep(0.3)
        # The usager's traces on disk before the kill (storage is flushed within a second or
        # two; the cookie database may take longer, so this waits without demanding it).
        profile = d.data / "stations/poste-1/sessions" / session
        wait_for(lambda: subprocess.run(["grep", "-rlq", marker, str(profile)]).returncode == 0, timeout=5)
        return session
    finally:
        driver.quit()  # detaches chromedriver; the browser keeps running


def residue(d, marker):
    """Every file, anywhere the session could write, that holds the marker."""
    places = [d.data, Path("/tmp"), Path("/dev/shm"), Path.home(), d.cups.root]
    found = []
    for place in places:
        done = subprocess.run(["grep", "-rlsa", "--exclude-dir=.cache/pip", "--exclude-dir=.swiftpm", "--exclude-dir=.build", "--exclude=*.py",
                               "--exclude=*.log", "--exclude=*.pyc", marker, str(place)],
                              capture_output=True, text=True, timeout=300)
        found += [line for line in done.stdout.splitlines() if line]
    return found


def next_session_is_clean(d, s, old, marker, old_browser=None, fresh_session=True):
    """A fresh browser serves a new session: none of the usager's state, and no file holds the marker."""
    if fresh_session:
        assert wait_for(lambda: (s.browser_session() or old) != old, timeout=20), s.output()[-3000:]
    if old_browser:
        assert wait_for(lambda: s.browser_pids() and old_browser not in s.browser_pids(), timeout=20), s.output()[-3000:]
    driver = s.driver()
    try:
        assert wait_for(lambda: "/kiosk/poste-1/" in driver.current_url)
        seen = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "Promise.all([caches.keys(), indexedDB.databases()]).then(([c, i]) =>"
            " done([document.cookie, localStorage.length, sessionStorage.length, c.length, i.length, history.length]));")
        assert seen[:5] == ["", 0, 0, 0, 0] and seen[5] <= 2, seen
    finally:
        driver.quit()
    assert wait_for(lambda: status(d)["state"] == "idle")
    if fresh_session:
        assert old not in [p.name for p in (d.data / "stations/poste-1/sessions").iterdir()]
    assert residue(d, marker) == []


@pytest.mark.parametrize("doing", ["idle", "download", "print", "scan"])
@pytest.mark.parametrize("killed", ["daemon", "supervisor", "browser"])
def test_a_kill_leaves_nothing_for_the_next_usager(supervised, killed, doing):
    d, s = supervised
    marker = "MARQUEUR-" + uuid.uuid4().hex
    session = use_the_station(d, s, marker, doing)
    assert residue(d, marker), "the marker should be somewhere before the wipe (the search would find nothing anyway)"
    browser = s.browser_main_pid()
    if killed == "daemon":
        d.stop(signal.SIGKILL)
        d.start()
    elif killed == "supervisor":
        s.proc.kill()
        s.proc.wait()
        # The browser dies with its supervisor, at once…
        assert wait_for(lambda: s.browser_pids() == [], timeout=5), "the browser outlived its supervisor"
        # …and the daemon, hearing nothing more, ends and wipes the session itself.
        assert wait_for(lambda: status(d)["state"] == "idle", timeout=15)
        s.start()
    else:
        os.kill(browser, signal.SIGKILL)  # the browser crashes (not one of its tabs)
    next_session_is_clean(d, s, session, marker, browser, fresh_session=doing != "idle")
    (d.cups.out / "block").unlink(missing_ok=True)  # the printer comes back: nothing of the session is left to print
    assert not wait_for(lambda: d.cups.outputs(), timeout=1)
    assert d.cups.spool_files() == [] and "accueil" not in subprocess.run(
        ["lpstat", "-h", d.cups.server, "-W", "all", "-o"], capture_output=True, text=True).stdout


def test_with_the_supervisor_killed_terminer_still_wipes(supervised):
    """Field audit: "Terminer" left the station `ending` for ever once the supervisor was killed."""
    d, s = supervised
    marker = "MARQUEUR-" + uuid.uuid4().hex
    session = use_the_station(d, s, marker)
    s.proc.kill()
    s.proc.wait()
    d.bind_kiosk()  # the station's page, as the usager's browser would post it
    assert d.form_post("/kiosk/poste-1/fin", {"_k": session, "score": "5"}, with_session=False)[0] == 303
    assert d.form_post("/kiosk/poste-1/fin", {"_k": session, "score": "5"}, with_session=False)[0] in (303, 403)  # a double tap
    assert wait_for(lambda: status(d)["state"] == "idle", timeout=15)
    s.start()
    next_session_is_clean(d, s, session, marker)
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT COUNT(*) FROM satisfactionAnswer").fetchone() == (1,)


def test_another_local_client_reads_nothing_of_the_session(supervised):
    """Field audit: a process reaching the daemon from 127.0.0.2 read the session's token,
    its file names and previews, and could end it."""
    d, s = supervised
    marker = "MARQUEUR-" + uuid.uuid4().hex
    session = use_the_station(d, s, marker)
    other = Daemon(d.data)  # a bare client: no ticket, no cookie
    other.port = d.port
    for path in ("/kiosk/poste-1/etat", "/kiosk/poste-1/imprimer", "/kiosk/poste-1/accueil", "/kiosk/poste-1/apercu/page-1.jpg"):
        code, body = other.request("GET", path.replace("127.0.0.1", "127.0.0.2"))
        assert code == 403 and session.encode() not in body and b"DUPONT" not in body, (path, code, body[:200])
    assert other.form_post("/kiosk/poste-1/fin", {"_k": session}, with_session=False)[0] == 403
    # Nor can it pose as the supervisor: without the station's device credential, no ticket and no order.
    for path in ("/kiosk/poste-1/billet", "/kiosk/poste-1/superviseur"):
        code, body = other.form_post(path, {"browser": session}, with_session=False)
        assert code == 401 and b"device_credential" in body, (path, code, body[:200])
    assert s.browser_session() == session and status(d)["session"] == session


@pytest.fixture
def display():
    """A real X display (Xvfb) for a real Chromium window."""
    number = 60 + os.getpid() % 30
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists() or xvfb.poll() is not None, timeout=10)
    assert xvfb.poll() is None, xvfb.stderr.read().decode()
    try:
        yield f":{number}"
    finally:
        xvfb.kill()
        xvfb.wait()


def windows(display):
    """The visible X windows and their names."""
    env = dict(os.environ, DISPLAY=display)
    ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", ""], capture_output=True, text=True, env=env).stdout.split()
    names = [subprocess.run(["xdotool", "getwindowname", w], capture_output=True, text=True, env=env).stdout.strip() for w in ids]
    return [(w, n) for w, n in zip(ids, names) if n]


def test_no_shortcut_leaves_the_station_in_a_real_window(display, tmp_path):
    """Field audit: under a real Chromium with the managed policy, Ctrl+N, Ctrl+J, Ctrl+H,
    Ctrl+Shift+O, Ctrl+Shift+Del, Shift+Esc, Ctrl+O and Ctrl+S all opened a way out. Here the
    exact policy `guichet station` writes is installed where Chromium reads it, the browser is
    the supervisor's own, in a window, and each shortcut is typed as a usager would."""
    managed = Path("/etc/chromium/policies/managed")
    assert not (managed / "guichet.json").exists(), "a station policy is already installed on this machine"
    with station_daemon("guichet-window-") as (d, tmp):
        s = Supervisor(d, tmp)
        s.wrapper.write_text('#!/bin/sh\nexec /usr/bin/chromium --disable-dev-shm-usage "$@"\n')
        s.policy = managed
        os.environ["DISPLAY"] = display
        try:
            s.start()
            env = dict(os.environ, DISPLAY=display)
            assert wait_for(lambda: any(n.startswith("Bienvenue") for _, n in windows(display)), timeout=30), (windows(display), s.output()[-2000:])
            ours = next(w for w, n in windows(display) if n.startswith("Bienvenue"))
            subprocess.run(["xdotool", "windowfocus", "--sync", ours], env=env, check=True)
            subprocess.run(["xdotool", "key", "Return"], env=env, check=True)  # "Commencer" has the focus
            assert wait_for(lambda: status(d)["state"] == "in-use", timeout=10), windows(display)
            assert wait_for(lambda: windows(display) and windows(display)[0][1].startswith("Que voulez-vous faire"), timeout=10), windows(display)
            session = status(d)["session"]
            before = windows(display)
            for key in ["ctrl+n", "ctrl+shift+n", "ctrl+t", "ctrl+j", "ctrl+h", "ctrl+shift+o", "ctrl+shift+Delete", "shift+Escape", "ctrl+o",
                        "ctrl+s", "ctrl+p", "ctrl+u", "F12", "ctrl+shift+i"]:
                subprocess.run(["xdotool", "key", key], env=env, check=True)
                # A fixed pause, not a wait: a tab may flash open before the station's extension
                # closes it; what matters is the state once the browser has acted.
                time.sleep(1.5)
                now = windows(display)
                assert now == before, f"{key}: {now}"
            assert s.browser_session() == session and status(d)["state"] == "in-use"
            assert not any(p.is_file() for p in (d.data / "stations/poste-1/sessions" / session / "downloads").iterdir())
        finally:
            s.stop()
            (managed / "guichet.json").unlink(missing_ok=True)
            os.environ.pop("DISPLAY", None)
