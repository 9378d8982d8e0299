#!/usr/bin/env python3
"""A network of structures on one PostgreSQL server (issue 17's three measures), each against
a baseline measured in the same run:

1. Booking creation over HTTP: two Guichet servers (two structures, each with its SQLite file
   and the shared PostgreSQL), four clients each, every booking with a specialist (so each
   one is held in PostgreSQL inside the structure's write); against pgbench's single-row
   INSERT with eight clients on the same server. Goal: ≥ 0.5×. Beside it, what PostgreSQL
   alone can do of a booking (pgbench inserting into the `booking` table, then calling
   `guichet_record_booking`): the ceiling no server can pass.
2. Availability of one specialist booked by ten structures, over 31 days, through the
   structure's HTTP API (SQLite for its own agenda, PostgreSQL for the other nine): p50/p99,
   goal p99 < 10 ms; the same query on a structure alone (no network) as the baseline.
3. The network's quarterly report for 50 structures (500,000 visits, 150,000 bookings,
   300,000 station sessions), as the coordinator's console page computes it (aggregated in
   PostgreSQL): p50/p99, goal p99 < 1 s.

A private PostgreSQL 15 (fsync on, as in production), release build of `guichet`.

Usage: scripts/bench_network.py [--seconds 15] [--runs 200]
"""
import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GUICHET_BINARY", str(ROOT / ".build/release/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from conftest import BINARY, Daemon  # noqa: E402
from postgres import BIN, USER, PrivatePostgres  # noqa: E402

