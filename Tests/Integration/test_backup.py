"""Backups of the live database and their restoration, through the real CLI and daemon."""
import json, os, sqlite3, stat, subprocess

from conftest import BINARY, Daemon
from test_daemon import BookingStream, room_booking_bodies
from waiting import wait_for


def guichet(*args):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_a_backup_during_a_stream_of_bookings_restores_every_booking_acknowledged_before_it(daemon, tmp_path):
    stream = BookingStream(daemon, room_booking_bodies(daemon))
    acknowledged = stream.acknowledged
    try:
        wait_for(lambda: len(acknowledged) >= 100, 60, what="bookings acknowledged")
        before = stream.snapshot()
        backup = tmp_path / "guichet-backup.sqlite"
        done = guichet("backup", "--data", daemon.data, "--out", backup)
        assert done.returncode == 0, done.stderr
        after = stream.snapshot()
        # The stream went on during the backup and after it.
        wait_for(lambda: len(acknowledged) >= len(after) + 50, 60, what="bookings after the backup")
    finally:
        stream.stop()
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))

    # Refused while the server holds the data folder; nothing changed.
    refused = guichet("restore", backup, "--data", daemon.data)
    assert refused.returncode != 0 and "already uses the data folder" in refused.stderr, refused.stderr
    assert daemon.json("GET", "/healthz")[1]["components"]["database"]["status"] == "up"
    # A file that is no database, or a damaged copy, is refused too (the server stopped).
    assert daemon.stop() == 0
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    assert "not a" in guichet("restore", junk, "--data", daemon.data).stderr
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    assert guichet("restore", damaged, "--data", daemon.data).returncode != 0
    with sqlite3.connect(daemon.db) as db:
        assert db.execute("SELECT count(*) FROM booking").fetchone()[0] >= len(after) + 50  # untouched

    restored = guichet("restore", backup, "--data", daemon.data)
    assert restored.returncode == 0, restored.stderr
    aside = list(daemon.data.glob("guichet.sqlite.before-restore-*"))
    assert len(aside) == 1 and str(aside[0]) in restored.stdout
    with sqlite3.connect(aside[0]) as db:
        assert db.execute("SELECT count(*) FROM booking").fetchone()[0] >= len(after) + 50  # the previous database, kept whole
    with sqlite3.connect(daemon.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM booking")}
    # Every booking acknowledged before the backup started is there; none acknowledged after
    # it ended and 50 more later is (the copy is of one instant during the backup).
    assert before <= stored
    assert stored <= after | (stored - set(acknowledged))
    assert len(stored & set(acknowledged)) < len(acknowledged)
    assert stat.S_IMODE(os.stat(daemon.db).st_mode) == 0o600
    # And the daemon serves the restored database, its bookings through the API.
    daemon.start()
    some = sorted(before)[0]
    assert daemon.json("GET", f"/api/v1/bookings/{some}")[0] == 200


def test_the_daemon_writes_a_daily_backup_and_keeps_the_newest(tmp_path):
    data = tmp_path / "data"
    folder = tmp_path / "backups"
    config = json.loads(open(Daemon(tmp_path / "x").config).read())
    config["backups"] = {"folder": str(folder), "keep": 2}
    path = tmp_path / "guichet.json"
    path.write_text(json.dumps(config))
    folder.mkdir()
    for day in ("2020-01-01", "2020-01-02", "2020-01-03"):  # older copies: two of them go
        (folder / f"guichet-{day}.sqlite").write_bytes(b"old")
    d = Daemon(data, config=str(path))
    d.start()
    try:
        wait_for(lambda: len(list(folder.glob("guichet-*.sqlite"))) == 2 and not (folder / "guichet-2020-01-02.sqlite").exists(), 20,
                 what=f"today's backup and the retention\n{d.log()[-2000:]}")
        copies = sorted(folder.glob("guichet-*.sqlite"))
        assert copies[0].name == "guichet-2020-01-03.sqlite"
        with sqlite3.connect(copies[-1]) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("SELECT count(*) FROM specialist").fetchone()[0] > 0  # the demo data
        assert stat.S_IMODE(os.stat(copies[-1]).st_mode) == 0o600
    finally:
        d.stop()
    bad = dict(config, backups={"folder": str(folder), "keep": -1})
    path.write_text(json.dumps(bad))
    checked = guichet("check-config", path)
    assert checked.returncode != 0 and "backups" in checked.stderr + checked.stdout
