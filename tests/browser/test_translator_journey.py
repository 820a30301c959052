"""A Ukrainian translator fixes an outdated translation, and readers see it."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

SETUP = f"""
from django.contrib.auth.models import Group, User
from comparisons.models import Comparison
user = User.objects.create_user("olena", password="{PASSWORD}", is_staff=True)
user.groups.add(Group.objects.get(name="translator (uk)"))
comparison = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
comparison.conclusion_de = comparison.conclusion_de + " Dieser Satz ist neu."
comparison.save()
"""


def test_translator_fixes_an_outdated_field_from_the_dashboard(site, page):
    subprocess.run([*site["manage"], "shell", "-c", SETUP], env=site["env"], check=True, capture_output=True)
    base = site["url"]
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "olena")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Translation work").click()

    link = page.locator("a.translation-link[href*='translate=conclusion_uk']")
    expect(link).to_have_count(1)
    link.click()
    field = page.locator("textarea[name=conclusion_uk]")
    expect(field).to_have_class(re.compile(r"\btranslation-todo\b"))
    # The original (German) text stands beside the field, with the field's status.
    expect(page.locator("#id_conclusion_uk_helptext")).to_contain_text("Dieser Satz ist neu.")
    # Other languages and the structure are not editable for this translator.
    expect(page.locator("textarea[name=conclusion_de]")).to_have_count(0)
    expect(page.locator("select[name=first]")).to_have_count(0)

    field.fill(field.input_value() + " Це речення нове.")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_have_count(1)

    page.goto(f"{base}/admin/translations/")
    expect(page.locator("a.translation-link[href*='translate=conclusion_uk']")).to_have_count(0)

    page.goto(f"{base}/uk/bpo-vs-call-centre/")
    expect(page.locator("main")).to_contain_text("Це речення нове.")
    expect(page.locator(".outdated-note")).to_have_count(0)
    page.goto(f"{base}/en/bpo-vs-call-centre/")
    expect(page.locator(".outdated-note")).to_have_count(1)  # the English conclusion is still behind
