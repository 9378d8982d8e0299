"""Integration tests against the real daemon over real HTTP (real SQLite file)."""
import datetime as dt, json, os, signal, sqlite3, subprocess, threading, time
from concurrent.futures import ThreadPoolExecutor

import icalendar

import pytest

from conftest import BINARY, ROOT, Daemon, free_port


def first_slot(daemon, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    status, body = daemon.json("GET", f"/api/v1/availability?{qs}")
    assert status == 200, body
    assert body["items"], f"no free slot for {query}"
    return body["items"][0]


def booking_body(slot, name="Usager"):
    key = "permanence" if slot["kind"] == "permanence" else "visioSlot"
    return {"kind": slot["kind"], key: slot[key], "start": slot["start"], "end": slot["end"], "usager": {"name": name}}


def test_hundred_concurrent_requests_for_one_slot_give_one_booking(daemon):
    slot = first_slot(daemon, partner="caf")
    body = booking_body(slot)
    barrier = threading.Barrier(100)

    def book(i):
        barrier.wait()
        return daemon.request("POST", "/api/v1/bookings", dict(body, usager={"name": f"Usager {i}"}))[0]

    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(book, range(100)))
    assert statuses.count(201) == 1
    assert statuses.count(409) == 99
    with sqlite3.connect(daemon.db) as db:
        assert db.execute("SELECT count(*) FROM booking WHERE permanence = ?", (slot["permanence"],)).fetchone()[0] == 1


def room_booking_bodies(daemon, count=3000):
    """Room bookings, every quarter hour of the opening hours from the day after tomorrow."""
    status, structure = daemon.json("GET", "/api/v1/opening-hours")
    days = structure["days"]
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    bodies = []
    day = dt.date.today() + dt.timedelta(days=2)
    while len(bodies) < count:
        for rng in days.get(names[day.weekday()], []):
            start, end = [dt.datetime.combine(day, dt.time.fromisoformat(t)) for t in rng.split("-")]
            t = start
            while t + dt.timedelta(minutes=15) <= end:
                for room in ["accueil", "bureau-partenaires"]:
                    bodies.append({"kind": "room", "room": room, "usager": {"name": "U"},
                                   "start": t.isoformat() + "+01:00", "end": (t + dt.timedelta(minutes=15)).isoformat() + "+01:00"})
                t += dt.timedelta(minutes=15)
        day += dt.timedelta(days=1)
    return bodies


class BookingStream:
    """Four clients booking rooms as fast as the daemon answers; `acknowledged` holds the ids
    of the bookings it confirmed (201), in order, and `statuses` every answer's status, under `lock`."""

    def __init__(self, daemon, bodies, retry_unavailable=False):
        self.acknowledged, self.statuses, self.lock, self._stop = [], [], threading.Lock(), threading.Event()
        # As an agent told "try again in a few minutes" would: the same booking, a moment later.
        self._retry = retry_unavailable
        self._daemon = daemon
        self._threads = [threading.Thread(target=self._stream, args=(bodies[i::4],)) for i in range(4)]
        for t in self._threads:
            t.start()

    def _stream(self, part):
        for body in part:
            while not self._stop.is_set():
                try:
                    status, data = self._daemon.request("POST", "/api/v1/bookings", body)
                except OSError:
                    return
                with self.lock:
                    self.statuses.append(status)
                    if status == 201:
                        self.acknowledged.append(json.loads(data)["id"])
                if status != 503 or not self._retry:
                    break
                time.sleep(0.2)

    def snapshot(self):
        with self.lock:
            return set(self.acknowledged)

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join()


