"""The agents' console in real headless Chromium: a day's work end to end, and axe-core on
every page. Needs Debian's chromium and chromium-driver (scripts/setup.sh --tests)."""
import datetime, signal, tempfile
from zoneinfo import ZoneInfo

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import chromium, serious_violations
from conftest import Daemon

AGENT = ("camille", "un mot de passe d'agent")
PARIS = ZoneInfo("Europe/Paris")


def next_tuesday_morning():
    """08:30 Paris on the next Tuesday: the demo's Caf permanence opens at 09:00."""
    today = datetime.datetime.now(PARIS).date()
    days = (1 - today.weekday()) % 7 or 7
    day = today + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=PARIS)


@pytest.fixture(scope="module")
def office():
    with tempfile.TemporaryDirectory(prefix="guichet-ui-") as data:
        d = Daemon(data)
        d.clock_offset = int((next_tuesday_morning() - datetime.datetime.now(PARIS)).total_seconds())
        d.start()
        d.add_agent(*AGENT)
        yield d
        d.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def click_and_load(browser, element):
    """Clicks a submit button and waits until the next page has replaced this one. Chromium
    may say the old page's node "does not belong to the document" instead of stale: the same."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        try:
            page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise
    WebDriverWait(browser, 15).until(replaced)


def sign_in(browser, daemon, login, password):
    browser.delete_all_cookies()
    browser.get(daemon.url("/console/sign-in"))
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert browser.current_url.endswith("/console"), browser.page_source[:500]


def notice(browser):
    return browser.find_element(By.CSS_SELECTOR, ".notice").text


def test_a_day_at_the_front_desk(office, browser):
    sign_in(browser, office, *AGENT)

    # Book a usager into the Caf permanence.
    browser.get(office.url("/console/book"))
    Select(browser.find_element(By.ID, "partner")).select_by_value("caf")
    click_and_load(browser, browser.find_element(By.XPATH, "//button[contains(., 'Voir les créneaux')]"))
    first = browser.find_element(By.CSS_SELECTOR, "input[name=slot]")
    assert "09:00" in first.find_element(By.XPATH, "..").text
    first.click()
    browser.find_element(By.ID, "name").send_keys("Awa Diallo")
    click_and_load(browser, browser.find_element(By.XPATH, "//button[contains(., 'Réserver')]"))
    assert notice(browser) == "Rendez-vous enregistré."
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Awa Diallo')]]")
    assert "Attendu" in row.text

    # She arrives.
    click_and_load(browser, row.find_element(By.XPATH, ".//button[contains(., 'Arrivé')]"))
    assert notice(browser) == "Arrivée enregistrée."
    assert "Arrivé" in browser.find_element(By.XPATH, "//tr[td[contains(., 'Awa Diallo')]]").text

    # The visit is recorded; the case needs the Caf referent.
    browser.get(office.url("/console/contacts/new"))
    browser.find_element(By.CSS_SELECTOR, "input[name=partners][value=caf]").click()
    browser.find_element(By.ID, "reason").send_keys("Prime d’activité suspendue")
    browser.find_element(By.CSS_SELECTOR, "input[name=outcome][value=referred]").click()
    click_and_load(browser, browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer la visite')]"))
    assert notice(browser) == "Visite enregistrée."
    assert Select(browser.find_element(By.ID, "referent")).first_selected_option.get_attribute("value") == "ref-caf"
    browser.find_element(By.ID, "subject").send_keys("Prime d’activité suspendue depuis deux mois, pièces fournies")
    browser.find_element(By.ID, "usager").send_keys("Awa Diallo")
    click_and_load(browser, browser.find_element(By.XPATH, "//button[contains(., 'Envoyer')]"))
    assert notice(browser) == "Orientation envoyée."
    assert "Aucune orientation en retard" in browser.find_element(By.ID, "retard").find_element(By.XPATH, "..").text

    # Three working days later, with no answer, it is overdue.
    office.stop()
    office.clock_offset += 4 * 86400
    office.start()
    sign_in(browser, office, *AGENT)
    assert "Orientations à échéance" in browser.page_source
    browser.get(office.url("/console/referrals"))
    overdue = browser.find_element(By.ID, "retard").find_element(By.XPATH, "..")
    assert "Awa Diallo" in overdue.text and "En retard" in overdue.text


PAGES = ["/console", "/console/week", "/console/book?partner=caf", "/console/book?with=agent", "/console/contacts/new", "/console/permanences",
         "/console/referrals", "/console/mandates", "/console/hours", "/console/agents"]


def test_every_console_page_passes_axe(office, browser):
    from conftest import MANAGER
    browser.delete_all_cookies()
    browser.get(office.url("/console/sign-in"))
    assert serious_violations(browser) == []
    sign_in(browser, office, *MANAGER)
    for path in PAGES:
        browser.get(office.url(path))
        assert serious_violations(browser) == [], path


def test_every_console_page_and_the_report_reflow_at_320_px(office, browser):
    """Field audit: console tables and the HTML report scrolled the whole page sideways. A wide
    table now scrolls inside its own labelled, focusable region; nothing else overflows."""
    from conftest import MANAGER
    from test_station import overflowing
    browser.delete_all_cookies()
    browser.get(office.url("/console/sign-in"))
    sign_in(browser, office, *MANAGER)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": False})
    try:
        for path in PAGES + ["/console/reports/rapport.html?period=2026-Q3"]:
            browser.get(office.url(path))
            width, viewport, bad = overflowing(browser)
            assert width <= viewport and bad == [], (path, width, viewport, bad)
            for table in browser.find_elements(By.TAG_NAME, "table"):
                region = table.find_element(By.XPATH, "..")
                assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0", path
                assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby"), path
            assert serious_violations(browser) == [], path
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
