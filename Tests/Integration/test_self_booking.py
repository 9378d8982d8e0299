"""A usager books for themselves on the public page, as a person would: in a real Chromium from
the structure's home page, touches counted and every page checked by axe-core; then the code
moves and cancels it, and the agent reads the result in the console. The abuse limits and the
manager's settings are driven over HTTP, each refusal checked to have written nothing."""
import datetime
import html
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

from browser import chromium, serious_violations
from test_notices import notices  # noqa: F401 (the fixture: a daemon whose e-mails go through msmtp)
from test_station import all_files, station_daemon, status
from waiting import wait_for

# A person takes more than the forms' 3-second minimum to read and type; the tests wait as long.
HUMAN_PAUSE = 3.2


def rows(daemon, sql, *args):
    with sqlite3.connect(daemon.db) as db:
        return db.execute(sql, args).fetchall()


def links(body, pattern):
    """The page's links whose href matches `pattern`, unescaped."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.decode()) if re.search(pattern, html.unescape(h))]


def slot_links(daemon, query):
    status, body = daemon.get(f"/rendez-vous?{query}")
    assert status == 200, body[:500]
    return links(body, r"[?&]slot=")


def form_fields(daemon, href):
    """The confirmation form behind a slot link: its action and hidden fields (token included)."""
    status, body = daemon.get(href)
    assert status == 200, body[:500]
    page = body.decode()
    fields = {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)}
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)" class="book"', page).group(1))
    return action, fields


def test_a_usager_books_in_at_most_five_touches_and_the_agent_sees_it(daemon):
    driver = chromium()
    touches = 0
    try:
        driver.get(daemon.url("/"))
        pages = []

        def touch(element):
            nonlocal touches
            touches += 1
            element.click()
            pages.append((driver.current_url, serious_violations(driver)))

        touch(driver.find_element(By.LINK_TEXT, "Prendre rendez-vous") if driver.find_elements(By.LINK_TEXT, "Prendre rendez-vous")
              else driver.find_element(By.CSS_SELECTOR, "a.big[href='/rendez-vous']"))
        touch(driver.find_element(By.PARTIAL_LINK_TEXT, "aide au logement"))
        # One partner offers it online (the Caf's permanence): the choice step is skipped.
        assert "Choisissez un horaire" in driver.page_source, driver.page_source[:3000]
        first_slot = driver.find_element(By.CSS_SELECTOR, "ul.slots a.big")
        assert "choice=permanence:caf" in first_slot.get_attribute("href"), first_slot.get_attribute("href")
        day = driver.find_element(By.ID, "jour").text
        time_text = first_slot.text.split("\n")[0]
        touch(first_slot)
        name = driver.find_element(By.ID, "name")
        assert driver.switch_to.active_element == name, "the name field has the focus: typing needs no touch"
        name.send_keys("Mme Usagère Test")
        time.sleep(HUMAN_PAUSE)
        touch(driver.find_element(By.CSS_SELECTOR, "form.book button[type=submit]"))
        assert touches <= 5
        assert "Votre rendez-vous est réservé" in driver.page_source, driver.page_source[:2000]
        code = driver.find_element(By.CSS_SELECTOR, ".personal-code").text
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
        assert time_text in driver.find_element(By.CSS_SELECTOR, "dd.when").text
        assert "votre numéro d’allocataire" in driver.find_element(By.CSS_SELECTOR, "p.bring").text
        for url, violations in pages:
            assert violations == [], f"{url}: {violations}"
        # The same path in English, and at 200 % zoom, stays usable.
        driver.get(daemon.url("/rendez-vous?lang=en"))
        assert "Book an appointment" in driver.page_source and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert serious_violations(driver) == []
        driver.set_window_size(640, 1000)
        driver.get(daemon.url(f"/rendez-vous/{code.replace('-', '')}"))
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert serious_violations(driver) == []
    finally:
        driver.quit()

    # Written as any booking, under the self channel, with no contact kept.
    booked = rows(daemon, "SELECT b.id, b.usagerName, b.usagerPhone, b.usagerEmail, b.partner, b.startsAt FROM booking b JOIN selfBooking s ON s.booking = b.id")
    assert len(booked) == 1 and booked[0][1] == "Mme Usagère Test" and booked[0][2] is None and booked[0][3] is None and booked[0][4] == "caf"
    # The agent reads it where they plan the week.
    date = time.strftime("%Y-%m-%d", time.localtime(booked[0][5]))
    status, week = daemon.get(f"/console/week?date={date}")
    assert status == 200 and "Mme Usagère Test" in week.decode(), day
    status, metrics = daemon.get("/metrics")
    assert 'guichet_bookings_created_total{channel="self"} 1' in metrics.decode()


def test_the_code_moves_and_cancels_and_abuse_is_refused_without_a_trace(daemon):
    slots = slot_links(daemon, "lang=fr&situation=declare-taxes")
    assert len(slots) >= 3, "the demo's Friday visio slots of the Finances publiques"
    forms = [form_fields(daemon, href) for href in slots[:4]]
    taken = form_fields(daemon, slots[0])
    honeypot = form_fields(daemon, slots[1])
    time.sleep(HUMAN_PAUSE)
    phone = {"name": "M. Robert", "consent": "on", "phone": "06 11 22 33 44"}

    # A robot filling the hidden field, or a token used twice, writes nothing.
    action, fields = honeypot
    status, _ = daemon.form_post(action, {**fields, **phone, "website": "http://spam"}, with_session=False)
    assert status == 403
    action, fields = forms[0]
    status, _ = daemon.form_post(action, {**fields, **phone}, with_session=False)
    assert status == 303
    status, body = daemon.form_post(action, {**fields, **phone}, with_session=False)
    assert status == 403 and "expiré" in body.decode()
    assert len(rows(daemon, "SELECT * FROM selfBooking")) == 1

    # A contact holds at most two future bookings; written +33, the same phone is the same person.
    action, fields = forms[1]
    status, _ = daemon.form_post(action, {**fields, **phone}, with_session=False)
    assert status == 303
    action, fields = forms[2]
    status, body = daemon.form_post(action, {**fields, **phone, "phone": "+33 6 11 22 33 44"}, with_session=False)
    assert status == 409 and "deux rendez-vous" in body.decode()
    # The slot someone else took: the agents' conflict.
    action, fields = taken
    status, body = daemon.form_post(action, {**fields, "name": "Mme Autre"}, with_session=False)
    assert status == 409 and "vient d’être pris" in html.unescape(body.decode()).replace("'", "’")
    assert len(rows(daemon, "SELECT * FROM selfBooking")) == 2

    # The code opens it; it moves to another slot (same booking, sequence 1), then is cancelled.
    code = rows(daemon, "SELECT s.code FROM selfBooking s JOIN booking b ON b.id = s.booking ORDER BY b.startsAt LIMIT 1")[0][0]
    booking_id, before = rows(daemon, "SELECT booking, (SELECT startsAt FROM booking WHERE id = booking) FROM selfBooking WHERE code = ?", code)[0]
    status, page = daemon.get(f"/rendez-vous/{code[:4].lower()}-{code[4:].lower()}")
    assert status == 200 and "M. Robert" in page.decode()
    move_slots = slot_links(daemon, f"lang=fr&deplacer={code}")
    free = [h for h in move_slots if h not in slots[:2]]
    action, fields = form_fields(daemon, free[-1])
    assert action == f"/rendez-vous/{code}/deplacer"
    time.sleep(HUMAN_PAUSE)
    status, _ = daemon.form_post(action, fields, with_session=False)
    assert status == 303
    after = rows(daemon, "SELECT id, startsAt, sequence, usagerName FROM booking WHERE id = ?", booking_id)[0]
    assert after[1] != before and after[2] == 1 and after[3] == "M. Robert"
    status, page = daemon.get(f"/rendez-vous/{code}")
    token = re.search(r'name="token" value="([^"]+)"', page.decode()).group(1)
    time.sleep(HUMAN_PAUSE)
    status, _ = daemon.form_post(f"/rendez-vous/{code}/annuler", {"token": token, "lang": "fr"}, with_session=False)
    assert status == 303
    assert rows(daemon, "SELECT status FROM booking WHERE id = ?", booking_id)[0][0] == "cancelled"
    status, page = daemon.get(f"/rendez-vous/{code}?fait=annule")
    assert "Ce rendez-vous est annulé" in page.decode() and "Annuler le rendez-vous" not in page.decode()
    # An unknown or malformed code opens nothing.
    assert daemon.get("/rendez-vous/ZZZZZZZZ")[0] == 404
    assert daemon.get("/rendez-vous/..%2F..%2Fetc")[0] == 404


def test_the_managers_settings_open_and_close_it(daemon):
    # Refused settings change nothing.
    status, body = daemon.form_post("/console/rendez-vous-en-ligne", {"_csrf": daemon.csrf(), "enabled": "on", "partner": "caf", "kind": "permanence", "horizonDays": "400", "minimumNoticeHours": "24"})
    assert status == 422 and "92" in body.decode()
    assert rows(daemon, "SELECT horizonDays FROM selfBookingSettings")[0][0] == 28
    href = slot_links(daemon, "lang=fr&situation=housing-allowance")[0]
    action, fields = form_fields(daemon, href)
    status, _ = daemon.form_post("/console/rendez-vous-en-ligne", {"_csrf": daemon.csrf(), "partner": "caf", "kind": "permanence", "horizonDays": "28", "minimumNoticeHours": "24"})
    assert status == 303
    status, page = daemon.get("/rendez-vous")
    assert "n’est pas ouverte" in page.decode()
    status, home = daemon.get("/")
    assert 'href="/rendez-vous"' not in home.decode()
    # A form opened before the manager closed it is refused at the write.
    time.sleep(HUMAN_PAUSE)
    status, body = daemon.form_post(action, {**fields, "name": "Mme Tard"}, with_session=False)
    assert status == 422 and "ne se réserve pas en ligne" in body.decode()
    assert rows(daemon, "SELECT count(*) FROM booking")[0][0] == 0


def test_the_confirmation_and_the_move_reach_the_usager_with_the_code(notices):
    d, capture = notices
    slots = slot_links(d, "lang=fr&situation=declare-taxes")
    first, later = form_fields(d, slots[0]), None
    time.sleep(HUMAN_PAUSE)
    action, fields = first
    status, _ = d.form_post(action, {**fields, "name": "Mme Leroy", "consent": "on", "email": "leroy@example.org"}, with_session=False)
    assert status == 303
    code = rows(d, "SELECT code FROM selfBooking")[0][0]
    wait_for(lambda: capture.of_kind("confirmé"), 20, what="the confirmation")
    recipients, confirmation = capture.messages[0]
    assert recipients == ["leroy@example.org"]
    text = confirmation.get_body(("plain",)).get_content()
    assert f"Votre code personnel : {code[:4]}-{code[4:]}" in text and "en visio" in text, text
    # Moved with the code: one notice of the move, same calendar event, higher sequence.
    action, fields = form_fields(d, slot_links(d, f"lang=fr&deplacer={code}")[-1])
    time.sleep(HUMAN_PAUSE)
    status, _ = d.form_post(action, fields, with_session=False)
    assert status == 303
    wait_for(lambda: capture.of_kind("déplacé"), 20, what="the notice of the move")
    moved = capture.of_kind("déplacé")[0]
    assert code[:4] in moved.get_body(("plain",)).get_content()
    assert len(capture.of_kind("confirmé")) == 1


def test_at_the_station_the_usager_books_prints_the_slip_within_the_cap_and_the_wipe_leaves_nothing():
    import io
    from pypdf import PdfReader
    with station_daemon() as (d, _):
        # The welcome screen's "Prendre rendez-vous" starts the session at the booking's first step.
        token = status(d)["next"]
        request = urllib.request.Request(d.url("/kiosk/poste-1/commencer"), method="POST", data=urllib.parse.urlencode(
            {"_k": token, "suite": "prendre-rendez-vous"}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": d._cookies("/kiosk/", console=False)})
        try:
            d.open(request, follow=False)
            raise AssertionError("no redirect")
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 303 and redirect.headers["Location"].endswith("/kiosk/poste-1/prendre-rendez-vous"), redirect.headers
        session = status(d)["session"]
        status_code, home = d.get("/kiosk/poste-1/accueil")
        assert status_code == 200 and "/kiosk/poste-1/prendre-rendez-vous" in home.decode()
        status_code, page = d.get("/kiosk/poste-1/prendre-rendez-vous")
        assert status_code == 200, page[:500]
        status_code, page = d.get(links(page, r"situation=housing-allowance")[0])
        slot = links(page, r"[?&]slot=")[0]
        status_code, page = d.get(slot)
        form = page.decode()
        fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        assert fields["_k"] == session
        # Only the session's own forms book: another id is refused and writes nothing.
        assert d.form_post("/kiosk/poste-1/prendre-rendez-vous", {**fields, "_k": "autre", "name": "Intrus"}, with_session=False)[0] == 403
        assert rows(d, "SELECT count(*) FROM booking")[0][0] == 0
        status_code, done = d.form_post("/kiosk/poste-1/prendre-rendez-vous", {**fields, "name": "M. Kiosque"}, with_session=False)
        text = html.unescape(done.decode())
        assert status_code == 200 and "Votre rendez-vous est réservé" in text, text[:2000]
        code = re.search(r'class="personal-code"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})<', text).group(1)
        booked = rows(d, "SELECT b.usagerName, b.usagerPhone, b.usagerEmail, s.contact, b.startsAt FROM booking b JOIN selfBooking s ON s.booking = b.id")
        assert booked[0][:4] == ("M. Kiosque", None, None, None)
        slip = re.search(r'name="name" value="(rendez-vous-[A-Z0-9]{8}\.pdf)"', text).group(1)

        # Printed through the station's CUPS queue, one page off the session's cap.
        before = status(d)["pagesLeft"]
        assert d.form_post("/kiosk/poste-1/imprimer", {"_k": session, "kind": "downloads", "name": slip}, with_session=False)[0] == 303
        # The capture backend creates its file before it has written it: wait for the whole PDF.
        def printed_pdf():
            outputs = d.cups.outputs()
            data = outputs[0].read_bytes() if len(outputs) == 1 else b""
            return data if data.rstrip().endswith(b"%%EOF") else None
        assert wait_for(printed_pdf, 30), d.cups.log()
        printed = PdfReader(io.BytesIO(printed_pdf()))
        assert len(printed.pages) == 1
        words = printed.pages[0].extract_text()
        local = datetime.datetime.fromtimestamp(booked[0][4], ZoneInfo("Europe/Paris")).strftime("%H:%M")
        assert code in words and local in words and "Caf" in words and "Votre rendez-vous" in words, words
        assert "numéro d’allocataire" in words, "the Caf's own list of what to bring (config partners[].bring)"
        assert status(d)["pagesLeft"] == before - 1
        # The agent sees it; the session's end wipes the slip with everything else.
        assert d.form_post("/kiosk/poste-1/fin", {"_k": session}, with_session=False)[0] == 303
        assert wait_for(lambda: not [p for p in all_files(d) if p.name == slip], 30)
        date = time.strftime("%Y-%m-%d", time.localtime(booked[0][4]))
        assert "M. Kiosque" in d.get(f"/console/week?date={date}")[1].decode()
