"""The e-mails a usager asks for at booking, through a real MTA: the daemon hands each notice
to msmtp (Debian's msmtp, as `sendmail -t`), which relays it over SMTP to a capturing server
(aiosmtpd); each message is read back with Python's `email` and `icalendar`, independent of
the daemon's own writer."""
import contextlib
import datetime as dt
import email
import email.policy
import http.server
import json
import os
import signal
import sqlite3
import tempfile
import threading
import time

import icalendar
import pytest
from aiosmtpd.controller import Controller

from conftest import ROOT, Daemon, free_port, show_on_failure
from waiting import wait_for

MSMTP = "/usr/bin/msmtp"
USAGER = "mme.martin@example.org"


class Capture:
    """The SMTP server's inbox: every message as parsed, with its envelope recipients."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def of_kind(self, word):
        return [m for _, m in self.messages if word in str(m["Subject"])]


@contextlib.contextmanager
def notices_daemon(settings):
    """A daemon whose `notices` (with `settings`) go through msmtp to a capturing SMTP server."""
    assert os.access(MSMTP, os.X_OK), "msmtp is missing: scripts/setup.sh --tests installs it"
    capture = Capture()
    port = free_port()
    capture.controller = Controller(capture, hostname="127.0.0.1", port=port)
    capture.controller.start()
    with tempfile.TemporaryDirectory(prefix="guichet-notices-") as folder:
        rc = os.path.join(folder, "msmtprc")
        with open(rc, "w") as f:
            f.write(f"account default\nhost 127.0.0.1\nport {port}\nauth off\ntls off\nfrom accueil@fs-beaumont.example\n")
        os.chmod(rc, 0o600)
        config = json.loads((ROOT / "config/guichet.json").read_text())
        config["notices"] = {"sendmail": [MSMTP, "-C", rc, "-t"], "checkSeconds": 1, **settings}
        path = os.path.join(folder, "guichet.json")
        with open(path, "w") as f:
            json.dump(config, f)
        os.makedirs(os.path.join(folder, "data"))
        d = Daemon(os.path.join(folder, "data"), config=path).start()
        show_on_failure("daemon", d.log_without_access)
        try:
            yield d, capture
        finally:
            d.stop()
            if capture.controller._thread:
                capture.controller.stop()


@pytest.fixture
def notices(request):
    with notices_daemon(getattr(request, "param", {})) as both:
        yield both


def a_time_next_week(d, hours=(10, 0)):
    """A quarter hour in the opening hours at least a week ahead, as ISO 8601 with the offset."""
    status, hours_plan = d.json("GET", "/api/v1/opening-hours")
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    day = dt.date.today() + dt.timedelta(days=7)
    while not hours_plan["days"].get(names[day.weekday()]):
        day += dt.timedelta(days=1)
    first = hours_plan["days"][names[day.weekday()]][0].split("-")[0]
    start = dt.datetime.combine(day, dt.time.fromisoformat(first), tzinfo=dt.timezone(dt.timedelta(hours=1)))
    return start


def iso(t):
    return t.isoformat()


def book(d, start, room="bureau-partenaires", **usager):
    """Books Mme Martin (consenting, with `usager`'s contacts) in `room` at `start`."""
    return d.json("POST", "/api/v1/bookings", {
        "kind": "room", "room": room, "start": iso(start), "end": iso(start + dt.timedelta(minutes=30)),
        "usager": {"name": "Mme Martin", "reminderConsent": True, **usager}})


def calendar_of(message):
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())


