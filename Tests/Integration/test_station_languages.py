"""Every usager can use the station (issue 19): its nine languages (Arabic right to left,
easy-to-read French) each axe-core clean and reflowing at 320 px; its voice — espeak-ng on the
station, measured by sox — for every screen of every language, triggered by the page in real
Chromium, never saying what the usager typed; a whole session by keyboard alone (Tab, Enter),
every control saying its label; the session's language on the console and in the report."""
import csv, io, json, os, sqlite3, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import chromium
from conftest import ROOT
from test_reports_chromium import current_quarter
from test_station import check_axe, overflowing, station, status  # noqa: F401 (the fixture)
from waiting import wait_for

LANGUAGES = json.loads((ROOT / "config/guichet.json").read_text())["kiosk"]["languages"]
STRINGS = {code: json.loads((ROOT / f"kiosk/strings/{code}.json").read_text()) for code in LANGUAGES}
PAGES = ("accueil", "demarches", "demarches/having-baby", "imprimer", "numeriser", "rendez-vous", "prendre-rendez-vous", "terminer")
# Where the screenshots the issue asks for are left (CI prints the path).
OUTPUT = Path(os.environ.get("GUICHET_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"


def speaking_browser():
    # As the station's managed policy allows its own pages (AutoplayAllowlist).
    return chromium("--autoplay-policy=no-user-gesture-required")


def start(driver, d):
    driver.get(d.url(d.ticket_path()))
    driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
    assert wait_for(lambda: driver.current_url.endswith("/accueil"))


def clean(text):
    return " ".join(text.split())


def test_nine_languages_axe_clean_mirrored_for_arabic_and_reflowing_at_320_px(station):
    assert LANGUAGES == ["fr", "falc", "en", "ar", "es", "pt", "tr", "ro", "uk"]
    d = station
    OUTPUT.mkdir(parents=True, exist_ok=True)
    driver = chromium()
    try:
        driver.get(d.url(d.ticket_path()))
        for lang in LANGUAGES:
            driver.get(d.url(f"/kiosk/poste-1/?lang={lang}"))
            html = driver.find_element(By.TAG_NAME, "html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == (STRINGS[lang]["lang"], "rtl" if lang == "ar" else "ltr")
            # Chosen by its own name, written in its own language, from the welcome screen.
            names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.languages a")]
            assert names == [STRINGS[c]["languageName"] for c in LANGUAGES]
            assert driver.find_element(By.CSS_SELECTOR, "footer .help").text.strip() == STRINGS[lang]["callAgent"]
            assert driver.find_element(By.ID, "ecouter").text.strip() == STRINGS[lang]["listen"]
            check_axe(driver, f"welcome in {lang}")
            if lang in ("ar", "falc"):
                driver.save_screenshot(str(OUTPUT / f"station-welcome-{lang}.png"))
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 320, "height": 256, "deviceScaleFactor": 1, "mobile": False})
            driver.get(d.url("/kiosk/poste-1/"))
            page_width, viewport, bad = overflowing(driver)
            assert page_width <= viewport and bad == [], (lang, "welcome", page_width, viewport, bad)
            check_axe(driver, f"welcome in {lang} at 320 px")
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
        assert wait_for(lambda: driver.current_url.endswith("/accueil"))
        for lang in LANGUAGES:
            driver.get(d.url(f"/kiosk/poste-1/accueil?lang={lang}"))
            # Mirrored: in Arabic "Appeler un agent" is on the right of "Terminer", elsewhere on its left.
            help_x = driver.find_element(By.CSS_SELECTOR, "footer .help").rect["x"]
            end_x = driver.find_element(By.CSS_SELECTOR, "footer a.end").rect["x"]
            assert (help_x > end_x) == (lang == "ar"), (lang, help_x, end_x)
            if lang in ("ar", "falc"):
                driver.get(d.url("/kiosk/poste-1/imprimer"))
                driver.save_screenshot(str(OUTPUT / f"station-print-{lang}.png"))
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 320, "height": 256, "deviceScaleFactor": 1, "mobile": False})
            for page in PAGES:
                driver.get(d.url(f"/kiosk/poste-1/{page}"))
                assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == STRINGS[lang]["lang"]
                page_width, viewport, bad = overflowing(driver)
                assert page_width <= viewport and bad == [], (lang, page, page_width, viewport, bad)
                check_axe(driver, f"{page} in {lang} at 320 px")
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    finally:
        driver.quit()
    shots = sorted(OUTPUT.glob("station-*.png"))
    assert len(shots) == 4 and all(p.stat().st_size > 10_000 for p in shots)
    print(f"\nscreenshots (Arabic, easy-to-read French): {', '.join(str(p) for p in shots)}", file=sys.__stderr__)