def test_sigkill_during_a_stream_of_bookings_loses_nothing_acknowledged(daemon):
    stream = BookingStream(daemon, room_booking_bodies(daemon))
    acknowledged = stream.acknowledged
    while len(acknowledged) < 100:
        time.sleep(0.05)
    daemon.proc.send_signal(signal.SIGKILL)
    daemon.proc.wait()
    stream.stop()
    assert len(acknowledged) >= 100
    with sqlite3.connect(daemon.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM booking")}
    assert set(acknowledged) <= stored
    # And the daemon starts again on that database.
    again = Daemon(daemon.data)
    again.start()
    assert again.json("GET", "/healthz")[1]["components"]["database"]["status"] == "up"
    again.stop()


def test_sigterm_stops_the_daemon_gracefully(daemon):
    assert daemon.stop(signal.SIGTERM) == 0


def test_calendar_feeds_parse_and_carry_local_times(daemon):
    zone = "Europe/Paris"
    start = dt.date.today() + dt.timedelta(days=14)
    status, closure = daemon.json("POST", "/api/v1/closures", {
        "start": f"{start}T00:00:00+01:00", "end": f"{start}T23:59:00+01:00", "reason": "Formation des agents; séminaire, annuel"})
    assert status == 201, closure
    cal = icalendar.Calendar.from_ical(daemon.get("/calendars/public.ics")[1])
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == [zone]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    tuesday = events[next(u for u in events if u.startswith("opening-tuesday-1@"))]
    start_dt = tuesday.decoded("DTSTART")
    assert (start_dt.hour, start_dt.minute) == (9, 0) and str(start_dt.tzinfo) == zone
    assert tuesday["RRULE"]["FREQ"] == ["WEEKLY"]
    c = events[f"closure-{closure['closure']['id']}@fs-beaumont.guichet"]
    assert str(c["DESCRIPTION"]) == "Formation des agents; séminaire, annuel"
    assert c.decoded("DTSTART").hour == 0 and str(c["STATUS"]) == "CONFIRMED"

    # A specialist's feed: book then cancel a visio appointment; it stays, cancelled, with a higher SEQUENCE.
    status, specialists = daemon.json("GET", "/api/v1/specialists")
    dgfip = next(s for s in specialists["items"] if s["partner"] == "dgfip")
    slot = first_slot(daemon, specialist=dgfip["id"], kind="visio")
    status, booking = daemon.json("POST", "/api/v1/bookings", booking_body(slot))
    assert status == 201, booking
    assert daemon.json("POST", f"/api/v1/bookings/{booking['id']}/cancel")[0] == 200
    feed = icalendar.Calendar.from_ical(daemon.get(dgfip["calendarPath"])[1])
    ev = next(e for e in feed.walk("VEVENT") if str(e["UID"]).startswith(f"booking-{booking['id']}@"))
    assert str(ev["STATUS"]) == "CANCELLED" and int(ev["SEQUENCE"]) == 1
    local = dt.datetime.fromisoformat(slot["start"])
    assert ev.decoded("DTSTART").replace(tzinfo=None) == local.replace(tzinfo=None)
    assert str(ev.decoded("DTSTART").tzinfo) == zone
    # A tampered token gets nothing.
    assert daemon.get(dgfip["calendarPath"].replace(".ics", "x.ics"))[0] == 404


def test_invalid_input_changes_nothing(daemon):
    before = sqlite3.connect(daemon.db).execute("SELECT count(*) FROM booking").fetchone()[0]
    cases = [
        (b"{not json", 400),
        (json.dumps({"kind": "permanence", "permanence": "p-unknown", "start": "2030-01-01T09:00:00+01:00", "end": "2030-01-01T09:30:00+01:00", "usager": {"name": "A"}}).encode(), 404),
        (json.dumps({"kind": "room", "start": "10000-01-01T09:00:00+01:00", "end": "10000-01-01T09:30:00+01:00", "usager": {"name": "A"}}).encode(), 422),
        (b'{"kind":"room","usager":{"name":"' + b"x" * (10 * 1024 * 1024) + b'"}}', 413),
    ]
    for raw, expected in cases:
        # curl reads the early 413 answer while still sending; Python's urllib would block.
        out = subprocess.run(["curl", "-s", "-m", "30", "-H", "Content-Type: application/json", "-H", f"Cookie: {daemon.cookie}", "--data-binary", "@-",
                              "-w", "\n%{http_code}", daemon.url("/api/v1/bookings")], input=raw, capture_output=True, check=True).stdout
        body, _, code = out.rpartition(b"\n")
        status = int(code)
        assert status == expected, body[:200]
        error = json.loads(body)["error"]
        assert error["code"] and error["message"]["fr"] and error["message"]["en"]
    assert sqlite3.connect(daemon.db).execute("SELECT count(*) FROM booking").fetchone()[0] == before


def test_a_second_daemon_on_the_same_data_folder_refuses_to_start_and_touches_nothing(daemon):
    """Field test: a second `guichet serve` on the same --data wiped the first one's kiosk session."""
    daemon.bind_kiosk()
    token = daemon.json("GET", "/kiosk/poste-1/etat")[1]["next"]
    assert daemon.form_post("/kiosk/poste-1/commencer", {"_k": token}, with_session=False)[0] == 303
    session = daemon.json("GET", "/kiosk/poste-1/etat")[1]["session"]
    folder = daemon.data / "stations/poste-1/sessions" / session
    (folder / "downloads/attestation.pdf").write_bytes(b"%PDF-1.4 usager")
    second = subprocess.run([BINARY, "serve", "--config", daemon.config, "--data", str(daemon.data), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    said = second.stdout + second.stderr
    assert str(daemon.data) in said and f"process {daemon.proc.pid}" in said, said
    assert (folder / "downloads/attestation.pdf").exists()
    state = daemon.json("GET", "/kiosk/poste-1/etat")[1]
    assert state["state"] == "in-use" and state["session"] == session
    with sqlite3.connect(daemon.db) as db:
        assert db.execute("SELECT endedAt FROM stationSession WHERE id = ?", (session,)).fetchall() in ([], [(None,)])


def test_read_only_commands_never_create_a_database(tmp_path):
    typo = tmp_path / "typo"
    out = tmp_path / "out"
    done = subprocess.run([BINARY, "report", "--data", str(typo), "--period", "2026-Q3", "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no database at" in done.stderr + done.stdout and str(typo) in done.stderr + done.stdout
    assert not typo.exists() and not out.exists()


def test_database_wal_and_lock_are_private(daemon):
    assert daemon.request("POST", "/api/v1/closures", {"start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T12:00:00+01:00", "reason": "Formation"})[0] == 201
    for name in ("guichet.sqlite", "guichet.sqlite-wal", "guichet.lock"):
        assert (daemon.data / name).stat().st_mode & 0o777 == 0o600, name


def test_the_repeated_hour_of_the_october_change_reads_right_in_two_parsers(daemon):
    """Field test: 02:00+01:00 on 2027-10-31 was written as local 02:00, which means 02:00+02:00."""
    import vobject
    first = "2027-10-31T02:00:00+02:00"   # the first 02:00 (summer time)
    second = "2027-10-31T02:00:00+01:00"  # the second 02:00, an hour later (winter time)
    ids = []
    for start, end in ((first, "2027-10-31T02:30:00+02:00"), (second, "2027-10-31T02:30:00+01:00")):
        status, body = daemon.json("POST", "/api/v1/closures", {"start": start, "end": end, "reason": "Maintenance du réseau", "emergency": False})
        assert status == 201, body
        ids.append(body["closure"]["id"])
    text = daemon.get("/calendars/public.ics")[1]
    expected = {ids[0]: dt.datetime.fromisoformat(first), ids[1]: dt.datetime.fromisoformat(second)}
    # Parser one: icalendar.
    cal = icalendar.Calendar.from_ical(text)
    for e in cal.walk("VEVENT"):
        uid = str(e["UID"]).split("@")[0].removeprefix("closure-")
        if uid in expected:
            # Compared as instants: Python's == between zones is False for any time in a fold (PEP 495).
            assert e.decoded("DTSTART").timestamp() == expected[uid].timestamp(), (uid, e.decoded("DTSTART"))
            assert e.decoded("DTEND") - e.decoded("DTSTART") == dt.timedelta(minutes=30)
    # Parser two: vobject.
    seen = 0
    for e in vobject.readOne(text.decode()).vevent_list:
        uid = e.uid.value.split("@")[0].removeprefix("closure-")
        if uid in expected:
            assert e.dtstart.value.timestamp() == expected[uid].timestamp(), (uid, e.dtstart.value)
            seen += 1
    assert seen == 2


def test_health_tells_a_full_disk(tmp_path):
    """Field test: /healthz stayed 200 "up" while a full disk made every write fail."""
    if os.geteuid() != 0:
        pytest.fail("this test mounts a small tmpfs: run the suite as root (scripts/test.sh does)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], check=True)
    try:
        config = json.loads((ROOT / "config/guichet.json").read_text())
        config["health"] = {"minimumFreeMegabytes": 4}
        (tmp_path / "guichet.json").write_text(json.dumps(config))
        d = Daemon(disk / "data", config=tmp_path / "guichet.json").start()
        try:
            health = d.json("GET", "/healthz")[1]
            assert health["components"]["database"]["status"] == "up" and health["components"]["disk"]["status"] == "up", health
            # Fill the disk to the last byte (unbuffered: nothing left to flush at close).
            with open(disk / "filler", "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            status, health = d.json("GET", "/healthz")
            assert status == 503, health
            assert "disk" in health["down"] and "MiB free" in health["components"]["disk"]["detail"], health
            (disk / "filler").unlink()
            health = d.json("GET", "/healthz")[1]
            assert health["components"]["database"]["status"] == "up" and health["components"]["disk"]["status"] == "up", health
            closure = {"start": "2027-04-01T09:00:00+02:00", "end": "2027-04-01T12:00:00+02:00", "reason": "Inventaire"}
            assert d.json("POST", "/api/v1/closures", closure)[0] == 201
        finally:
            d.stop(signal.SIGKILL)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