def test_a_usager_is_confirmed_told_of_a_move_reminded_and_told_of_the_cancellation(notices):
    d, capture = notices
    start = a_time_next_week(d)
    end = start + dt.timedelta(minutes=30)
    status, booking = book(d, start, email=USAGER)
    assert status == 201, booking
    # A booking without consent (and so without an address) gets nothing.
    other = d.json("POST", "/api/v1/bookings", {
        "kind": "room", "room": "accueil", "start": iso(start), "end": iso(end), "usager": {"name": "M. Durand"}})
    assert other[0] == 201, other

    wait_for(lambda: capture.of_kind("confirmé"), 20, what="the confirmation")
    recipients, confirmation = capture.messages[0]
    assert recipients == [USAGER]
    assert confirmation["To"].addresses[0].addr_spec == USAGER
    structure = json.loads((ROOT / "config/guichet.json").read_text())["structure"]
    assert confirmation["From"].addresses[0].addr_spec == structure["email"]  # the structure's own, unless told
    assert confirmation["From"].addresses[0].display_name == structure["name"]
    text = confirmation.get_body(("plain",)).get_content()
    assert "Bonjour Mme Martin," in text and "Votre rendez-vous est confirmé" in text
    assert start.strftime("%-d") in text and f"{start.hour:02d}:{start.minute:02d}" in text
    assert "<p>" in confirmation.get_body(("html",)).get_content()
    ics = calendar_of(confirmation)
    assert str(ics["METHOD"]) == "REQUEST"
    event = ics.walk("VEVENT")[0]
    uid = str(event["UID"])
    assert event["DTSTART"].dt == start and int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == f"mailto:{USAGER}"

    # Moved: the same event, a higher SEQUENCE, the new time.
    later = start + dt.timedelta(hours=1)
    status, moved = d.json("PATCH", f"/api/v1/bookings/{booking['id']}", {"start": iso(later), "end": iso(later + dt.timedelta(minutes=30))})
    assert status == 200, moved
    wait_for(lambda: capture.of_kind("déplacé"), 20, what="the notice of the move")
    event = calendar_of(capture.of_kind("déplacé")[0]).walk("VEVENT")[0]
    assert str(event["UID"]) == uid and event["DTSTART"].dt == later and int(event["SEQUENCE"]) == 1

    # 47 hours before: the reminder, once (several passes go by).
    def sent_kinds():
        with sqlite3.connect(d.db) as db:
            return {k for (k,) in db.execute("SELECT kind FROM bookingNotice WHERE sentAt IS NOT NULL")}
    wait_for(lambda: "moved" in sent_kinds(), 10, what="the move's notice recorded sent")
    d.stop()
    d.clock_offset = (later - dt.timedelta(hours=47)).timestamp() - time.time()
    d.cookie = None
    d.start()
    wait_for(lambda: capture.of_kind("Rappel"), 20, what="the reminder")
    time.sleep(3)
    assert len(capture.of_kind("Rappel")) == 1
    assert len(capture.of_kind("confirmé")) == 1 and len(capture.of_kind("déplacé")) == 1

    # Cancelled: METHOD:CANCEL for the same event, a higher SEQUENCE still.
    assert d.json("POST", f"/api/v1/bookings/{booking['id']}/cancel")[0] == 200
    wait_for(lambda: capture.of_kind("annulé"), 20, what="the notice of the cancellation")
    ics = calendar_of(capture.of_kind("annulé")[0])
    event = ics.walk("VEVENT")[0]
    assert str(ics["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) >= 2
    assert all(rcpt == [USAGER] for rcpt, _ in capture.messages) and len(capture.messages) == 4

    # What the daemon keeps of them: no address, no text; its log names no address either.
    def rows():
        with sqlite3.connect(d.db) as db:
            return db.execute("SELECT kind, sentAt IS NOT NULL, coalesce(lastError, '') FROM bookingNotice ORDER BY kind").fetchall()
    # The SMTP server has the last message a moment before msmtp exits and the daemon records it.
    wait_for(lambda: all(r[1] for r in rows()), 10, what="every notice recorded sent")
    assert sorted(r[0] for r in rows()) == ["cancelled", "confirmation", "moved", "reminder"]
    assert not any("@" in r[2] for r in rows())
    assert USAGER not in d.log()
    # Counted for the operators (since the restart: the reminder and the cancellation).
    status, metrics = d.get("/metrics")
    sent = sorted(l for l in metrics.decode().splitlines() if l.startswith("guichet_notices_total{") and 'outcome="sent"' in l)
    assert len(sent) == 2 and all('channel="email"' in l and l.endswith(" 1") for l in sent), sent
    assert 'kind="cancelled"' in sent[0] and 'kind="reminder"' in sent[1]


def test_a_notice_the_mta_refused_is_tried_again_later_and_sent_once(notices):
    d, capture = notices
    smtp = capture.controller
    smtp.stop()  # msmtp cannot relay: it exits non-zero, the daemon records the failure
    start = a_time_next_week(d)
    status, booking = book(d, start, email=USAGER)
    assert status == 201

    def attempts():
        with sqlite3.connect(d.db) as db:
            return db.execute("SELECT attempts, sentAt, lastError FROM bookingNotice WHERE booking = ?", (booking["id"],)).fetchone()
    wait_for(lambda: attempts() and attempts()[2], 20, what="the first attempt's failure")
    count, sent, error = attempts()
    assert count == 1 and sent is None and "status" in error and "@" not in error
    time.sleep(2)
    assert attempts()[0] == 1, "a failed notice waits for its next try"
    capture.controller = Controller(capture, hostname="127.0.0.1", port=smtp.port)
    capture.controller.start()
    # Two minutes later (the daemon restarted with its clock moved on): sent, once.
    d.stop()
    d.clock_offset = 150
    d.cookie = None
    d.start()
    wait_for(lambda: capture.of_kind("confirmé"), 20, what="the confirmation, on the second attempt")
    wait_for(lambda: attempts()[1] is not None, 10, what="the confirmation recorded sent")
    time.sleep(2)
    assert len(capture.messages) == 1 and attempts()[0] == 2


@pytest.mark.parametrize("notices", [{"maxAttempts": 1}], indirect=True)
def test_a_notice_given_up_is_shown_to_the_agents_with_the_usagers_phone(notices):
    d, capture = notices
    capture.controller.stop()
    start = a_time_next_week(d)
    status, booking = book(d, start, phone="06 12 34 56 78", email=USAGER)
    assert status == 201

    def today():
        status, page = d.get("/console")
        assert status == 200
        return page.decode()
    wait_for(lambda: "non envoyés" in today(), 20, what="the given-up notice on the today page")
    page = today()
    assert "Confirmation par e-mail — Mme Martin" in page and 'href="tel:06 12 34 56 78"' in page
    assert "notice given up" in d.log()


class Gateway(http.server.BaseHTTPRequestHandler):
    """A provider's SMS API as the configuration describes it: records each request, and
    answers 503 while `refuse` is set."""
    received = []
    refuse = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((dict(self.headers), json.loads(body)))
        self.send_response(503 if Gateway.refuse else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway():
    Gateway.received, Gateway.refuse = [], False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="guichet-sms-") as folder:
        secret = os.path.join(folder, "sms.secret")
        with open(secret, "w") as f:
            f.write("s3cr3t-key-of-the-provider\n")
        yield {"sms": {"url": f"http://127.0.0.1:{server.server_address[1]}/v1/sms", "secretFile": secret,
                       "headers": {"Authorization": "Bearer {secret}"},
                       "fields": {"to": "{phone}", "message": "{text}", "sender": "FranceServ"}}}
    server.shutdown()


def test_a_usager_who_left_a_phone_gets_the_sms_through_the_gateway_and_the_secret_stays_out(sms_gateway):
    with notices_daemon(sms_gateway) as (d, capture):
        start = a_time_next_week(d)
        status, booking = book(d, start, phone="06 12 34 56 78")
        assert status == 201, booking
        wait_for(lambda: Gateway.received, 20, what="the SMS request")
        headers, body = Gateway.received[0]
        assert headers["Authorization"] == "Bearer s3cr3t-key-of-the-provider"
        assert headers["Content-Type"] == "application/json"
        assert body["to"] == "06 12 34 56 78" and body["sender"] == "FranceServ"
        text = body["message"]
        assert "rendez-vous confirmé" in text and f"{start.hour:02d}:{start.minute:02d}" in text
        assert len(text) <= 160 and all(c not in text for c in "êâîôûç")  # GSM 03.38, one message
        assert not capture.messages, "no e-mail address, no e-mail"

        # The gateway refusing (503): tried again later, then sent once.
        Gateway.refuse = True
        assert d.json("POST", f"/api/v1/bookings/{booking['id']}/cancel")[0] == 200
        wait_for(lambda: len(Gateway.received) == 2, 20, what="the cancellation's first attempt")
        with sqlite3.connect(d.db) as db:
            wait_for(lambda: db.execute("SELECT lastError FROM bookingNotice WHERE kind = 'cancelled'").fetchone()[0], 10, what="the failure recorded")
            error = db.execute("SELECT lastError FROM bookingNotice WHERE kind = 'cancelled'").fetchone()[0]
        assert "SMS gateway" in error and "s3cr3t" not in error
        Gateway.refuse = False
        d.stop()
        d.clock_offset = 150
        d.cookie = None
        d.start()
        wait_for(lambda: len(Gateway.received) == 3, 20, what="the cancellation, on the second attempt")
        assert "annulé" in Gateway.received[2][1]["message"]
        time.sleep(2)
        assert len(Gateway.received) == 3
        assert "s3cr3t" not in d.log() and "06 12 34 56 78" not in d.log()


def test_a_daemon_killed_while_the_mta_takes_a_notice_sends_it_after_its_restart(tmp_path):
    # The MTA's command is a script that holds the first message (the daemon is killed then)
    # and hands the later ones to msmtp.
    hold = tmp_path / "hold"
    hold.write_text("")
    script = tmp_path / "sendmail"
    with notices_daemon({}) as (d, capture):
        config = json.loads(open(d.config).read())
        msmtp = config["notices"]["sendmail"]
        held = tmp_path / "held.pid"
        script.write_text(f"#!/bin/sh\nif [ -e {hold} ]; then echo $$ > {held}; exec sleep 60; fi\nexec {' '.join(msmtp)}\n")
        script.chmod(0o755)
        config["notices"]["sendmail"] = [str(script)]
        with open(d.config, "w") as f:
            json.dump(config, f)
        d.stop()
        d.start()
        start = a_time_next_week(d)
        status, booking = book(d, start, email=USAGER)
        assert status == 201

        def row():
            with sqlite3.connect(d.db) as db:
                return db.execute("SELECT attempts, sentAt FROM bookingNotice WHERE booking = ?", (booking["id"],)).fetchone()
        wait_for(lambda: row() == (1, None), 20, what="the attempt recorded as begun")
        # The attempt is recorded before the MTA starts: wait until it holds the message.
        wait_for(lambda: held.exists() and held.read_text().strip(), 20, what="the MTA holding the message")
        d.stop(signal.SIGKILL)  # between "due" and "sent"
        os.kill(int(held.read_text()), signal.SIGKILL)  # the MTA never took it
        hold.unlink()
        assert not capture.messages
        # Restarted a little later: the attempt that never finished is tried again, once.
        d.clock_offset = 90
        d.cookie = None
        d.start()
        wait_for(lambda: capture.of_kind("confirmé"), 20, what="the confirmation after the restart")
        wait_for(lambda: row()[1] is not None, 10, what="the confirmation recorded sent")
        time.sleep(2)
        assert len(capture.messages) == 1 and row()[0] == 2


def test_a_closure_over_the_appointment_is_told_once_and_changes_no_calendar_event(notices):
    d, capture = notices
    start = a_time_next_week(d)
    status, booking = book(d, start, email=USAGER)
    assert status == 201, booking
    wait_for(lambda: capture.of_kind("confirmé"), 20, what="the confirmation")
    status, closure = d.json("POST", "/api/v1/closures", {
        "start": iso(start - dt.timedelta(hours=1)), "end": iso(start + dt.timedelta(hours=2)), "reason": "Dégât des eaux", "emergency": True})
    assert status == 201, closure
    wait_for(lambda: capture.of_kind("Fermeture exceptionnelle"), 20, what="the closure's notice")
    message = capture.of_kind("Fermeture exceptionnelle")[0]
    text = message.get_body(("plain",)).get_content()
    assert "ne peut pas avoir lieu" in text and f"{start.hour:02d}:{start.minute:02d}" in text, text
    assert not [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    # Several passes later (one a second): still one, and the booking is untouched until an agent acts.
    time.sleep(3)
    assert len(capture.of_kind("Fermeture exceptionnelle")) == 1
    assert d.json("GET", f"/api/v1/bookings/{booking['id']}")[1]["status"] == "booked"