def speech(d, lang, text):
    """(status, WAV bytes) of the station's voice for one text."""
    query = urllib.parse.urlencode({"lang": lang, "text": text}, quote_via=urllib.parse.quote)  # as the page: %20
    try:
        with urllib.request.urlopen(d.url(f"/kiosk/poste-1/parole?{query}"), timeout=30) as r:
            assert r.headers["Content-Type"] == "audio/wav"
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def seconds(wav, folder):
    """The duration sox reads from the WAV."""
    path = Path(folder) / "speech.wav"
    path.write_bytes(wav)
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


def test_every_screen_of_every_language_is_spoken_at_a_plausible_length(station, tmp_path):
    d = station
    driver = chromium()
    said, refused = {}, set()
    try:
        start(driver, d)
        for lang in LANGUAGES:
            driver.get(d.url(f"/kiosk/poste-1/accueil?lang={lang}"))
            for page in ("", *PAGES):
                driver.get(d.url(f"/kiosk/poste-1/{page}"))
                items = driver.execute_script("return window.guichetSpeech.screen()")
                assert items, (lang, page)
                texts = {clean(v).rstrip(" :") for v in STRINGS[lang].values()}
                title = clean(driver.find_element(By.TAG_NAME, "h1").text)
                spoken = []
                for item in items:
                    key = (item["lang"], item["text"])
                    if key not in said and key not in refused:
                        code, wav = speech(d, *key)
                        if code == 200:
                            said[key] = seconds(wav, tmp_path)
                        else:
                            assert code == 404, (key, code)
                            refused.add(key)
                    if key in said:
                        spoken.append(item["text"])
                    # A text of the station's own strings is always said.
                    assert key in said or item["text"].rstrip(" :") not in texts, (lang, page, key)
                # Its title first, then what is on the screen (the title of a life situation is French).
                assert spoken and spoken[0] == title, (lang, page, spoken[:3], title)
    finally:
        driver.quit()
    for (lang, text), duration in said.items():
        if len(text) >= 12:
            # Between 4 and 30 characters a second: a voice, neither silence nor a click.
            assert 4 <= len(text) / duration <= 30, (lang, text, duration)
        else:
            assert 0.2 <= duration <= 4, (lang, text, duration)
    voices = {lang for lang, _ in said}
    assert voices >= {STRINGS[c]["lang"] for c in LANGUAGES}, voices
    print(f"\nspeech: {len(said)} texts said in {len(voices)} voices, {sum(said.values()):.0f} s in all; "
          f"{len(refused)} composite texts left silent", file=sys.__stderr__)


