"""Every attribute explained: where its label heads a row, and in the glossary."""

import html as html_module
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from comparisons.models import Attribute, Source
from tests.helpers import LANGUAGES, change, url

GLOSSARY = {"en": "/en/glossary/", "uk": "/uk/hlosarii/", "de": "/de/glossar/"}
EDITORIAL = {
    "en": "Explanation by the editors.",
    "uk": "Пояснення редакції.",
    "de": "Erläuterung der Redaktion.",
}


def explanations(html):
    """{label: (description, the rest of the explanation)} of each row's explained label."""
    found = re.findall(
        r'<details class="explanation"><summary><span[^>]*>([^<]+)</span>.*?</summary>\s*'
        r'<div class="explanation-text"><p[^>]*>([^<]+)</p>(.*?)</div></details>',
        html,
        re.S,
    )
    return {label: (description, rest) for label, description, rest in found}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "page",
    [
        ("comparison_detail", {"first": "bpo", "second": "kpo"}),  # written
        ("comparison_detail", {"first": "kpo", "second": "ito"}),  # generated
        ("comparison_of_many", {"slugs": ["bpo", "kpo", "ito"]}),
    ],
    ids=["written", "generated", "three"],
)
def test_every_row_label_opens_its_explanation_in_the_readers_language(client, db, language, page):
    name, kwargs = page
    html = client.get(url(name, language, **kwargs)).content.decode()
    rows = re.findall(r'<th scope="row">', html)
    found = explanations(html)
    # Every row's label, each attribute once.
    assert len(found) == html.count('<details class="explanation">') == len(rows) > 0
    for attribute in Attribute.objects.filter(is_published=True):
        label = getattr(attribute, f"label_{language}")
        if label in found:
            description, rest = found[label]
            assert html_module.unescape(description) == getattr(attribute, f"description_{language}")
            assert EDITORIAL[language] in rest
            assert f'href="{GLOSSARY[language]}#attribute-{attribute.slug}"' in rest


