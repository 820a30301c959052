"""A reader's journeys through the real site in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser


def test_reader_opens_a_comparison_and_switches_language(site, page):
    page.goto(f"{site['url']}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Difference between BPO and KPO").first.click()
    expect(page).to_have_url(re.compile(r"/en/bpo-vs-kpo/$"))
    expect(page.locator("h1")).to_have_text("Difference between BPO and KPO")

    page.get_by_role("link", name="Українська").click()
    expect(page).to_have_url(re.compile(r"/uk/bpo-vs-kpo/$"))
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("h1")).to_have_text("Різниця між BPO та KPO")
    expect(page.locator("table.comparison-table tbody tr")).to_have_count(7)

    page.get_by_role("link", name="Deutsch").click()
    expect(page).to_have_url(re.compile(r"/de/bpo-vs-kpo/$"))
    expect(page.locator("h1")).to_have_text("Unterschied zwischen BPO und KPO")

    # The explicit choice is remembered: the bare address now opens German.
    page.goto(f"{site['url']}/")
    expect(page).to_have_url(re.compile(r"/de/$"))


def test_reader_searches_and_follows_a_result(site, page):
    page.goto(f"{site['url']}/uk/")
    page.get_by_label("Пошук у базі знань").fill("ЗНАНЬ")
    page.get_by_role("button", name="Шукати").click()
    expect(page).to_have_url(re.compile(r"/uk/poshuk/\?q="))
    marks = page.locator("mark")
    expect(marks.first).to_be_visible()
    assert {text.lower() for text in marks.all_inner_texts()} == {"знань"}
    first_result = page.locator(".results a").first
    target = first_result.get_attribute("href")
    first_result.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("main")).to_contain_text(re.compile("знань", re.IGNORECASE))


def test_table_fits_a_360px_phone_without_horizontal_scrolling(site, phone):
    phone.goto(f"{site['url']}/en/bpo-vs-kpo/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"
    table = phone.locator("table.comparison-table").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 360
    # Each value is labelled with its category once the header row is hidden.
    label = phone.evaluate(
        "getComputedStyle(document.querySelector('.comparison-table td'), '::before').content"
    )
    assert "BPO" in label


def test_reader_compares_three_categories_in_ukrainian(site, page):
    page.goto(f"{site['url']}/uk/")
    page.get_by_role("navigation", name="Головне меню").get_by_role(
        "link", name="Порівняти категорії"
    ).click()
    page.get_by_label("Перша").select_option("ito")
    page.get_by_label("Друга").select_option("bpo")
    page.get_by_label("Третя (необов’язково)").select_option("kpo")
    page.get_by_role("button", name="Порівняти").click()
    # One address per set, whatever order the reader picked them in.
    expect(page).to_have_url(re.compile(r"/uk/bpo-vs-kpo-vs-ito/$"))
    expect(page.locator("h1")).to_have_text("Порівняння BPO, KPO та ITO")
    expect(page.locator(".comparison-table").first.locator("thead th")).to_have_text(
        ["Критерій", "BPO", "KPO", "ITO"]
    )
    # What the sources say of some of the three only is folded; opened, it shows every row.
    folded = page.locator("details.said-of-some")
    folded.locator(":scope > summary").click()
    same_or_one = folded.locator("tr.no-difference").first
    different = folded.locator("tbody tr:not(.no-difference)").first
    expect(same_or_one).to_be_visible()
    expect(different).to_be_visible()
    # Differences only: rows that cannot show one hide, without a script or a new address.
    page.get_by_label("Показувати лише відмінності").check()
    expect(same_or_one).to_be_hidden()
    expect(different).to_be_visible()
    expect(page).to_have_url(re.compile(r"/uk/bpo-vs-kpo-vs-ito/$"))
    page.get_by_label("Показувати лише відмінності").uncheck()
    expect(same_or_one).to_be_visible()
    # A row's label opens what the attribute means, in place, and leads on to the glossary.
    explanation = (
        page.locator(".comparison-table").first.locator("details.explanation").filter(has_text="Повна назва")
    )
    expect(
        explanation.get_by_text(
            "Повна англійська назва, яку позначає абревіатура, та її український відповідник."
        )
    ).to_be_hidden()
    explanation.locator(":scope > summary").click()
    expect(
        explanation.get_by_text(
            "Повна англійська назва, яку позначає абревіатура, та її український відповідник."
        )
    ).to_be_visible()
    expect(explanation.get_by_text("Пояснення редакції.")).to_be_visible()
    explanation.get_by_role("link", name="Усі критерії в глосарії").click()
    expect(page).to_have_url(re.compile(r"/uk/hlosarii/#attribute-stands-for$"))
    expect(page.locator("#attribute-stands-for")).to_be_in_viewport()


def test_a_table_of_four_shows_as_cards_on_a_360px_phone(site, phone):
    phone.goto(f"{site['url']}/de/bpo-vs-kpo-vs-ito-vs-call-centre/")
    expect(phone.locator("h1")).to_have_text("BPO, KPO, ITO und Callcenter im Vergleich")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"
    cells = phone.locator(".comparison-table").first.locator("tbody tr").first.locator("td")
    expect(cells).to_have_count(4)
    boxes = [cells.nth(index).bounding_box() for index in range(4)]
    # Cards: each category's value below the last, as wide as the card, labelled with its name.
    assert all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:], strict=False))
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 360 for box in boxes)
    labels = [
        phone.evaluate(
            f"getComputedStyle(document.querySelectorAll('.comparison-table tbody tr')[0]"
            f".querySelectorAll('td')[{index}], '::before').content"
        )
        for index in range(4)
    ]
    assert labels == ['"BPO"', '"KPO"', '"ITO"', '"Callcenter"']


def test_source_of_a_row_opens_in_place(site, page):
    page.goto(f"{site['url']}/en/bpo-vs-kpo/")
    details = page.locator("table.comparison-table details.source").first
    details.locator("summary").click()
    expect(details.locator("cite")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/en/bpo-vs-kpo/$"))


def test_static_files_are_hashed_compressed_and_cached_for_long(site, page):
    response = page.goto(f"{site['url']}/en/")
    css = page.locator('link[rel="stylesheet"]').get_attribute("href")
    assert css.startswith("/static/css/site.") and css.endswith(".css") and css != "/static/css/site.css"
    response = page.request.get(f"{site['url']}{css}", headers={"Accept-Encoding": "gzip"})
    assert response.ok
    assert "max-age=315360000" in response.headers["cache-control"]
    assert response.headers.get("content-encoding") == "gzip"


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/uk/bpo-vs-kpo/",
        "/de/bpo-vs-call-centre/",
        "/en/kpo-vs-ito/",
        "/uk/bpo-vs-kpo-vs-ito/",
        "/de/bpo-vs-kpo-vs-ito-vs-call-centre/",
        "/de/glossar/",
        "/uk/",
        "/de/vergleichen/",
        "/uk/poshuk/?q=bpo",
        "/de/kategorien/contact-centre/",
        "/uk/porivniannia/",
        "/de/kategorien/",
        "/en/no-such-page/",
    ],
)
def test_pages_have_no_serious_accessibility_violations(site, page, path):
    page.goto(f"{site['url']}{path}")
    assert serious_violations(page) == []


def test_no_request_leaves_the_site(site, page):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{site['url']}/en/bpo-vs-kpo/")
    page.wait_for_load_state("networkidle")
    assert hosts == {site["url"].split("/")[2]}


def viewport(browser, width):
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["en", "uk", "de"])
def test_the_header_keeps_its_rows_and_the_every_pair_matrix_shows_every_column(
    site, browser, language, width
):
    """
    The languages stand beside the site's name (at 1280 px the German links
    pushed them onto a line of their own), and the matrix of pairs shows its
    last column, or a shadow at the edge where it scrolls.
    """
    page = viewport(browser, width)
    try:
        page.goto(f"{site['url']}/{language}/")
        page.get_by_role(
            "navigation", name={"en": "Main", "uk": "Головне меню", "de": "Hauptmenü"}[language]
        ).get_by_role("link").nth(1).click()
        expect(page.locator(".matrix")).to_be_visible()
        name, languages = (
            page.locator(selector).bounding_box() for selector in (".site-name", "nav.languages")
        )
        if width >= 1280:
            assert languages["y"] == name["y"], "the language links wrapped onto a line of their own"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the screen"
        region = page.locator(".matrix-scroll")
        last_column = page.locator(".matrix thead th").last.bounding_box()
        box = region.bounding_box()
        fits = last_column["x"] + last_column["width"] <= box["x"] + box["width"] + 1
        scrolls = region.evaluate("element => element.scrollWidth > element.clientWidth")
        assert fits or scrolls
        if width < 1280:
            assert fits, "six categories fit across a phone"
    finally:
        page.context.close()