def test_the_page_speaks_but_never_what_the_usager_typed_nor_a_file_name(station):
    d = station
    driver = speaking_browser()
    try:
        driver.get(d.url(d.ticket_path()))
        driver.find_element(By.ID, "ecouter").click()
        welcome = STRINGS["fr"]["welcomeText"]
        assert wait_for(lambda: welcome in driver.execute_script("return window.guichetSpeech.played"), timeout=20)
        played = driver.execute_script("return window.guichetSpeech.played")
        assert played[0] == "Bienvenue", played
        assert driver.find_element(By.ID, "ecouter").get_attribute("aria-pressed") == "true"
        driver.find_element(By.ID, "ecouter").click()   # "Arrêter la lecture"
        assert driver.find_element(By.ID, "ecouter").get_attribute("aria-pressed") == "false"
        assert driver.execute_script("return document.querySelector('audio, video') === null")

        driver.get(d.url("/kiosk/poste-1/?lang=ar"))
        driver.find_element(By.ID, "ecouter").click()
        assert wait_for(lambda: STRINGS["ar"]["welcomeTitle"] in driver.execute_script("return window.guichetSpeech.played"), timeout=20)

        # Held for a second, a button says its label instead of acting.
        driver.get(d.url("/kiosk/poste-1/?lang=fr"))
        before = driver.current_url
        ActionChains(driver).click_and_hold(driver.find_element(By.CSS_SELECTOR, "form.book-start button")).pause(1.5).release().perform()
        assert wait_for(lambda: STRINGS["fr"]["tileBook"] in driver.execute_script("return window.guichetSpeech.played"), timeout=10)
        time.sleep(0.5)
        assert driver.current_url == before and status(d)["state"] == "idle"

        driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
        assert wait_for(lambda: driver.current_url.endswith("/accueil"))
        session = driver.find_element(By.TAG_NAME, "body").get_attribute("data-session")
        downloads = d.data / "stations/poste-1/sessions" / session / "downloads"
        (downloads / "Jeanne-Martin-avis-imposition.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        driver.get(d.url("/kiosk/poste-1/imprimer"))
        assert "Jeanne-Martin" in driver.find_element(By.TAG_NAME, "main").text
        screen = [i["text"] for i in driver.execute_script("return window.guichetSpeech.screen()")]
        assert STRINGS["fr"]["printTitle"] in screen and not any("Jeanne" in t for t in screen), screen
        driver.get(d.url("/kiosk/poste-1/rendez-vous"))
        driver.find_element(By.ID, "nom").send_keys("Jeanne Martin")
        screen = [i["text"] for i in driver.execute_script("return window.guichetSpeech.screen()")]
        assert STRINGS["fr"]["appointmentName"] in screen and not any("Jeanne" in t for t in screen), screen
    finally:
        driver.quit()
    # Whatever a page asks, the station's voice refuses what it does not show by itself.
    for text in ("Jeanne-Martin-avis-imposition.pdf", "Jeanne Martin", "06 12 34 56 78"):
        assert speech(d, "fr", text)[0] == 404
    assert speech(d, "fr", STRINGS["fr"]["start"])[0] == 200


def focused_label(driver):
    return driver.execute_script("const e = document.activeElement;"
                                 "const text = e && e.labels && e.labels.length ? e.labels[0].textContent : e && e !== document.body ? e.textContent : '';"
                                 "return text.replace(/\\s+/g, ' ').trim()")


def tab_to(driver, wanted, limit=60):
    """Tab (a keyboard, or a switch device's 'next') until the focused control's label starts
    with `wanted`; each control reached says its label."""
    for _ in range(limit):
        before = driver.execute_script("return window.guichetSpeech.played.length")
        ActionChains(driver).send_keys(Keys.TAB).perform()
        label = focused_label(driver)
        if label:
            assert wait_for(lambda: any(t in label for t in driver.execute_script("return window.guichetSpeech.played")[before:]), timeout=10), \
                (label, driver.execute_script("return window.guichetSpeech.played"))
        if label.startswith(wanted):
            return
    raise AssertionError(f"{wanted!r} not reached by Tab")


def enter(driver):
    ActionChains(driver).send_keys(Keys.ENTER).perform()


def test_a_whole_session_by_tab_and_enter_alone_hearing_each_control(station):
    d = station
    t = STRINGS["fr"]
    driver = speaking_browser()
    try:
        driver.get(d.url(d.ticket_path()))
        tab_to(driver, t["start"])
        enter(driver)
        assert wait_for(lambda: driver.current_url.endswith("/accueil"), ignoring=WebDriverException)
        tab_to(driver, t["tileScan"])
        enter(driver)
        assert wait_for(lambda: driver.current_url.endswith("/numeriser"), ignoring=WebDriverException)
        # The feeder is the first choice; Enter moves to "on the glass" (one page, within the cap).
        tab_to(driver, t["sourceFeeder"])
        enter(driver)
        assert driver.execute_script("return document.activeElement.value") == "flatbed"
        assert wait_for(lambda: t["sourceFlatbed"] in driver.execute_script("return window.guichetSpeech.played"), timeout=10)
        tab_to(driver, t["scanButton"])
        enter(driver)
        assert wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".notice"), timeout=60, ignoring=WebDriverException)
        tab_to(driver, t["tilePrint"])
        enter(driver)
        assert wait_for(lambda: driver.current_url.endswith("/imprimer"), ignoring=WebDriverException)
        tab_to(driver, t["printButton"])
        enter(driver)
        assert wait_for(lambda: t["printSent"] in driver.find_element(By.TAG_NAME, "main").text, timeout=30, ignoring=WebDriverException), \
            (driver.current_url, driver.find_element(By.TAG_NAME, "main").text, focused_label(driver))
        assert wait_for(lambda: len(d.cups.outputs()) == 1)
        tab_to(driver, t["end"])
        enter(driver)
        assert wait_for(lambda: driver.current_url.endswith("/terminer"), ignoring=WebDriverException)
        tab_to(driver, t["endSkip"])
        enter(driver)
        assert wait_for(lambda: status(d)["state"] == "idle", timeout=30)
    finally:
        driver.quit()