ROOMS = ["accueil", "bureau-partenaires", "espace-confidentiel"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def bench_config(folder, structure, url):
    """The demo configuration, made busy: 30 specialists of this structure, each holding a
    weekly half-day permanence in one of its three rooms, 15-minute slots."""
    config = json.loads((ROOT / "config/guichet.json").read_text())
    config["structure"]["id"] = structure
    config["structure"]["name"] = f"France Services {structure}"
    config["openingHours"] = {day: ["09:00-12:30", "13:30-17:30"] for day in WEEKDAYS}
    config["booking"]["slotMinutes"] = 15
    specialists, permanences = [], []
    for room in ROOMS:
        for day in WEEKDAYS:
            for half, hours in (("am", "09:00-12:30"), ("pm", "13:30-17:30")):
                sid = f"{structure}-{room}-{day}-{half}"
                specialists.append({"id": sid, "partner": "caf", "displayName": sid})
                permanences.append({"specialist": sid, "room": room, "recurrence": {"frequency": "weekly", "weekday": day}, "hours": hours})
    config["demo"] = {"specialists": specialists, "permanences": permanences, "visioSlots": []}
    if url:
        config["database"] = url
    path = Path(folder) / f"{structure}.json"
    path.write_text(json.dumps(config))
    return path


def start(folder, structure, url):
    d = Daemon(Path(folder) / structure, config=bench_config(folder, structure, url))
    d.start()
    if url:
        deadline = time.time() + 60
        while "bookings handed to the network" not in d.log():
            assert time.time() < deadline, d.log()
            time.sleep(0.1)
    return d


def free_slots(d, days=(0, 91)):
    import datetime as dt
    today = dt.date.today()
    bodies = []
    for offset in range(*days, 91):
        first, last = today + dt.timedelta(days=offset), today + dt.timedelta(days=offset + 90)
        status, body = d.json("GET", f"/api/v1/availability?from={first}&to={last}")
        assert status == 200, body
        bodies += [{"kind": "permanence", "permanence": s["permanence"], "start": s["start"], "end": s["end"], "usager": {"name": "U"}}
                   for s in body["items"]]
    return bodies


def pgbench(postgres, database, seconds, statement):
    """pgbench: eight clients (as many as the two servers' clients), each transaction the one
    `statement`; its TPS."""
    script = postgres.folder / f"bench-{secrets.token_hex(4)}.sql"
    script.write_text(statement + "\n")
    out = postgres._run(BIN / "pgbench", "-h", postgres.folder, "-U", USER, "-n", "-c", "8", "-j", "2", "-T", str(seconds), "-f", script, database)
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


def pgbench_inserts(postgres, database, seconds):
    """The issue's baseline: a single-row INSERT into a table with nothing but its key."""
    postgres.query(database, "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, at timestamptz NOT NULL, what text NOT NULL)")
    return pgbench(postgres, database, seconds, "INSERT INTO bench_insert (at, what) VALUES (now(), 'booking');")


def pgbench_booking_rows(postgres, database, seconds):
    """What PostgreSQL alone can do of a booking, from pgbench's eight clients and without any
    Guichet: (1) a bare INSERT into the network's `booking` table, its exclusion constraints
    (room, specialist, station), foreign keys and indexes checked; (2) the same through
    `guichet_record_booking`, the one statement a server sends (its advisory locks too). Each
    booking its own quarter-hour with one of 90 specialists, so none is refused."""
    postgres.query(database, "CREATE SEQUENCE IF NOT EXISTS bench_booking; INSERT INTO structure (id, name) VALUES ('bench', 'Bench') ON CONFLICT DO NOTHING; "
                             "INSERT INTO specialist (id, partner, name) SELECT 'bench-' || i, 'caf', 'Bench' FROM generate_series(0, 89) i ON CONFLICT DO NOTHING")
    at = "timestamptz '2040-01-01' + n * interval '30 minutes'"
    bare = pgbench(postgres, database, seconds, f"""INSERT INTO booking (structure, id, kind, room, specialist, station, during, status, partner, sequence)
        SELECT 'bench', 'bare-' || n, 'permanence', 'room-' || n % 90, 'bench-' || n % 90, NULL, tstzrange({at}, {at} + interval '15 minutes'), 'booked', 'caf', 0
        FROM (SELECT nextval('bench_booking') n) x;""".replace("\n", " "))
    function = pgbench(postgres, database, seconds, f"""SELECT guichet_record_booking('bench', 'fn-' || n, 'permanence', 'room-' || n % 90, 'bench-' || n % 90, NULL,
        {at}, {at} + interval '15 minutes', 'booked', 'caf', 0, false) FROM (SELECT nextval('bench_booking') n) x;""".replace("\n", " "))
    postgres.query(database, "DELETE FROM booking WHERE structure = 'bench'")
    return bare, function


def _client(args):
    """One client process: its own keep-alive connection, its share of the bodies, until the
    deadline. Processes, not threads: Python's own overhead must not be what is measured."""
    port, cookie, bodies, deadline = args
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Cookie": cookie}
    booked = other = 0
    for body in bodies:
        if time.time() > deadline:
            break
        connection.request("POST", "/api/v1/bookings", json.dumps(body), headers)
        response = connection.getresponse()
        response.read()
        if response.status == 201:
            booked += 1
        else:
            other += 1
    return booked, other, time.time()


def booking_rate(daemons, seconds, clients=4):
    """`clients` client processes per server booking free slots as fast as each answers;
    bookings a second (until the deadline or the last free slot)."""
    from multiprocessing import Pool
    jobs = []
    deadline = time.time() + 5 + seconds  # the slots are read first
    for d in daemons:
        bodies = free_slots(d, (0, 364))  # a year of slots: a quarter's ran out before the deadline
        jobs += [(d.port, d.cookie, bodies[i::clients], deadline) for i in range(clients)]
    began = time.time()
    with Pool(len(jobs)) as pool:
        results = pool.map(_client, jobs)
    elapsed = max(r[2] for r in results) - began
    counts = {"201": sum(r[0] for r in results), "other": sum(r[1] for r in results)}
    return counts["201"] / elapsed, counts


def latencies(call, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def seed_network(postgres, database, quarter_start, quarter_end):
    """50 structures' quarter, straight into the network's tables (as 50 servers would have
    handed it over): 500,000 visits, 150,000 bookings, 300,000 station sessions."""
    span = f"(timestamptz '{quarter_start}' + random() * (timestamptz '{quarter_end}' - timestamptz '{quarter_start}'))"
    postgres.query(database, "INSERT INTO structure (id, name) SELECT 'net-' || lpad(i::text, 2, '0'), 'Structure ' || i FROM generate_series(1, 50) i ON CONFLICT DO NOTHING")
    postgres.query(database, f"""
        INSERT INTO visit (structure, id, at, channel, outcome, accompanied, partners, life_situation)
        SELECT 'net-' || lpad((1 + i % 50)::text, 2, '0'), 'v-' || i, {span}, 'walk-in',
               (ARRAY['resolved', 'appointment', 'referred'])[1 + i % 3], i % 4 = 0, ARRAY['caf'], NULL
        FROM generate_series(1, 500000) i""")
    postgres.query(database, f"""
        INSERT INTO station_session (structure, id, station, started_at, ended_at, pages_printed, pages_scanned, help_requested, accompanied)
        SELECT 'net-' || lpad((1 + i % 50)::text, 2, '0'), 's-' || i, 'poste-1', t, t + interval '20 minutes', i % 5, i % 3, i % 7 = 0, i % 4 = 0
        FROM (SELECT i, {span} AS t FROM generate_series(1, 300000) i) x""")
    # Each booking in a room of its own: the exclusion constraints are checked, never hit.
    postgres.query(database, f"""
        INSERT INTO booking (structure, id, kind, room, specialist, station, during, status, partner, sequence)
        SELECT 'net-' || lpad((1 + i % 50)::text, 2, '0'), 'b-' || i, 'room', 'r-' || i, NULL, NULL, tstzrange(t, t + interval '30 minutes'),
               (ARRAY['done', 'no-show', 'cancelled', 'booked'])[1 + i % 4], 'caf', 0
        FROM (SELECT i, {span} AS t FROM generate_series(1, 150000) i) x""")
    postgres.query(database, "ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    postgres = PrivatePostgres(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix="guichet-bench-net-") as folder:
            database = "bench_" + secrets.token_hex(4)
            url = postgres.create_database(database)
            lormes, corbigny = start(folder, "mfs-lormes", url), start(folder, "mfs-corbigny", url)
            alone = start(folder, "mfs-alone", None)
            try:
                print("1. Booking creation over HTTP (2 servers x 4 clients, PostgreSQL 15 with fsync) vs pgbench single-row INSERT (8 clients)")
                tps = pgbench_inserts(postgres, database, args.seconds)
                bare, function = pgbench_booking_rows(postgres, database, args.seconds)
                rate, counts = booking_rate([lormes, corbigny], args.seconds)
                print(f"   pgbench: {tps:,.0f} inserts/s   Guichet: {rate:,.0f} bookings/s ({counts})   ratio {rate / tps:.2f}x (goal >= 0.5x)")
                print(f"   PostgreSQL's own ceiling, pgbench with no Guichet: a bare INSERT into `booking` {bare:,.0f}/s ({bare / tps:.2f}x the baseline), "
                      f"guichet_record_booking {function:,.0f}/s ({function / tps:.2f}x); Guichet reaches {rate / function:.2f}x of the latter")
                alone_rate, alone_counts = booking_rate([alone], args.seconds)
                print(f"   the same clients on one structure alone (SQLite only, 4 clients): {alone_rate:,.0f} bookings/s ({alone_counts})")
                # Fresh structures for the next measures: the agendas above are full to the brim.
                for d in (lormes, alone):
                    d.stop()
                lormes, alone = start(folder, "mfs-lormes-2", url), start(folder, "mfs-alone-2", None)
                single = start(folder, "mfs-single", url)
                single_rate, single_counts = booking_rate([single], args.seconds)
                single.stop()
                print(f"   one server in the network alone (4 clients): {single_rate:,.0f} bookings/s ({single_counts})   "
                      f"ratio to the structure alone {single_rate / alone_rate:.2f}x")

                print("2. Availability of one specialist booked by 10 structures, 31 days, over HTTP")
                import datetime as dt
                today = dt.date.today()
                specialist = "mfs-lormes-2-bureau-partenaires-tuesday-am"
                # Nine other structures hold the specialist at every free half-hour of the month.
                postgres.query(database, "INSERT INTO structure (id, name) SELECT 'other-' || i, 'Autre ' || i FROM generate_series(0, 8) i ON CONFLICT DO NOTHING")
                postgres.query(database, f"INSERT INTO specialist (id, partner, name) VALUES ('{specialist}', 'caf', '{specialist}') ON CONFLICT DO NOTHING")
                postgres.query(database, f"""
                    INSERT INTO booking (structure, id, kind, room, specialist, station, during, status, partner, sequence)
                    SELECT 'other-' || (k % 9), 'o-' || d || '-' || k, 'permanence', 'salle', '{specialist}', NULL,
                           tstzrange(t, t + interval '30 minutes'), 'booked', 'caf', 0
                    FROM generate_series(0, 30) d, generate_series(0, 15) k,
                         LATERAL (SELECT (date '{today}' + d + time '09:00' + k * interval '30 minutes') AT TIME ZONE 'Europe/Paris' AS t) x
                    WHERE NOT EXISTS (SELECT 1 FROM booking b WHERE b.specialist = '{specialist}' AND b.status <> 'cancelled'
                                      AND b.during && tstzrange(t, t + interval '30 minutes'))""")
                query = f"/api/v1/availability?specialist={specialist}&from={today}&to={today + dt.timedelta(days=31)}"
                held = int(postgres.query(database, f"SELECT count(*) FROM booking WHERE specialist = '{specialist}' AND structure <> 'mfs-lormes-2'"))
                p50, p99 = latencies(lambda: lormes.request("GET", query), args.runs)
                alone_query = query.replace("mfs-lormes-2", "mfs-alone-2")
                a50, a99 = latencies(lambda: alone.request("GET", alone_query), args.runs)
                print(f"   in the network ({held} bookings elsewhere): p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal p99 < 10 ms)")
                print(f"   a structure alone (SQLite only):     p50 {a50:.1f} ms, p99 {a99:.1f} ms   ratio p99 {p99 / a99:.2f}x")

                print("3. The network's quarterly report, 50 structures (500,000 visits, 150,000 bookings, 300,000 station sessions)")
                quarter = (today.month - 1) // 3
                first = dt.date(today.year, 3 * quarter + 1, 1)
                last = dt.date(today.year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1)
                began = time.monotonic()
                seed_network(postgres, database, first, last)
                print(f"   seeded in {time.monotonic() - began:.0f} s")
                subprocess.run([BINARY, "agent", "add", "coordination", "--name", "Coordination", "--coordinator", "--config", lormes.config,
                                "--data", str(lormes.data)], input="le réseau du département\n", text=True, check=True, capture_output=True)
                lormes.sign_in("coordination", "le réseau du département")
                period = f"{today.year}-Q{quarter + 1}"
                status, page = lormes.get(f"/console/reseau?period={period}")
                assert status == 200 and "Structure 50" in page.decode(), page[:500]
                p50, p99 = latencies(lambda: lormes.get(f"/console/reseau?period={period}"), max(20, args.runs // 10))
                began = time.monotonic()
                out = tempfile.mkdtemp()
                subprocess.run([BINARY, "report", "--network", "--config", lormes.config, "--period", period, "--format", "csv", "--out", out],
                               check=True, capture_output=True)
                cli = time.monotonic() - began
                print(f"   the coordinator's page: p50 {p50:.0f} ms, p99 {p99:.0f} ms (goal p99 < 1000 ms); guichet report --network: {cli * 1000:.0f} ms")
            finally:
                for d in (lormes, corbigny, alone):
                    d.stop()
    finally:
        postgres.close()


if __name__ == "__main__":
    main()
