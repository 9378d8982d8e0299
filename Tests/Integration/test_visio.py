"""The visio: the specialist's link and its window, the waiting room, the agent's admission,
and real calls between the room's GStreamer engine and headless Chromium with fake devices,
on loopback; hostile signalling on the live connection."""
import datetime as dt
import json
import os
import signal
import sqlite3
import re
import tempfile
import threading
import time

import pytest
import websocket
from selenium.webdriver.common.by import By

from browser import chromium, serious_violations
from conftest import Daemon
from waiting import wait_for

VISIO_ARGS = ["--visio-media", "test", "--visio-loopback"]
FAKE_DEVICES = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required")
# Keeps the page's WebSockets reachable, so the test can speak on the call's own connection.
SOCKET_SPY = """
const Original = window.WebSocket;
window.sockets = [];
window.WebSocket = function (url) { const s = new Original(url); window.sockets.push(s); return s; };
window.WebSocket.OPEN = Original.OPEN;
"""



def instant(iso):
    return dt.datetime.fromisoformat(iso).timestamp()


def book_visio(d, name="Awa Diallo"):
    status, body = d.json("GET", "/api/v1/availability?kind=visio")
    assert status == 200 and body["items"], body
    slot = body["items"][0]
    status, booking = d.json("POST", "/api/v1/bookings", {
        "kind": "visio", "visioSlot": slot["visioSlot"], "start": slot["start"], "end": slot["end"], "usager": {"name": name}})
    assert status == 201, booking
    return booking


def link_token(d, booking):
    """The specialist's link as the console shows it to the agent."""
    status, html = d.get("/console/visio")
    assert status == 200
    with sqlite3.connect(d.db) as db:
        token = db.execute("SELECT token FROM visioLink WHERE booking = ?", (booking["id"],)).fetchone()[0]
    assert f"/visio/{token}" in html.decode()
    return token


def restart_at(d, when):
    """Restarts the daemon with its clock set to `when` (seconds since the epoch)."""
    d.stop()
    d.clock_offset = when - time.time()
    d.cookie = None
    d.start()


def socket_status(d, token):
    """101 when the WebSocket upgrade is accepted. A refused upgrade gets the WebSocket
    library's fixed 400; the reason (403, 404, 410) is on the link's page and on a plain GET."""
    try:
        websocket.create_connection(d.url(f"/visio/{token}/ws").replace("http", "ws", 1), timeout=10).close()
        return 101
    except websocket.WebSocketBadStatusException as e:
        return e.status_code


@pytest.fixture
def visio():
    """A daemon whose clock stands two minutes before a booked visio appointment."""
    with tempfile.TemporaryDirectory(prefix="guichet-visio-") as data:
        # Each second's media report in the log, which a failing test shows.
        d = Daemon(data, env={**os.environ, "GUICHET_MEDIA_TRACE": "1"})
        d.args = VISIO_ARGS
        d.start()
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        yield d, booking, token
        d.stop()


def test_link_opens_only_in_its_window_and_only_untampered(tmp_path):
    d = Daemon(tmp_path)
    d.args = VISIO_ARGS
    d.start()
    try:
        booking = book_visio(d)
        token = link_token(d, booking)
        start, end = instant(booking["start"]), instant(booking["end"])
        tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
        # Before the window (more than 10 minutes before the slot).
        restart_at(d, start - 11 * 60)
        status, html = d.get(f"/visio/{token}")
        assert status == 403 and "ouvre le" in html.decode()
        assert socket_status(d, token) == 400 and d.get(f"/visio/{token}/ws")[0] == 403
        # Inside: the page, and the socket upgrades.
        restart_at(d, start - 9 * 60)
        status, html = d.get(f"/visio/{token}")
        assert status == 200 and "Rejoindre la salle d’attente" in html.decode()
        assert socket_status(d, token) == 101
        for bad in (tampered, token[:-1], token + "0", "../" + token, "x" * 32):
            assert d.get(f"/visio/{bad}")[0] == 404, bad
            assert socket_status(d, bad) == 400, bad
        # After the slot.
        restart_at(d, end + 1)
        status, html = d.get(f"/visio/{token}")
        assert status == 410 and "ne sert plus" in html.decode()
        assert socket_status(d, token) == 400 and d.get(f"/visio/{token}/ws")[0] == 410
        # A cancelled appointment's link is closed too, even inside its window.
        restart_at(d, start - 60)
        assert d.json("POST", f"/api/v1/bookings/{booking['id']}/cancel")[0] == 200
        assert d.get(f"/visio/{token}")[0] == 410
        # English on request.
        assert "no longer works" in d.get(f"/visio/{token}?lang=en")[1].decode()
    finally:
        d.stop()


