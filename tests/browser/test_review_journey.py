"""
A Ukrainian translator saves a machine translation of a row; readers see it
marked; a second translator reviews it, and the mark is gone.
"""

import json
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

# Two translators of Ukrainian, and the first row of the comparison's form that Ukrainian translates.
SETUP = f"""
import json
from django.contrib.auth.models import Group, User
from comparisons.models import Comparison
for name in ("iryna", "bohdan"):
    user = User.objects.create_user(name, password="{PASSWORD}", is_staff=True)
    user.groups.add(Group.objects.get(name="translator (uk)"))
comparison = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
rows = list(comparison.rows.all())
index = next(i for i, row in enumerate(rows) if row.original_language != "uk")
print(json.dumps({{"pk": comparison.pk, "index": index}}))
"""
PAGE = "/uk/bpo-vs-call-centre/"
MACHINE_TEXT = "Машинний переклад клітинки без змін."


def sign_in(page, base, name):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.get_by_role("link", name="Translation work")).to_be_visible()


def test_a_machine_translated_row_is_marked_until_a_second_translator_reviews_it(site, page):
    made = subprocess.run(
        [*site["manage"], "shell", "-c", SETUP], env=site["env"], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    setup = json.loads(made.stdout.strip().splitlines()[-1])
    base, index = site["url"], setup["index"]
    form = f"{base}/admin/comparisons/comparison/{setup['pk']}/change/"

    sign_in(page, base, "iryna")
    page.goto(form)
    page.locator(f"textarea[name=rows-{index}-first_value_uk]").fill(MACHINE_TEXT)
    page.select_option("select[name=translation_origin]", "machine")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    # Its translator is not offered its review.
    page.goto(form)
    expect(
        page.locator(f"input[name=rows-{index}-reviewed_translations][value=first_value_uk]")
    ).to_have_count(0)

    page.goto(f"{base}{PAGE}")
    cell = page.locator("td", has_text=MACHINE_TEXT)
    expect(cell.locator("[data-translation-origin=machine]")).to_have_count(1)
    expect(cell.locator(".machine-note")).to_contain_text("Машинний переклад, ще не перевірений.")
    expect(cell.locator(".machine-note a")).to_have_attribute("hreflang", re.compile("^(en|de)$"))

    sign_in(page, base, "bohdan")
    page.get_by_role("link", name="Translation work").click()
    expect(page.locator("a.translation-link[href*='review=first_value_uk']").first).to_be_visible()
    page.goto(form)
    page.locator(f"input[name=rows-{index}-reviewed_translations][value=first_value_uk]").check()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_have_count(1)

    page.goto(f"{base}{PAGE}")
    cell = page.locator("td", has_text=MACHINE_TEXT)
    expect(cell).to_have_count(1)
    expect(cell.locator(".machine-note")).to_have_count(0)
    expect(cell.locator("[data-translation-origin]")).to_have_count(0)
