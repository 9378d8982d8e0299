"""Reports end to end: data recorded through the console over HTTP, `guichet report` CSV read
back by Python's csv module against the columns documented in README.md, and the HTML report
screenshotted by headless Chromium and checked by axe-core."""
import csv, datetime, re, subprocess, tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

from browser import chromium, serious_violations, sign_in
from conftest import BINARY, MANAGER, ROOT

README = ROOT / "README.md"


def documented_columns():
    """The `| file | columns |` table of README.md's Reports section."""
    text = README.read_text()
    section = text[text.index("## Reports"):]
    rows = re.findall(r"^\| `([a-z0-9-]+\.csv)` \| ([^|]+) \|$", section, re.M)
    return {name: [c.strip() for c in cols.split(",")] for name, cols in rows}


def record_visit(daemon, csrf, partners, outcome, channel="walk-in"):
    fields = [("_csrf", csrf), ("reason", "Démarche en ligne"), ("channel", channel), ("outcome", outcome)] + [("partners", p) for p in partners]
    status, body = daemon.form_post("/console/contacts", fields)
    assert status == 303, body[:300]


def current_quarter():
    today = datetime.datetime.now(ZoneInfo("Europe/Paris")).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_csv_columns_match_the_readme_and_figures_are_right(daemon):
    csrf = daemon.csrf()
    record_visit(daemon, csrf, ["caf"], "resolved")
    record_visit(daemon, csrf, ["caf", "dgfip"], "referred", channel="phone")
    record_visit(daemon, csrf, ["cpam"], "appointment")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BINARY, "report", "--period", current_quarter(), "--format", "csv", "--out", out,
                        "--config", str(ROOT / "config/guichet.json"), "--data", str(daemon.data)], check=True, capture_output=True)
        expected = documented_columns()
        written = sorted(p.name for p in Path(out).glob("*.csv"))
        assert written == sorted(expected), (written, sorted(expected))
        tables = {}
        for name, columns in expected.items():
            with open(Path(out) / name, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f, strict=True))
            assert rows[0] == columns, name
            assert all(len(r) == len(columns) for r in rows), name
            tables[name] = [dict(zip(columns, r)) for r in rows[1:]]
    summary = {r["indicateur"]: r["valeur"] for r in tables["synthese.csv"]}
    assert summary["visites"] == "3"
    assert summary["visites_resolues_sur_place"] == "0.333"
    partners = {r["partenaire_id"]: int(r["visites"]) for r in tables["demandes-par-partenaire.csv"]}
    assert partners["caf"] == 2 and partners["dgfip"] == 1 and partners["cpam"] == 1 and partners["msa"] == 0
    assert {r["canal"]: r["visites"] for r in tables["canaux.csv"]} == {"walk-in": "2", "phone": "1", "email": "0"}
    assert sum(int(r["visites"]) for r in tables["frequentation-par-jour.csv"]) == 3


def test_the_html_report_reads_well_and_passes_axe(daemon):
    browser = chromium()
    try:
        sign_in(browser, daemon, *MANAGER)
        for path in [f"/console/reports?period={current_quarter()}", f"/console/reports/rapport.html?period={current_quarter()}", "/console/messages", "/"]:
            browser.get(daemon.url(path))
            assert serious_violations(browser) == [], path
        browser.get(daemon.url(f"/console/reports/rapport.html?period={current_quarter()}"))
        assert browser.find_elements(By.CSS_SELECTOR, "svg[role=img]"), "charts are drawn"
        assert "Synthèse et indicateurs de qualité" in browser.page_source
        shot = Path(tempfile.gettempdir()) / "guichet-report.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        browser.quit()


def test_general_information_french_csv_and_readable_html(daemon):
    """Field test: no way to record a visit with no partner; CSV unreadable by a double-click in a
    French spreadsheet; the HTML report showed column ids, shares as 0.667 and decimal points."""
    csrf = daemon.csrf()
    # A visit for general information: no partner, explicitly.
    status, body = daemon.form_post("/console/contacts", [("_csrf", csrf), ("reason", "Horaires de la mairie"), ("channel", "walk-in"),
                                                          ("outcome", "resolved"), ("general", "1")])
    assert status == 303, body[:300]
    # Nothing ticked at all is still refused, and changes nothing.
    status, body = daemon.form_post("/console/contacts", [("_csrf", csrf), ("reason", "Oubli"), ("channel", "walk-in"), ("outcome", "resolved")])
    assert status == 422 and "Information générale" in body.decode()
    record_visit(daemon, csrf, ["caf"], "referred")
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([BINARY, "report", "--period", current_quarter(), "--format", "csv", "--csv-dialect", "excel-fr", "--out", out,
                               "--config", str(ROOT / "config/guichet.json"), "--data", str(daemon.data)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        raw = (Path(out) / "synthese.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"\r\n" in raw
        with open(Path(out) / "synthese.csv", newline="", encoding="utf-8-sig") as f:
            summary = {r[0]: r[2] for r in csv.reader(f, delimiter=";", strict=True)}
        assert summary["visites"] == "2" and summary["visites_resolues_sur_place"] == "0,500", summary
        assert re.fullmatch(r"\d+,\d\d", summary["heures_ouverture_hebdo"]), summary
        with open(Path(out) / "demandes-par-partenaire.csv", newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter=";", strict=True))
        general = [r for r in rows if r[1].startswith("Information générale")]
        assert general == [["", "Information générale (sans partenaire)", "1"]], rows
    # The console serves the same dialect.
    code, body = daemon.get(f"/console/reports/synthese.csv?period={current_quarter()}&dialect=excel-fr")
    assert code == 200 and body.startswith(b"\xef\xbb\xbf") and b"visites;" in body
    # The HTML report: French headings, shares in per cent, decimal commas.
    code, body = daemon.get(f"/console/reports/rapport.html?period={current_quarter()}")
    page = body.decode()
    assert "<th scope=\"col\">Visiteurs des services en ligne Caf</th>" in page and "visiteurs_services_caf</th>" not in page
    assert "50,0\u202f%" in page  # visits resolved on the spot: 1 of 2
    assert re.search(r"<td( class=\"n\")?>\d+,\d\d</td>", page)  # weekly hours with a decimal comma
    assert "0.500" not in page
    # The console's summary reads the same way.
    code, body = daemon.get(f"/console/reports?period={current_quarter()}")
    assert code == 200 and "50,0\u202f%" in body.decode() and "0.500" not in body.decode()