def test_hostile_signalling_is_refused_and_the_connection_survives(visio):
    d, booking, token = visio
    ws = websocket.create_connection(d.url(f"/visio/{token}/ws").replace("http", "ws", 1), timeout=10)
    try:
        assert json.loads(ws.recv()) == {"type": "waiting", "version": 1}

        def answer(text):
            ws.send(text)
            return json.loads(ws.recv())

        cases = {
            "{not json": "malformed",
            "[1, 2]": "malformed",
            '{"type": "hello"}': "unknown_type",
            '{"type": "join", "extra": 1}': "malformed",
            '{"type": "answer", "sdp": "v=0' + "a" * 66_000 + '"}': "too_large",
            '{"type": "answer", "sdp": "not sdp"}': "malformed",
            '{"type": "offer", "sdp": "v=0\\r\\n"}': "not_now",
            '{"type": "candidate", "mline": 9, "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}': "malformed",
            '{"type": "candidate", "mline": true, "candidate": ""}': "malformed",
            '{"type": "candidate", "mline": 0, "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}': "not_now",
            '{"type": "chat", "text": "avant l’admission"}': "not_now",
        }
        for text, code in cases.items():
            reply = answer(text)
            assert reply["type"] == "error" and reply["code"] == code, (text[:60], reply)
        assert answer('{"type": "join"}') == {"type": "waiting", "version": 1}
        # A 200 KB frame is refused with an error; the socket stays.
        reply = answer(json.dumps({"type": "chat", "text": "x" * 200_000}))
        assert reply["type"] == "error" and reply["code"] == "too_large", reply
        assert answer('{"type": "join"}') == {"type": "waiting", "version": 1}
        # One specialist per link: a second device is told the link is in use, the agent sees
        # it, and the first keeps its place.
        other = websocket.create_connection(d.url(f"/visio/{token}/ws").replace("http", "ws", 1), timeout=10)
        try:
            refusal = json.loads(other.recv())
            assert refusal["type"] == "error" and refusal["code"] == "link_in_use", refusal
            other.send('{"type": "join"}')
            assert json.loads(other.recv())["code"] == "link_in_use"
            assert "Un second appareil attend sur ce lien" in d.get("/console/visio")[1].decode()
            assert answer('{"type": "join"}') == {"type": "waiting", "version": 1}
        finally:
            other.close()
        wait_for(lambda: "Un second appareil" not in d.get("/console/visio")[1].decode(), 10, what="the second device to leave the console")
        # A flood: refused beyond the budget, the connection stays.
        for _ in range(400):
            ws.send('{"type": "join"}')
        replies = [json.loads(ws.recv())["type"] for _ in range(400)]
        assert replies.count("waiting") >= 150 and "error" in replies
        assert wait_for(lambda: answer('{"type": "join"}') == {"type": "waiting", "version": 1}, timeout=5, interval=0.3,
                        what="the flood budget to refill")
        # The console still shows the specialist waiting.
        assert "En salle d’attente" in d.get("/console/visio")[1].decode()
    finally:
        ws.close()
    # Leaving the waiting room takes the specialist off the console.
    wait_for(lambda: "En salle d’attente" not in d.get("/console/visio")[1].decode(), 10, what="the waiting room to empty")


