"""
An editor drafts a change to a live comparison and a new row, previews it in
Ukrainian, a Ukrainian translator fills the row's Ukrainian text in the
draft, the editor publishes, and a reader sees it all in both languages.
"""

import json
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import keep_screenshot
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

PAGE = "bpo-vs-call-centre"
SETUP = f"""
import json
from django.contrib.auth.models import Group, User
from comparisons.models import Attribute, Comparison
for name, group in (("marta", "editor"), ("oksana", "translator (uk)")):
    user = User.objects.create_user(name, password="{PASSWORD}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
comparison = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
attribute = Attribute.objects.exclude(rows__comparison=comparison).order_by("pk").first()
print(json.dumps({{"attribute": attribute.pk, "source": comparison.sources.first().pk}}))
"""
KEY_DIFFERENCE_EN = "A drafted sentence for readers."
KEY_DIFFERENCE_UK = "Чернеткове речення для читачів."
ROW_EN = ("Handled by the drafted first side", "Handled by the drafted second side")
ROW_UK = ("Виконує перша сторона з чернетки", "Виконує друга сторона з чернетки")


def sign_in(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def fill_in_language(page, field_id, text):
    """modeltranslation shows each language of a field in a tab of its own: open it, then type."""
    page.click(f"a[href='#tab_{field_id}']")
    page.fill(f"#{field_id}", text)


def test_editor_drafts_previews_translator_translates_editor_publishes(site, browser):
    found = subprocess.run(
        [*site["manage"], "shell", "-c", SETUP], env=site["env"], check=True, capture_output=True, text=True
    )
    ids = json.loads(found.stdout.strip().splitlines()[-1])
    base = site["url"]

    # The editor changes the key difference in English and Ukrainian and adds a row, as a draft.
    editor = sign_in(browser, base, "marta")
    editor.goto(f"{base}/admin/comparisons/comparison/")
    editor.get_by_role("link", name="BPO vs Call centre").click()
    original_en = editor.locator("#id_key_difference_en").input_value()
    original_uk = editor.locator("#id_key_difference_uk").input_value()
    fill_in_language(editor, "id_key_difference_en", f"{original_en} {KEY_DIFFERENCE_EN}")
    fill_in_language(editor, "id_key_difference_uk", f"{original_uk} {KEY_DIFFERENCE_UK}")
    index = int(editor.locator("input[name=rows-TOTAL_FORMS]").input_value())
    editor.locator("#rows-group .add-row a").click()
    row = f"id_rows-{index}"
    expect(editor.locator(f"#{row}-attribute")).to_be_visible()
    editor.select_option(f"#{row}-attribute", str(ids["attribute"]))
    editor.select_option(f"#{row}-source", str(ids["source"]))
    fill_in_language(editor, f"{row}-first_value_en", ROW_EN[0])
    fill_in_language(editor, f"{row}-second_value_en", ROW_EN[1])
    editor.click("input[name=_draft]")
    expect(editor.locator(".messagelist .success")).to_contain_text("The draft was saved")
    expect(editor.locator(".draft-notice")).to_contain_text("Unpublished changes by marta")

    # Readers still see the published page.
    reader = browser.new_page()
    reader.goto(f"{base}/en/{PAGE}/")
    expect(reader.locator("main")).not_to_contain_text(KEY_DIFFERENCE_EN)
    expect(reader.locator("main")).not_to_contain_text(ROW_EN[0])

    # The preview in Ukrainian: the new text, and the new row in English until it is translated.
    editor.locator(".draft-notice .preview-links a[hreflang=uk]").click()
    expect(editor.locator("html")).to_have_attribute("lang", "uk")
    expect(editor.locator(".preview-banner")).to_be_visible()
    expect(editor.locator("meta[name=robots]")).to_have_attribute("content", "noindex, nofollow")
    expect(editor.locator("main")).to_contain_text(KEY_DIFFERENCE_UK)
    new_row = editor.locator("table.comparison-table tbody tr", has_text=ROW_EN[0])
    expect(new_row).to_have_count(1)
    expect(new_row.locator(".fallback-note").first).to_be_visible()
    keep_screenshot(editor, site["screenshots"] / "preview-uk.png")
    # The switcher stays in the preview.
    editor.locator(".languages a[hreflang=de]").click()
    expect(editor.locator("html")).to_have_attribute("lang", "de")
    expect(editor.locator(".preview-banner")).to_be_visible()
    keep_screenshot(editor, site["screenshots"] / "preview-de.png")
    editor.locator(".languages a[hreflang=en]").click()
    expect(editor.locator("main")).to_contain_text(KEY_DIFFERENCE_EN)
    keep_screenshot(editor, site["screenshots"] / "preview-en.png")

    # The Ukrainian translator finds the draft's new row on the dashboard and translates it in the draft.
    translator = sign_in(browser, base, "oksana")
    translator.get_by_role("link", name="Translation work").click()
    drafted = translator.locator("table.draft-work a.translation-link")
    expect(drafted).to_have_count(2)
    drafted.first.click()
    fields = [
        translator.locator(f"textarea[name=rows-{index}-{side}_value_uk]") for side in ("first", "second")
    ]
    for field, text in zip(fields, ROW_UK, strict=True):
        field.fill(text)
    translator.click("input[name=_continue]")
    expect(translator.locator(".messagelist .success")).to_contain_text("The draft was saved")
    expect(translator.locator("input[name=_publish]")).to_have_count(0)  # translators never publish
    reader.goto(f"{base}/uk/{PAGE}/")
    expect(reader.locator("main")).not_to_contain_text(ROW_UK[0])

    # The editor publishes.
    editor.goto(f"{base}/admin/comparisons/comparison/")
    editor.get_by_role("link", name="BPO vs Call centre").click()
    expect(editor.locator(".draft-notice")).to_contain_text("oksana")
    editor.click("input[name=_publish]")
    expect(editor.locator(".messagelist .success")).to_contain_text("The draft was published")
    expect(editor.locator(".draft-notice")).to_have_count(0)

    # A reader sees the new text and row in both languages.
    reader.goto(f"{base}/en/{PAGE}/")
    expect(reader.locator("main")).to_contain_text(KEY_DIFFERENCE_EN)
    expect(reader.locator("table.comparison-table tbody tr", has_text=ROW_EN[0])).to_have_count(1)
    reader.goto(f"{base}/uk/{PAGE}/")
    expect(reader.locator("main")).to_contain_text(KEY_DIFFERENCE_UK)
    row_uk = reader.locator("table.comparison-table tbody tr", has_text=ROW_UK[0])
    expect(row_uk).to_have_count(1)
    expect(row_uk).to_contain_text(ROW_UK[1])
    expect(reader.locator("meta[name=robots]")).to_have_count(0)

    # History tells who did what.
    editor.get_by_role("link", name="History").click()
    history = editor.locator("#change-history")
    expect(history).to_contain_text("Draft published")
    expect(history.locator("tr.draft-event", has_text="oksana")).to_have_count(1)
    expect(history).to_contain_text("Published the draft started by marta")
    for context in {translator.context, editor.context, reader.context}:
        context.close()
