"""Headless Chromium through chromedriver, and axe-core (4.4, shipped by the PyPI package
axe-core-python), for the UI tests."""
import json

from axe_core_python.base import AXE_SCRIPT
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from waiting import wait_for

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def chromium(*extra):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr-FR", *extra):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(60)
    return driver


def serious_violations(driver):
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page, as readable lines."""
    driver.execute_script(AXE_SCRIPT)
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {json.dumps(WCAG_21_AA)}).then(r => done(r.violations)).catch(e => done([{{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}}]));")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results if v["impact"] in ("serious", "critical")]


def sign_in(driver, daemon, login, password):
    """Signs in through the console's form, as a person would, and waits for the console."""
    driver.get(daemon.url("/console/sign-in"))
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: driver.current_url.endswith("/console"), what=lambda: driver.page_source[:300])