def page_frames(driver):
    return driver.execute_script(
        "const v = document.getElementById('distant'); return v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;")


def page_text(driver, key):
    """One of the page's texts, in the language it chose."""
    return driver.execute_script(f"return JSON.parse(document.getElementById('textes').textContent).{key}")


def room(d):
    status, body = d.get("/salle/visio/etat")
    assert status == 200
    return json.loads(body)["call"] or {}


def calls(d):
    with sqlite3.connect(d.db) as db:
        return db.execute("SELECT booking, partner, startedAt, endedAt, outcome FROM visioCall ORDER BY id").fetchall()


def join_waiting_room(d, driver, token):
    driver.get(d.url(f"/visio/{token}"))
    driver.execute_script(SOCKET_SPY)
    wait_for(lambda: driver.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the devices check")
    driver.find_element(By.ID, "rejoindre").click()
    wait_for(lambda: driver.find_element(By.ID, "attente").is_displayed(), 10, what="the waiting room")
    wait_for(lambda: room(d).get("waiting"), 10, what="the room to see the specialist waiting")


def join_and_admit(d, driver, booking, token):
    join_waiting_room(d, driver, token)
    status, _ = d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})
    assert status in (302, 303)
    wait_for(lambda: page_frames(driver) > 30, 30, what="video frames in Chromium")
    wait_for(lambda: room(d).get("videoFrames", 0) > 30 and room(d).get("audioBuffers", 0) > 10, 30, what="frames at the room's engine")


def test_the_room_prepares_while_the_specialist_waits_and_sends_only_what_follows_the_admission(tmp_path):
    """The room's camera and encoders start while the specialist waits, so the admission offers
    at once; what they captured meanwhile never leaves the room (pictures stamped with the
    time they were taken: the page's first ones are fresh, not from the waiting room)."""
    d = Daemon(tmp_path, env={**os.environ, "GUICHET_MEDIA_TRACE": "1"})
    d.args = VISIO_ARGS + ["--visio-stamps"]
    d.start()
    driver = None
    try:
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        driver = chromium(*FAKE_DEVICES)
        join_waiting_room(d, driver, token)
        wait_for(lambda: room(d).get("mediaReady"), 10, what=f"the room's media prepared while the specialist waits\n{d.log()[-1500:]}")
        time.sleep(3)
        assert driver.find_element(By.ID, "attente").is_displayed() and not room(d).get("admitted")
        assert d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})[0] in (302, 303)
        wait_for(lambda: page_frames(driver) > 30, 30, what=f"video frames in Chromium\n{d.log()[-1500:]}")
        assert not room(d).get("mediaReady")
        latencies = driver.execute_script("return window.visioStamp.latencies()")
        assert latencies and max(latencies) < 1500, latencies
    finally:
        if driver:
            driver.quit()
        d.stop()