def test_the_sessions_language_reaches_the_agents_console_and_the_report(station):
    d = station
    driver = chromium()
    try:
        driver.get(d.url(d.ticket_path()))
        driver.get(d.url("/kiosk/poste-1/?lang=uk"))
        driver.find_element(By.CSS_SELECTOR, "form[action$='commencer'] button").click()
        assert wait_for(lambda: driver.current_url.endswith("/accueil"))
        driver.find_element(By.CSS_SELECTOR, "footer .help").click()
        assert wait_for(lambda: STRINGS["uk"]["helpComing"] in driver.find_element(By.TAG_NAME, "main").text, ignoring=WebDriverException)
    finally:
        driver.quit()
    # The agent reads, where the agent reads it, what language to greet the usager in.
    status_code, body = d.get("/console")
    assert status_code == 200 and "écran en ukrainien" in body.decode(), body.decode()[:2000]
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT language FROM stationSession").fetchall() == [("uk",)]
    code, body = d.get(f"/console/reports/postes-par-langue.csv?period={current_quarter()}")
    assert code == 200, body[:300]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["uk", "ukrainien", "1"] in [r[:3] for r in rows], rows


def test_the_inactivity_warning_says_itself_its_countdown_and_how_to_continue(station):
    d = station
    t = STRINGS["es"]
    driver = speaking_browser()
    try:
        start(driver, d)
        driver.get(d.url("/kiosk/poste-1/accueil?lang=es"))

        def played():
            return driver.execute_script("return window.guichetSpeech.played")
        assert wait_for(lambda: driver.find_element(By.ID, "avertissement").is_displayed(), timeout=50)
        assert wait_for(lambda: t["warningContinueHint"] in played(), timeout=30), (played(), [e["message"][:300] for e in driver.get_log("browser") if "favicon" not in e["message"]])
        said = played()
        assert said[:2] == [t["warningTitle"], t["warningText"]] and said[3] == t["warningSeconds"], said
        assert said[2].isdigit() and int(said[2]) >= 10, said
        # Ten seconds before the end, the countdown again.
        assert wait_for(lambda: played()[-2:] == ["10", t["warningSeconds"]], timeout=30), played()
    finally:
        driver.quit()


@pytest.mark.parametrize("lang, heading, day_words", [
    ("es", "Su cita", ("lunes", "martes", "miércoles", "jueves", "viernes")),
    # Helvetica's WinAnsiEncoding has no Cyrillic: the slip is the counter's French, not "?".
    ("uk", "Votre rendez-vous", ("lundi", "mardi", "mercredi", "jeudi", "vendredi")),
])
def test_the_station_slip_is_in_the_usagers_language_or_french_when_the_font_cannot_carry_it(station, lang, heading, day_words):
    import html, io, re
    from pypdf import PdfReader
    from test_self_booking import links
    from test_station import start_session
    d = station
    session = start_session(d)
    code, page = d.get(f"/kiosk/poste-1/prendre-rendez-vous?lang={lang}")
    assert code == 200, page[:300]
    code, page = d.get(links(page, r"situation=housing-allowance")[0] + f"&lang={lang}")
    code, page = d.get(links(page, r"[?&]slot=")[0] + f"&lang={lang}")
    fields = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page.decode())}
    code, done = d.form_post(f"/kiosk/poste-1/prendre-rendez-vous?lang={lang}", {**fields, "name": "M. Kiosque"}, with_session=False)
    text = html.unescape(done.decode())
    assert code == 200 and STRINGS[lang]["bookDone"] in text, text[:1500]
    slip = re.search(r'name="name" value="(rendez-vous-[A-Z0-9]{8}\.pdf)"', text).group(1)
    words = PdfReader(io.BytesIO((d.data / "stations/poste-1/sessions" / session / "downloads" / slip).read_bytes())).pages[0].extract_text()
    # One question mark, the one of "Need help? Call us:" — none standing for a letter the font lacks.
    assert heading in words and words.count("?") == 1 and any(w in words.lower() for w in day_words), words
