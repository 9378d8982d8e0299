"""The daemon's logs as an administrator reads them: one parseable line per event (logfmt
under systemd, JSON on request), an access line per request with the route's pattern and
never its query, security events under their own label, no secret anywhere."""
import json, re, urllib.error, urllib.request

from conftest import MANAGER, Daemon


def post_json(d, path, body):
    req = urllib.request.Request(d.url(path), data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    try:
        with d.open(req) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def exercise(d):
    """A wrong password, a request with a query, an unknown booking, a forged form."""
    assert post_json(d, "/api/v1/session", {"login": MANAGER[0], "password": "pas le bon mot de passe"}) == 401
    assert d.request("GET", "/api/v1/bookings?secret=hunter2query")[0] in (200, 400)
    assert d.request("GET", "/api/v1/bookings/b-nothere2222")[0] == 404
    assert d.form_post("/console/contacts", {"_csrf": "forged"})[0] == 403


def test_json_logs_carry_access_and_security_events_and_no_secret(tmp_path):
    d = Daemon(tmp_path / "data")
    d.args = ["--log-format", "json"]
    d.start()
    try:
        exercise(d)
    finally:
        assert d.stop() == 0
    text = d.log()
    events = [json.loads(line) for line in text.splitlines()]  # every line is one JSON event
    assert all({"time", "level", "logger", "msg"} <= set(e) for e in events)
    security = [e for e in events if e["logger"] == "guichet.security"]
    assert any(e["msg"] == "sign-in failed" and e["guichet.login"] == MANAGER[0] and e["level"] == "notice" for e in security), security
    assert any("CSRF" in e["msg"] and e["http.route"] == "/console/contacts" for e in security), security
    access = [e for e in events if e["logger"] == "guichet.access"]
    assert any(e["http.route"] == "/api/v1/bookings/{id}" and e["http.status"] == "404" and e["http.method"] == "GET" for e in access), access
    assert any(e["http.route"] == "/api/v1/bookings" and int(e["http.duration_ms"]) >= 0 for e in access)
    # No query string, password, booking id from a path, session cookie or CSRF token.
    for secret in ("hunter2query", "pas le bon mot de passe", "b-nothere2222", "forged", d.cookie.split("=", 1)[1]):
        assert secret not in text, secret
    # Not a terminal: no banner, one start line instead.
    assert "Guichet is running" not in text
    assert any(e["msg"].startswith("guichet serving") and e["guichet.url"].startswith("http://127.0.0.1:") for e in events)


def test_logfmt_is_the_default_off_a_terminal(tmp_path):
    d = Daemon(tmp_path / "data")
    d.start()
    try:
        exercise(d)
    finally:
        d.stop()
    lines = d.log().splitlines()
    pattern = re.compile(r'^(?:[A-Za-z0-9_.\-]+=(?:"(?:[^"\\]|\\.)*"|[^\s"=\\]+)(?: |$))+$')
    assert lines and all(pattern.match(line) for line in lines), [l for l in lines if not pattern.match(l)][:5]
    assert any('logger=guichet.security' in l and 'msg="sign-in failed"' in l for l in lines)
    assert any('http.route="/api/v1/bookings/{id}"' in l or "http.route=/api/v1/bookings/{id}" in l for l in lines)


def test_systemd_is_told_ready_once_the_daemon_answers_and_stopping_when_it_stops(tmp_path):
    """`Type=notify` and `WatchdogSec=`: the datagrams systemd's $NOTIFY_SOCKET would receive."""
    import os, socket, time
    path = tmp_path / "notify"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))

    def received(seconds):
        messages, deadline = [], time.time() + seconds
        while time.time() < deadline:
            listener.settimeout(max(0.01, deadline - time.time()))
            try:
                messages.append(listener.recv(4096).decode())
            except socket.timeout:
                break
        return messages

    # systemd asks for a ping every 0.4 s at most: the daemon pings every 0.2 s.
    d = Daemon(tmp_path / "data", env=dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC="400000"))
    try:
        d.start()
        messages = received(1.5)
        ready = [m for m in messages if m.startswith("READY=1\n")]
        assert len(ready) == 1 and "STATUS=serving" in ready[0], messages
        assert messages.count("WATCHDOG=1") >= 4, messages
        assert d.get("/healthz")[0] in (200, 503)
    finally:
        assert d.stop() == 0
    assert "STOPPING=1" in received(2), "no STOPPING=1"
    listener.close()
