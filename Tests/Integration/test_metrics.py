"""`/metrics` as an administrator's Prometheus reads it: a real station session (private cupsd,
SANE's test backend) counted where the kiosk really records it, read back with an independent
parser (prometheus_client) and linted by promtool; the shipped alert rules and dashboard
checked by promtool against the names the daemon really exports; the access rule from
another address."""
import json, os, re, subprocess, tempfile, urllib.error, urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, ROOT, Daemon
from test_network import lan_addresses
from test_station import start_session, station_daemon, status
from waiting import wait_for

MONITORING = ROOT / "deploy/monitoring"


def scrape(d, headers=None, host=None):
    req = urllib.request.Request(f"http://{host or '127.0.0.1'}:{d.port}/metrics", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def samples(text):
    """{(sample name, frozenset(labels)): value} through prometheus_client's own parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())))


def promtool(*args, input=None):
    return subprocess.run(["promtool", *args], input=input, capture_output=True, text=True)


def dashboard_queries():
    dashboard = json.loads((MONITORING / "guichet-dashboard.json").read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def alert_queries():
    text = (MONITORING / "guichet-alerts.yml").read_text()
    return re.findall(r"^\s+expr: (.+)$", text, re.M)


def exported_names(queries):
    return {n for q in queries for n in re.findall(r"\b(guichet_[a-z_]+)", q)}


def test_the_alert_rules_and_the_dashboard_queries_are_valid_promql(tmp_path):
    checked = promtool("check", "rules", str(MONITORING / "guichet-alerts.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", str(MONITORING / "guichet-alerts-test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # Each panel's query as a recording rule: promtool parses it as Prometheus would.
    rules = tmp_path / "dashboard-rules.yml"
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for i, q in enumerate(dashboard_queries()):
        lines += [f"      - record: guichet:panel{i}", f"        expr: {json.dumps(q.replace('$instance', '.*'))}"]
    rules.write_text("\n".join(lines) + "\n")
    parsed = promtool("check", "rules", str(rules))
    assert parsed.returncode == 0 and f"{len(dashboard_queries())} rules found" in parsed.stdout, parsed.stdout + parsed.stderr


def test_a_station_session_is_counted_where_the_kiosk_records_it_and_read_by_prometheus():
    with station_daemon() as (d, _):
        # The station's PC checks in as an enrolled device would.
        credential = d.device_credential("poste-1")
        req = urllib.request.Request(d.url("/api/v1/devices/contact"), data=b'{"version":"test","health":"ok"}', method="POST",
                                     headers={"Authorization": f"Bearer {credential}", "Content-Type": "application/json"})
        assert urllib.request.urlopen(req, timeout=15).status == 200

        session = start_session(d)
        downloads = d.data / "stations/poste-1/sessions" / session / "downloads"
        (downloads / "une-page.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n")
        (downloads / "six-pages.pdf").write_bytes(b"%PDF-1.4\n" + b"".join(b"%d 0 obj << /Type /Page >> endobj\n" % i for i in range(6)))
        assert d.form_post("/kiosk/poste-1/imprimer", {"_k": session, "kind": "downloads", "name": "une-page.pdf"}, with_session=False)[0] == 303
        code, body = d.form_post("/kiosk/poste-1/imprimer", {"_k": session, "kind": "downloads", "name": "six-pages.pdf"}, with_session=False)
        assert code == 422, body[:300]  # over the page cap: refused, counted as a failed print
        code, body = d.form_post("/kiosk/poste-1/numeriser", {"_k": session, "resolution": "150", "colour": "gray", "source": "flatbed"},
                                 with_session=False)
        assert code == 200 and "Votre document est prêt" in body.decode(), body.decode()[-800:] + d.log()[-2000:]
        assert d.form_post("/kiosk/poste-1/aide", {"_k": session, "back": "/kiosk/poste-1/imprimer"}, with_session=False)[0] == 303
        assert d.form_post("/kiosk/poste-1/fin", {"_k": session, "score": ""}, with_session=False)[0] == 303
        assert wait_for(lambda: status(d)["state"] == "idle", timeout=30), status(d)
        # A booking taken, then the same slot refused.
        _, slots = d.json("GET", "/api/v1/availability?partner=caf")
        slot = slots["items"][0]
        body = {"kind": "permanence", "permanence": slot["permanence"], "start": slot["start"], "end": slot["end"], "usager": {"name": "Léa Martin"}}
        assert d.request("POST", "/api/v1/bookings", body)[0] == 201
        assert d.request("POST", "/api/v1/bookings", body)[0] == 409

        code, content_type, text = scrape(d)
    assert code == 200 and content_type.startswith("text/plain; version=0.0.4"), (code, content_type)
    found = samples(text)
    station = {"station": "poste-1"}
    assert value(found, "guichet_station_sessions_total", **station) == 1, text
    assert value(found, "guichet_station_wipes_total", verified="true", **station) == 1
    assert value(found, "guichet_station_wipes_total", verified="false", **station) is None
    assert value(found, "guichet_station_wipe_duration_seconds_count", **station) == 1
    assert value(found, "guichet_station_prints_total", outcome="ok", **station) == 1
    assert value(found, "guichet_station_prints_total", outcome="failed", **station) == 1
    assert value(found, "guichet_station_scans_total", outcome="ok", **station) == 1
    assert value(found, "guichet_station_printed_pages_total", **station) == 1
    assert value(found, "guichet_station_scanned_pages_total", **station) >= 1
    assert value(found, "guichet_station_help_requests_total", **station) == 1
    assert value(found, "guichet_station_session_open", **station) == 0
    assert value(found, "guichet_bookings_created_total", channel="api") == 1
    assert value(found, "guichet_bookings_refused_total", channel="api", reason="slot_taken") == 1
    assert value(found, "guichet_http_requests_total", method="POST", route="/kiosk/{station}/imprimer", status="303") == 1
    assert value(found, "guichet_database_size_bytes") > 4096 and value(found, "guichet_disk_free_bytes") > 0
    assert value(found, "guichet_device_last_contact_timestamp_seconds", device="poste-1", role="station") > 1.7e9
    # No usager's name, no session id, no file name, no credential.
    for secret in ("Léa", "Martin", session, "une-page", credential):
        assert secret not in text, secret
    # Prometheus' own linter has nothing to say.
    linted = promtool("check", "metrics", input=text)
    assert linted.returncode == 0 and not linted.stdout.strip() and not linted.stderr.strip(), linted.stdout + linted.stderr
    # Every metric the dashboard and the alert rules use is one the daemon exports, but those
    # only a call's end (test_visio), a station's own PC (test_lan) or an unverified wipe
    # (test_station) produce.
    exported = {name for name, _ in found} | {f.name for f in text_string_to_metric_families(text)}
    elsewhere = {"guichet_visio_calls_total", "guichet_outbox_records", "guichet_station_alerts_total"}
    missing = exported_names(dashboard_queries() + alert_queries()) - exported - elsewhere
    assert not missing, missing


def test_from_another_address_metrics_need_the_configured_token(tmp_path):
    lan = lan_addresses()
    assert lan, "this test needs a non-loopback IPv4 address (ip -4 addr shows none)"
    token = os.urandom(24).hex()
    token_file = tmp_path / "metrics.token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    config = json.loads((ROOT / "config/guichet.json").read_text())
    config["metrics"] = {"tokenFile": str(token_file)}
    (tmp_path / "guichet.json").write_text(json.dumps(config))
    d = Daemon(tmp_path / "data", config=tmp_path / "guichet.json")
    d.args = ["--host", "0.0.0.0"]
    d.start()
    try:
        assert scrape(d)[0] == 200  # this machine
        assert scrape(d, host=lan[0])[0] == 403
        wrong = token[:-1] + ("1" if token.endswith("0") else "0")  # one character off, never the token itself
        assert scrape(d, host=lan[0], headers={"Authorization": "Bearer " + wrong})[0] == 403
        code, _, text = scrape(d, host=lan[0], headers={"Authorization": "Bearer " + token})
        assert code == 200 and "guichet_build_info" in text
    finally:
        d.stop()
    # A token file everyone may read: check-config says so, and the daemon refuses to start.
    token_file.chmod(0o644)
    checked = subprocess.run([BINARY, "check-config", str(tmp_path / "guichet.json")], capture_output=True, text=True)
    assert checked.returncode != 0 and "readable by everyone" in checked.stderr + checked.stdout, checked
    again = Daemon(tmp_path / "data", config=tmp_path / "guichet.json")
    with pytest.raises(RuntimeError) as refused:
        again.start()
    assert "chmod 640" in str(refused.value)
