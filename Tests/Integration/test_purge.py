"""The purge on the real daemon's file: after it, no usager's name, phone or e-mail is left
anywhere in the SQLite files (searched as raw bytes), and the report is the same."""
import datetime, re, subprocess, tempfile, time
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import BINARY, ROOT

NAME = "Zéphyrine Purgetest"
PHONE = "0611223344"
EMAIL = "zephyrine.purgetest@example.fr"
TRACES = [NAME.encode(), "Purgetest".encode(), PHONE.encode(), EMAIL.encode()]


def raw_files(data):
    return [p for p in Path(data).iterdir() if p.name.startswith("guichet.sqlite")]


def traces_in(data):
    found = []
    for path in raw_files(data):
        content = path.read_bytes()
        found += [f"{path.name}: {t!r}" for t in TRACES if t in content]
    return found


def report_csv(daemon, period, offset=0):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BINARY, "report", "--period", period, "--format", "csv", "--out", out, "--config", str(ROOT / "config/guichet.json"),
                        "--data", str(daemon.data), "--clock-offset", str(offset)], check=True, capture_output=True)
        return {p.name: p.read_text() for p in sorted(Path(out).glob("*.csv"))}


def test_after_the_purge_no_personal_field_survives_in_the_file(daemon):
    csrf = daemon.csrf()
    # A booking with a reminder (name, phone, e-mail), checked in and held.
    status, slots = daemon.json("GET", "/api/v1/availability?partner=caf")
    slot = slots["items"][0]
    status, booking = daemon.json("POST", "/api/v1/bookings", {
        "kind": "permanence", "permanence": slot["permanence"], "start": slot["start"], "end": slot["end"],
        "usager": {"name": NAME, "phone": PHONE, "email": EMAIL, "reminderConsent": True}})
    assert status == 201, booking
    # A visit whose note names her, a referral about her, answered and closed, a mandate she signed.
    assert daemon.form_post("/console/contacts", [("_csrf", csrf), ("partners", "caf"), ("reason", "Prime"), ("channel", "walk-in"),
                                                   ("outcome", "referred"), ("note", f"Rappeler {NAME} au {PHONE}")])[0] == 303
    assert daemon.form_post("/console/referrals", [("_csrf", csrf), ("referent", "ref-caf"), ("subject", f"Dossier de {NAME}"), ("usager", NAME)])[0] == 303
    referral = re.search(rb'id="(r-[a-z0-9]+)"', _page(daemon, "/console/referrals")).group(1).decode()
    assert daemon.form_post(f"/console/referrals/{referral}/answer", [("_csrf", csrf), ("answer", f"Réglé pour {NAME}")])[0] == 303
    assert daemon.form_post(f"/console/referrals/{referral}/close", [("_csrf", csrf)])[0] == 303
    assert daemon.form_post("/console/mandates", [("_csrf", csrf), ("name", NAME), ("document", "Passeport"), ("identityChecked", "yes"),
                                                  ("informed", "yes"), ("categories", "family"), ("duration", "one-day"), ("parties", "2")])[0] == 303
    # A message through the public form, answered.
    token = re.search(rb'name="token" value="([a-z0-9]+)"', daemon.get("/")[1]).group(1).decode()
    time.sleep(3.2)  # a person's pause: the public form refuses a send within 3 s of the page (anti-robot rule)
    assert daemon.form_post("/contact", [("name", NAME), ("email", EMAIL), ("message", "Bonjour, une question sur ma prime."), ("token", token)],
                            with_session=False)[0] == 303
    message = re.search(rb'action="/console/messages/(msg-[a-z0-9]+)/answered"', _page(daemon, "/console/messages")).group(1).decode()
    assert daemon.form_post(f"/console/messages/{message}/answered", [("_csrf", csrf)])[0] == 303

    today = datetime.datetime.now(ZoneInfo("Europe/Paris")).date()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    daemon.stop()
    assert traces_in(daemon.data), "the test data should be in the file before the purge"
    before = report_csv(daemon, period)

    later = 400 * 86400  # every retention period has ended
    out = subprocess.run([BINARY, "purge", "--config", str(ROOT / "config/guichet.json"), "--data", str(daemon.data), "--clock-offset", str(later)],
                         check=True, capture_output=True, text=True).stdout
    assert "1 booking(s)" in out and "1 mandate(s)" in out and "1 message(s)" in out, out
    assert traces_in(daemon.data) == []
    assert report_csv(daemon, period, later) == before


def _page(daemon, path):
    import urllib.request
    req = urllib.request.Request(daemon.url(path), headers={"Cookie": daemon.cookie})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()