def test_call_between_the_room_engine_and_chromium(visio):
    d, booking, token = visio
    driver = chromium(*FAKE_DEVICES)
    try:
        driver.get(d.url(f"/visio/{token}"))
        wait_for(lambda: driver.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the devices check")
        assert serious_violations(driver) == []
        join_and_admit(d, driver, booking, token)
        assert serious_violations(driver) == []
        assert driver.find_element(By.ID, "appel").is_displayed()

        # Hostile messages on the call's own connection do not disturb it.
        before_page, before_room = page_frames(driver), room(d)["videoFrames"]
        driver.execute_script("""
            const s = window.sockets[window.sockets.length - 1];
            s.send('{bad'); s.send('{"type":"offer","sdp":"v=0\\\\r\\\\n"}');
            s.send('{"type":"answer","sdp":"v=0\\\\r\\\\nbroken"}');
            s.send('{"type":"candidate","mline":7,"candidate":"candidate:9 1 udp 1 10.9.9.9 9 typ host ufrag otherCall"}');
            s.send(JSON.stringify({type: 'answer', sdp: 'v=0' + 'x'.repeat(66000)}));
            for (let i = 0; i < 300; i++) s.send('{"type":"join"}');
        """)
        wait_for(lambda: page_frames(driver) > before_page + 30 and room(d)["videoFrames"] > before_room + 30, timeout=10,
                 what="frames still flowing both ways after the hostile messages")
        assert driver.execute_script("return document.getElementById('fin').hidden")

        # A repeated join during the call does not set the page back to "Connecting…".
        driver.execute_script("const s = window.sockets[window.sockets.length - 1]; s.send('{\"type\":\"join\"}');")
        connected = page_text(driver, "visioConnected")
        assert not wait_for(lambda: driver.find_element(By.ID, "etat").text != connected, timeout=2, interval=0.2)

        # A second browser on the same link is told plainly, and does not take the call over.
        second = chromium(*FAKE_DEVICES)
        try:
            second.get(d.url(f"/visio/{token}"))
            second.execute_script(SOCKET_SPY)
            wait_for(lambda: second.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the second device's check")
            second.find_element(By.ID, "rejoindre").click()
            wait_for(lambda: second.find_element(By.ID, "etat").text == page_text(second, "visioLinkInUse"), 10, what="the second device told")
            html = d.get("/console/visio")[1].decode()
            assert "Un second appareil attend sur ce lien" in html, second.execute_script("return window.sockets.map(s => s.readyState)")
            before = page_frames(driver)
            assert not wait_for(lambda: not driver.find_element(By.ID, "appel").is_displayed(), timeout=5, interval=0.5)
            assert page_frames(driver) > before + 60, "the first page's call stopped"
            assert second.find_element(By.ID, "attente").is_displayed() is False
        finally:
            second.quit()

        # A real drop of the page's connection: it reconnects and the call goes on.
        driver.execute_script("window.sockets[window.sockets.length - 1].close();")
        wait_for(lambda: driver.execute_script("return window.sockets.length") >= 2 and room(d).get("admitted"), 15,
                 what="the page to reconnect")
        before = room(d).get("videoFrames", 0)
        wait_for(lambda: room(d).get("videoFrames", 0) > before + 30, 30, what="frames at the room after the reconnection")
        wait_for(lambda: driver.find_element(By.ID, "etat").text == connected, 15, what="the page back in the call")

        # The specialist sends a link to the usager (over the call's data channel): the room shows it.
        driver.find_element(By.ID, "texte").send_keys("https://www.impots.gouv.fr/ <b>")
        driver.find_element(By.CSS_SELECTOR, "#message button").click()
        wait_for(lambda: "https://www.impots.gouv.fr/ &lt;b&gt;" in d.get("/salle/visio")[1].decode(), 10, what="the message on the room's screen")

        # The console and the room's screen show the call; the room's screen passes axe.
        assert "En communication" in d.get("/console/visio")[1].decode()
        viewer = chromium()
        try:
            viewer.get(d.url("/salle/visio"))
            assert "Terminer l’appel" in viewer.page_source
            assert serious_violations(viewer) == []
        finally:
            viewer.quit()

        # The room hangs up: both sides end.
        assert d.form_post("/salle/visio/raccrocher", {})[0] in (302, 303)
        wait_for(lambda: driver.find_element(By.ID, "fin").is_displayed(), 10, what="the page to end the call")
        assert not room(d).get("waiting") and "videoFrames" not in room(d)
        wait_for(lambda: calls(d) and calls(d)[-1][4] == "room-hung-up", 10, what="the call's record")

        # Again, and the specialist hangs up this time.
        join_and_admit(d, driver, booking, token)
        driver.find_element(By.ID, "raccrocher").click()
        wait_for(lambda: not room(d).get("waiting"), 10, what="the room to end the call")
        wait_for(lambda: calls(d)[-1][4] == "specialist-hung-up", 10, what="the call's record")
        records = calls(d)
        assert len(records) == 2 and all(r[0] == booking["id"] and r[1] == "dgfip" or r[1] for r in records)
        assert all(r[3] >= r[2] for r in records)

        # What the administrator's Prometheus reads: both calls, their setup, the network's figures.
        metrics = d.get("/metrics")[1].decode()
        def sample(series):
            found = re.search("^" + re.escape(series) + r" (\S+)$", metrics, re.M)
            return float(found.group(1)) if found else None
        assert sample('guichet_visio_calls_total{outcome="room-hung-up"}') == 1, metrics
        assert sample('guichet_visio_calls_total{outcome="specialist-hung-up"}') == 1
        assert sample("guichet_visio_setup_seconds_count") == 2 and 0 < sample("guichet_visio_setup_seconds_sum") < 60
        assert sample("guichet_visio_call_duration_seconds_count") == 2
        assert sample("guichet_visio_round_trip_seconds_count") >= 1 and sample("guichet_visio_packet_loss_ratio_count") >= 1
        assert token not in metrics and booking["id"] not in metrics
    finally:
        driver.quit()


def test_a_call_cancelled_midway_stays_on_the_console_and_a_stop_tells_the_page(visio):
    d, booking, token = visio
    driver = chromium(*FAKE_DEVICES)
    try:
        join_and_admit(d, driver, booking, token)
        # The booking is cancelled during the call: the live call is still listed, and hung up from there.
        assert d.json("POST", f"/api/v1/bookings/{booking['id']}/cancel")[0] == 200
        html = d.get("/console/visio")[1].decode()
        assert "En communication" in html and "annulé pendant l’appel" in html and f"/console/visio/{booking['id']}/hang-up" in html
        # The server stops (the room on the same machine): the page says the call has ended and why.
        assert d.stop() == 0
        wait_for(lambda: driver.find_element(By.ID, "fin").is_displayed(), 10, what="the page to say the call ended")
        assert "serveur de la structure s’est arrêté" in driver.find_element(By.ID, "fin-raison").text  # the server's words
        # It stays there: no reconnection loop behind the message.
        sockets = driver.execute_script("return window.sockets.length")
        assert not wait_for(lambda: driver.execute_script("return window.sockets.length") > sockets, timeout=5, interval=0.5)
    finally:
        driver.quit()


def solid_camera(path, y, u, v, width=640, height=480):
    """A fake camera of one colour (Chromium plays a .y4m file as its camera): a second
    client's picture that can be recognised wherever the room puts it."""
    frame = b"FRAME\n" + bytes([y]) * (width * height) + bytes([u]) * (width * height // 4) + bytes([v]) * (width * height // 4)
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode() + frame * 10)
    return str(path)


# The colour of the received picture at a point given as fractions of its size.
PIXEL = """
const v = document.getElementById('distant');
if (!v.videoWidth) return null;
const c = document.createElement('canvas');
c.width = v.videoWidth; c.height = v.videoHeight;
const g = c.getContext('2d');
g.drawImage(v, 0, 0);
return Array.from(g.getImageData(Math.floor(arguments[0] * c.width), Math.floor(arguments[1] * c.height), 1, 1).data.slice(0, 3));
"""


def looks(driver, x, y):
    """'red', 'blue' or 'dark' at that point of the picture the page receives."""
    rgb = driver.execute_script(PIXEL, x, y)
    if not rgb:
        return None
    r, g, b = rgb
    return "red" if r > 150 and g < 90 and b < 90 else "blue" if b > 150 and r < 90 and g < 90 else "dark" if max(rgb) < 60 else str(rgb)


def guest_token(d, booking):
    with sqlite3.connect(d.db) as db:
        row = db.execute("SELECT token FROM visioGuest WHERE booking = ?", (booking["id"],)).fetchone()
    return row and row[0]


def test_an_invited_participant_sees_and_is_seen_by_the_room_and_the_specialist(visio, tmp_path):
    """A third participant: the specialist is in the call alone, the agent invites an
    interpreter, who joins by their own link. Each remote page receives the room's picture with
    the other's inset (the specialist's camera is red, the interpreter's blue), and the room
    receives both; frames counted in each direction."""
    d, booking, token = visio
    red = solid_camera(tmp_path / "red.y4m", 81, 90, 240)
    blue = solid_camera(tmp_path / "blue.y4m", 41, 240, 110)
    specialist = chromium(*FAKE_DEVICES, f"--use-file-for-fake-video-capture={red}")
    interpreter = None
    try:
        join_and_admit(d, specialist, booking, token)
        # Alone: the room's picture, no inset.
        assert looks(specialist, 0.81, 0.81) == "dark"

        assert d.form_post(f"/console/visio/{booking['id']}/invite", {"_csrf": d.csrf()})[0] in (302, 303)
        guest = guest_token(d, booking)
        html = d.get("/console/visio")[1].decode()
        assert f"/visio/{guest}" in html and "Participant invité" in html and token != guest
        interpreter = chromium(*FAKE_DEVICES, f"--use-file-for-fake-video-capture={blue}")
        interpreter.get(d.url(f"/visio/{guest}"))
        assert page_text(interpreter, "visioGuestHint") in interpreter.find_element(By.ID, "contenu").text
        wait_for(lambda: interpreter.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="the interpreter's devices check")
        assert serious_violations(interpreter) == []
        interpreter.find_element(By.ID, "rejoindre").click()
        wait_for(lambda: "admit-guest" in d.get("/console/visio")[1].decode(), 10, what="the interpreter in the waiting room")
        # The specialist's call is not disturbed by the one waiting.
        assert room(d).get("admitted") and "guest" not in room(d)
        assert d.form_post(f"/console/visio/{booking['id']}/admit-guest", {"_csrf": d.csrf()})[0] in (302, 303)

        # Every direction: the room receives both, each page receives the room with the other inset.
        wait_for(lambda: room(d).get("guest", {}).get("videoFrames", 0) > 30 and room(d)["guest"].get("audioBuffers", 0) > 10, 30,
                 what=lambda: f"the interpreter's frames at the room (its state: {room(d)})")
        before = room(d).get("videoFrames", 0)
        wait_for(lambda: room(d).get("videoFrames", 0) > before + 30, 30, what="the specialist's frames at the room, still")
        wait_for(lambda: page_frames(interpreter) > 30, 30, what="frames in the interpreter's page")
        wait_for(lambda: looks(interpreter, 0.81, 0.81) == "red", 20, what="the specialist's picture inset on the interpreter's page")
        wait_for(lambda: looks(specialist, 0.81, 0.81) == "blue", 20, what="the interpreter's picture inset on the specialist's page")
        assert looks(specialist, 0.3, 0.3) == "dark" and looks(interpreter, 0.3, 0.3) == "dark"  # the room's picture around
        frames = page_frames(specialist)
        wait_for(lambda: page_frames(specialist) > frames + 30, 10, what="the specialist's page still receiving")
        html = d.get("/console/visio")[1].decode()
        assert html.count("En communication") == 2
        # One record for the visio: the specialist's.
        assert len(calls(d)) == 1

        # The invitation withdrawn: the interpreter's call ends, the specialist's goes on, without the inset.
        assert d.form_post(f"/console/visio/{booking['id']}/withdraw", {"_csrf": d.csrf()})[0] in (302, 303)
        wait_for(lambda: interpreter.find_element(By.ID, "fin").is_displayed(), 10, what="the interpreter's page to end")
        wait_for(lambda: looks(specialist, 0.81, 0.81) == "dark", 10, what="the inset gone")
        assert socket_status(d, guest) != 101 and "guest" not in room(d)
        frames = page_frames(specialist)
        wait_for(lambda: page_frames(specialist) > frames + 30, 10, what="the specialist's call going on")
        assert d.form_post("/salle/visio/raccrocher", {})[0] in (302, 303)
        wait_for(lambda: specialist.find_element(By.ID, "fin").is_displayed(), 10, what="the specialist's page to end")
    finally:
        specialist.quit()
        if interpreter:
            interpreter.quit()


# Run before the page's scripts: this browser lists H.264 first, as Safari does.
PREFERS_H264 = """
const original = RTCRtpReceiver.getCapabilities.bind(RTCRtpReceiver);
RTCRtpReceiver.getCapabilities = (kind) => {
  const caps = original(kind);
  if (kind === 'video') caps.codecs.sort((a, b) => (b.mimeType === 'video/H264') - (a.mimeType === 'video/H264'));
  return caps;
};
"""
VIDEO_CODECS = """
const stats = await window.visioPeer.getStats();
const codecs = {};
stats.forEach((s) => { if (s.type === 'codec') codecs[s.id] = s.mimeType; });
const out = {};
stats.forEach((s) => { if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && s.kind === 'video') out[s.type] = codecs[s.codecId]; });
return out;
"""


def test_a_browser_that_prefers_h264_gets_h264_both_ways(visio):
    d, booking, token = visio
    driver = chromium(*FAKE_DEVICES)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PREFERS_H264})
        join_and_admit(d, driver, booking, token)
        codecs = driver.execute_script("return (async () => {" + VIDEO_CODECS + "})()")
        # The room's H.264 decoded by Chromium, and Chromium's H.264 decoded by the room's engine.
        assert codecs == {"inbound-rtp": "video/H264", "outbound-rtp": "video/H264"}, codecs
        before = room(d)["videoFrames"]
        wait_for(lambda: room(d)["videoFrames"] > before + 30 and page_frames(driver) > 60, 15, what="H.264 frames both ways")
        driver.find_element(By.ID, "raccrocher").click()
        wait_for(lambda: not room(d).get("waiting"), 10, what="the call to end")
    finally:
        driver.quit()
    # Chromium's own order (VP8 first) gets VP8 on the next call.
    driver = chromium(*FAKE_DEVICES)
    try:
        join_and_admit(d, driver, booking, token)
        codecs = driver.execute_script("return (async () => {" + VIDEO_CODECS + "})()")
        assert codecs == {"inbound-rtp": "video/VP8", "outbound-rtp": "video/VP8"}, codecs
    finally:
        driver.quit()