def test_a_missing_translation_of_an_explanation_shows_the_english_one_visibly(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(Attribute.objects.filter(slug="stands-for"), description_de="")
    english = Attribute.objects.get(slug="stands-for").description_en
    for path in (url("comparison_detail", "de", first="bpo", second="kpo"), GLOSSARY["de"]):
        html = client.get(path).content.decode()
        assert f'<p lang="en">{english}</p> <small class="fallback-note">' in html, path


def test_an_attribute_without_a_description_shows_its_label_alone(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(
            Attribute.objects.filter(slug="stands-for"),
            description_en="",
            description_uk="",
            description_de="",
        )
    attribute = Attribute.objects.get(slug="stands-for")
    assert attribute.missing_translations("de") == []  # nothing to translate
    html = client.get(url("comparison_detail", "en", first="bpo", second="kpo")).content.decode()
    assert '<th scope="row"><span>Stands for</span>' in html
    glossary = client.get(GLOSSARY["en"]).content.decode()
    assert 'id="attribute-stands-for">' in glossary and "Not explained yet." in glossary


def test_a_description_is_a_translated_field_like_every_other(db):
    attribute = Attribute.objects.get(slug="focus")
    assert {attribute.translation_status("description", code) for code in LANGUAGES} == {"up-to-date"}
    original = attribute.original_language
    translations = [code for code in LANGUAGES if code != original]
    change(Attribute.objects.filter(slug="focus"), **{f"description_{translations[0]}": ""})
    assert Attribute.objects.missing_in(translations[0]).filter(slug="focus").exists()
    change(Attribute.objects.filter(slug="focus"), **{f"description_{original}": "Reworded."})
    assert (
        Attribute.objects.get(slug="focus").translation_status("description", translations[1]) == "outdated"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_glossary_lists_every_published_attribute_and_category(client, db, language):
    assert url("glossary", language) == GLOSSARY[language]
    html = client.get(GLOSSARY[language]).content.decode()
    attributes = Attribute.objects.filter(is_published=True)
    for attribute in attributes:
        assert (
            f'<dt id="attribute-{attribute.slug}"><span>{getattr(attribute, f"label_{language}")}</span></dt>'
            in html
        )
        assert escape(getattr(attribute, f"description_{language}")) in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["@type"] == "DefinedTermSet" and data["inLanguage"] == language
    terms = data["hasDefinedTerm"]
    assert len(terms) == attributes.count() + 6
    assert terms[0]["url"] == f"http://testserver{GLOSSARY[language]}#attribute-definition"
    assert {term["name"] for term in terms} >= {"BPO", "KPO", "ITO"}
    assert f'href="{url("category_detail", language, slug="bpo")}"' in html
    # Every page links to it.
    assert f'<a href="{GLOSSARY[language]}">' in client.get(url("home", language)).content.decode()


def test_the_glossary_leaves_out_an_unpublished_attribute_and_names_a_defining_source(
    client, db, django_capture_on_commit_callbacks
):
    source = Source.objects.first()
    assert 'id="attribute-equipment"' in client.get(GLOSSARY["en"]).content.decode()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        change(Attribute.objects.filter(slug="equipment"), is_published=False)
        change(Attribute.objects.filter(slug="focus"), description_source=source)
    html = client.get(GLOSSARY["en"]).content.decode()
    assert 'id="attribute-equipment"' not in html
    focus = html[html.index('id="attribute-focus"') :]
    focus = focus[: focus.index("</dd>")]
    assert (
        f"Defined in the source article: <cite>{source.title_en}</cite>, {source.site_en} (article in"
        in focus
    )
    # The source's title changes where the glossary names it.
    with django_capture_on_commit_callbacks(execute=True):
        change(Source.objects.filter(pk=source.pk), title_en="A retitled article")
    assert "<cite>A retitled article</cite>" in client.get(GLOSSARY["en"]).content.decode()


def test_a_changed_description_is_on_every_page_that_shows_it(client, db, django_capture_on_commit_callbacks):
    pages = [GLOSSARY["uk"], url("comparison_detail", "uk", first="bpo", second="kpo"), "/uk/kpo-vs-ito/"]
    for page in pages:
        client.get(page)  # cached
    with django_capture_on_commit_callbacks(execute=True):
        change(Attribute.objects.filter(slug="stands-for"), description_uk="Нове пояснення.")
    for page in pages:
        assert "Нове пояснення." in client.get(page).content.decode(), page


PAGES_OF_STANDS_FOR = ["/en/bpo-vs-kpo/", "/en/kpo-vs-ito/", "/en/bpo-vs-kpo-vs-ito/", GLOSSARY["en"]]


def test_a_source_that_defines_an_attribute_is_named_wherever_the_explanation_is(
    client, db, source, django_capture_on_commit_callbacks
):
    for page in PAGES_OF_STANDS_FOR:
        assert "A test article" not in client.get(page).content.decode()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        change(Attribute.objects.filter(slug="stands-for"), description_source=source)
    for page in PAGES_OF_STANDS_FOR:
        html = client.get(page).content.decode()
        assert "Defined in the source article: <cite>A test article</cite>" in html, page
    with django_capture_on_commit_callbacks(execute=True):
        change(Source.objects.filter(pk=source.pk), title_en="A retitled article")
    for page in PAGES_OF_STANDS_FOR:
        assert "<cite>A retitled article</cite>" in client.get(page).content.decode(), page


def test_a_description_written_only_in_english_is_missing_in_the_other_languages(
    client, db, django_capture_on_commit_callbacks
):
    """Readers see the English text instead: the translators' lists and the page's languages say so."""
    focus = Attribute.objects.get(slug="focus")
    assert focus.original_language != "en"
    with django_capture_on_commit_callbacks(execute=True):
        change(
            Attribute.objects.filter(slug="focus"),
            description_en="Only English.",
            description_uk="",
            description_de="",
        )
    focus.refresh_from_db()
    assert focus.missing_translations("de") == ["description"] and focus.missing_translations("en") == []
    assert list(Attribute.objects.missing_in("uk").values_list("slug", flat=True)) == ["focus"]
    assert focus.translation_status("description", "uk") == "missing"
    html = client.get("/en/bpo-vs-kpo-vs-ito/").content.decode()
    assert re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html) == ["en", "x-default"]


@pytest.mark.parametrize(("text", "refused"), [("y" * 601, "at most 600"), ("   ", "Write a text")])
def test_an_import_refuses_a_description_too_long_or_of_spaces_only(db, tmp_path, text, refused):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    path = tmp_path / "03_attributes.json"
    records = json.loads(path.read_text())
    focus = next(
        r for r in records if r["model"] == "comparisons.attribute" and r["fields"]["slug"] == "focus"
    )
    focus["fields"]["description_de"] = text
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError, match=refused):
        call_command("loadcontent", str(tmp_path), verbosity=0)


def test_a_page_is_not_offered_in_a_language_its_explanations_fall_back_from(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(
            Attribute.objects.filter(slug="stands-for"),
            description_en="Only English.",
            description_uk="",
            description_de="",
        )
    for page in ("/en/bpo-vs-kpo/", "/en/bpo-vs-kpo-vs-ito/", GLOSSARY["en"]):
        html = client.get(page).content.decode()
        assert re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html) == ["en", "x-default"], page


def test_a_description_written_in_any_language_is_to_translate_in_the_others(db):
    attribute = Attribute.objects.get(slug="overseen-by")
    assert attribute.original_language == "en"
    change(
        Attribute.objects.filter(pk=attribute.pk),
        description_en="",
        description_uk="Лише українською.",
        description_de="",
    )
    attribute.refresh_from_db()
    assert [attribute.is_missing("description", code) for code in LANGUAGES] == [True, False, True]
    assert set(Attribute.objects.missing_in("en").values_list("slug", flat=True)) == {"overseen-by"}


def test_a_link_to_an_attributes_entry_by_a_former_slug_still_lands_on_it(
    client, db, editor_client, tmp_path, django_capture_on_commit_callbacks
):
    """An anchor a server never sees: the glossary entry answers to its old ones too, each id once."""
    from comparisons.models import FormerAttributeSlug
    from tests.helpers import change_url, post_change_form

    focus = Attribute.objects.get(slug="focus")
    for slug in ("main-focus", "core-focus"):
        with django_capture_on_commit_callbacks(execute=True):
            assert post_change_form(editor_client, focus, slug=slug).status_code == 302
    html = client.get(url("glossary", "de")).content.decode()
    entry = re.search(r'<dt id="attribute-core-focus">(.*?)</dt>', html).group(1)
    assert (
        '<span id="attribute-focus"></span>' in entry and '<span id="attribute-main-focus"></span>' in entry
    )
    assert "main-focus, focus" not in editor_client.get(change_url(focus)).content.decode()
    assert "focus, main-focus" in editor_client.get(change_url(focus)).content.decode()
    # Another attribute taking an old slug makes it its own anchor, and only its own.
    other = Attribute.objects.published().exclude(pk=focus.pk).first()
    left = other.slug
    with django_capture_on_commit_callbacks(execute=True):
        assert post_change_form(editor_client, other, slug="focus").status_code == 302
    html = client.get(url("glossary", "de")).content.decode()
    assert html.count('id="attribute-focus"') == 1 and '<dt id="attribute-focus">' in html
    assert f'<span id="attribute-{left}"></span>' in html
    expected = {("main-focus", focus.pk), (left, other.pk)}
    assert set(FormerAttributeSlug.objects.values_list("slug", "attribute")) == expected
    # Backups carry them.
    call_command("exportcontent", str(tmp_path), verbosity=0)
    FormerAttributeSlug.objects.all().delete()
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert set(FormerAttributeSlug.objects.values_list("slug", "attribute")) == expected