def admitted_socket(d, booking, token):
    """A specialist's connection admitted by the agent: the room's engine has made its offer."""
    ws = websocket.create_connection(d.url(f"/visio/{token}/ws").replace("http", "ws", 1), timeout=15)
    assert json.loads(ws.recv())["type"] == "waiting"
    assert d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})[0] in (302, 303)
    types = [json.loads(ws.recv())["type"] for _ in range(2)]
    assert types == ["admitted", "offer"], types
    return ws


def test_stopping_the_daemon_ends_the_call_and_a_kill_is_recorded_at_restart(visio):
    d, booking, token = visio
    ws = admitted_socket(d, booking, token)
    closed = []

    def read_until_closed():  # a specialist's browser reads, and answers the closing handshake
        try:
            while True:
                ws.recv()
        except websocket.WebSocketException:
            closed.append(True)

    threading.Thread(target=read_until_closed, daemon=True).start()
    wait_for(lambda: calls(d), 10, what="the call's record")
    started = time.time()
    # A client that never reads cannot hold the stop beyond the daemon's 10-second bound.
    assert d.stop() == 0 and time.time() - started < 5
    wait_for(lambda: closed, 5, what="the specialist's connection to close")
    assert calls(d)[-1][4] == "daemon-stopped" and calls(d)[-1][3] is not None
    ws.close()

    d.start()
    ws = admitted_socket(d, booking, token)
    wait_for(lambda: len(calls(d)) == 2, 10, what="the second call's record")
    d.stop(signal.SIGKILL)
    assert calls(d)[-1][3] is None  # the kill left it open
    d.start()
    wait_for(lambda: calls(d)[-1][4] == "interrupted", 10, what="the record closed at restart")
    with sqlite3.connect(d.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
