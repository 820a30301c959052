"""
A category's slug per language: renamed in one language, its old addresses
there redirect in one step to the new ones, the other languages keep theirs,
every page names each language's own address, and no link leads to a 404.
"""

import json
import re
from collections import deque
from urllib.parse import unquote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from comparisons.checks import check_slugs_join
from comparisons.models import Category, FormerSlug
from tests.helpers import LANGUAGES, editor, post_change_form, sitemap_text, url

GERMAN_SLUG = "geschaeftsprozesse"


def old_addresses(language, slug="bpo"):
    """The addresses naming BPO by ``slug``: its page, a written pair both ways, a generated pair, a set."""
    return {
        "category": url("category_detail", language, slug=slug),
        "written": url("comparison_detail", language, first=slug, second="kpo"),
        "reversed": url("comparison_detail", language, first="kpo", second=slug),
        "generated": url("comparison_detail", language, first=slug, second="ito"),
        "three": url("comparison_of_many", language, slugs=["kpo", slug, "ito"]),
    }


def new_addresses(language, slug):
    """Where each of old_addresses() is now: the written pair in its order, the set in its fixed order."""
    return {
        "category": url("category_detail", language, slug=slug),
        "written": url("comparison_detail", language, first=slug, second="kpo"),
        "reversed": url("comparison_detail", language, first=slug, second="kpo"),
        "generated": url("comparison_detail", language, first=slug, second="ito"),
        "three": url("comparison_of_many", language, slugs=[slug, "kpo", "ito"]),
    }


@pytest.fixture
def renamed_in_german(client, db, django_capture_on_commit_callbacks):
    """BPO's German slug changed in the change form, after every page was cached."""
    for code in LANGUAGES:
        for address in old_addresses(code).values():
            assert client.get(address).status_code in (200, 301)
    bpo = Category.objects.get(slug="bpo")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_change_form(editor("greta"), bpo, slug_de=GERMAN_SLUG).status_code == 302
    bpo.refresh_from_db()
    return bpo


def test_renamed_in_german_the_old_german_addresses_redirect_in_one_step(client, renamed_in_german):
    assert (renamed_in_german.slug_en, renamed_in_german.slug_uk, renamed_in_german.slug_de) == (
        "bpo",
        "bpo",
        GERMAN_SLUG,
    )
    new = new_addresses("de", GERMAN_SLUG)
    for name, address in old_addresses("de").items():
        response = client.get(address)
        assert (response.status_code, response["Location"]) == (301, new[name]), name
        assert client.get(new[name]).status_code == 200, name
    # English and Ukrainian keep their addresses.
    for code in ("en", "uk"):
        for name, address in old_addresses(code).items():
            if name in ("category", "written", "generated"):
                assert client.get(address).status_code == 200, (code, name)
    assert set(FormerSlug.objects.values_list("language", "slug", "category")) == {
        ("de", "bpo", renamed_in_german.pk)
    }


def test_every_page_names_each_languages_own_address(client, renamed_in_german):
    """Canonical, hreflang and the language switcher, on pages cached before the rename too."""
    for name in ("category", "written", "generated", "three"):
        english = new_addresses("en", "bpo")[name]
        german = new_addresses("de", GERMAN_SLUG)[name]
        for page in (english, german):
            html = client.get(page).content.decode()
            assert f'hreflang="de" href="http://testserver{german}"' in html, (name, page)
            assert f'hreflang="en" href="http://testserver{english}"' in html, (name, page)
            assert f'hreflang="x-default" href="http://testserver{english}"' in html, (name, page)
            assert f'<link rel="canonical" href="http://testserver{page}">' in html, (name, page)
        switcher = client.get(english).content.decode()
        assert f"next={german}".replace("/", "%2F") in switcher.replace("/", "%2F"), name


def test_the_sitemaps_name_each_languages_own_address(client, renamed_in_german):
    text = sitemap_text(client)
    german = url("category_detail", "de", slug=GERMAN_SLUG)
    assert f"<loc>http://testserver{german}</loc>" in text
    assert f'hreflang="de" href="http://testserver{german}"' in text
    assert url("category_detail", "de", slug="bpo") not in text
    assert f"<loc>http://testserver{url('category_detail', 'en', slug='bpo')}</loc>" in text


def test_no_link_on_the_site_leads_to_a_404(client, renamed_in_german):
    """Every link and alternate of every page reachable from the home pages and the sitemaps."""
    found = {f"/{code}/" for code in LANGUAGES}
    found |= {urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap_text(client))}
    queue, seen, broken = deque(sorted(found)), set(), []
    while queue:
        address = queue.popleft()
        if address in seen:
            continue
        seen.add(address)
        response = client.get(address, follow=True)
        if response.status_code != 200:
            broken.append((address, response.status_code))
            continue
        if "text/html" not in response["Content-Type"]:
            continue
        for link in re.findall(r'href="([^"#]*)', response.content.decode()):
            link = link.replace("&amp;", "&").removeprefix("http://testserver")
            if link.startswith("/") and not link.startswith(("/static/", "/admin/", "//")):
                queue.append(link)
    assert broken == []
    assert url("category_detail", "de", slug=GERMAN_SLUG) in seen
    assert len(seen) > 100


def test_a_slug_of_another_language_leads_to_this_languages_address(client, renamed_in_german):
    """A German address with its prefix changed by hand to English."""
    response = client.get(url("comparison_detail", "en", first=GERMAN_SLUG, second="kpo"))
    assert (response.status_code, response["Location"]) == (301, "/en/bpo-vs-kpo/")
    response = client.get(url("category_detail", "uk", slug=GERMAN_SLUG))
    assert (response.status_code, response["Location"]) == (301, url("category_detail", "uk", slug="bpo"))


def test_a_slug_left_in_one_language_is_taken_there_by_another_category(
    client, renamed_in_german, make_category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_category("newcomer")
        newcomer.slug_de = "bpo"
        newcomer.save()
    response = client.get(url("category_detail", "de", slug="bpo"))
    assert response.status_code == 200 and "NEWCOMER" in response.content.decode()
    assert client.get(url("category_detail", "en", slug="bpo")).context["category"] == renamed_in_german
    assert not FormerSlug.objects.filter(language="de", slug="bpo").exists()


def test_a_translator_may_not_change_the_slug_of_their_language(as_role, db):
    bpo = Category.objects.get(slug="bpo")
    response = post_change_form(as_role("translator-de"), bpo, slug_de=GERMAN_SLUG)
    assert response.status_code == 403
    bpo.refresh_from_db()
    assert bpo.slug_de == "bpo"


def test_a_slug_is_unique_in_its_language_only(editor_client, db):
    bpo = Category.objects.get(slug="bpo")
    response = post_change_form(editor_client, bpo, slug_de="kpo")
    assert response.status_code == 200
    assert "Category with this Slug [de] already exists." in str(response.context["errors"])
    response = post_change_form(editor_client, bpo, slug_de="kpo-de", slug_uk="")
    assert "This field is required." in str(response.context["errors"])
    # The same slug in another language is another address.
    assert post_change_form(editor_client, bpo, slug_de="ito-ish").status_code == 302
    ito = Category.objects.get(slug="ito")
    assert post_change_form(editor_client, ito, slug_uk="ito-ish").status_code == 302


def test_a_slug_with_vs_as_a_word_in_any_language_is_warned_of(db):
    with connection.cursor() as cursor:  # as an older version could store it: no save would
        cursor.execute("UPDATE comparisons_category SET slug_uk = 'bpo-vs-kpo' WHERE slug_en = 'bpo'")
    warnings = check_slugs_join(None, databases=["default"])
    assert [warning.id for warning in warnings] == ["comparisons.W002"]
    assert "“bpo-vs-kpo” [uk]" in warnings[0].msg


def export_as_format_5(folder):
    """An export as format 5 wrote it: a category's one (English) slug, former slugs without a language."""
    call_command("exportcontent", str(folder), verbosity=0)
    (folder / "manifest.json").write_text('{"format": 5}')
    path = folder / "02_categories.json"
    records = json.loads(path.read_text())
    for record in records:
        fields = record["fields"]
        if record["model"] == "comparisons.category":
            fields["slug"] = fields.pop("slug_en")
            del fields["slug_uk"], fields["slug_de"]
        if record["model"] == "comparisons.formerslug":
            del fields["language"]
    path.write_text(json.dumps(records))


def test_a_backup_from_before_slugs_per_language_loads_with_its_slug_in_every_language(db, tmp_path):
    """Format 5 had one slug per category, former slugs without a language: restored into an empty base."""
    from tests.test_backup import empty_the_knowledge_base

    bpo = Category.objects.get(slug="bpo")
    # Numbered as an old database numbered it: the new records take keys of their own.
    FormerSlug.objects.create(pk=1, language="en", slug="business-process", category=bpo)
    export_as_format_5(tmp_path)
    empty_the_knowledge_base()
    call_command("loadcontent", str(tmp_path), verbosity=0)
    bpo = Category.objects.get(slug="bpo")
    assert (bpo.slug_en, bpo.slug_uk, bpo.slug_de) == ("bpo", "bpo", "bpo")
    assert sorted(FormerSlug.objects.values_list("language", "slug", "category")) == [
        (code, "business-process", bpo.pk) for code in ("de", "en", "uk")
    ]
    FormerSlug.objects.create(language="en", slug="after-the-load", category=bpo)  # the keys move on


def test_a_save_of_other_fields_leaves_a_slug_changed_in_memory_alone(db, django_capture_on_commit_callbacks):
    bpo, kpo = Category.objects.get(slug="bpo"), Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        kpo.slug_de = "kpo-neu"
        kpo.save()
    assert FormerSlug.objects.filter(language="de", slug="kpo", category=kpo).exists()
    bpo.order += 1
    bpo.slug_de = "kpo"  # not written
    with django_capture_on_commit_callbacks(execute=True):
        bpo.save(update_fields=["order"])
    bpo.refresh_from_db()
    assert bpo.slug_de == "bpo"
    assert set(FormerSlug.objects.values_list("language", "slug", "category")) == {("de", "kpo", kpo.pk)}


@pytest.fixture
def crossed_slugs(db, django_capture_on_commit_callbacks):
    """BPO is "geschaeft" in German; KPO is "geschaeft" in English."""
    bpo, kpo = Category.objects.get(slug="bpo"), Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        bpo.slug_de = "geschaeft"
        bpo.save()
        kpo.slug_en = "geschaeft"
        kpo.save()
    return bpo, kpo


def preview_switcher_links(html):
    """{language: the preview address its switcher link leads to, unquoted}."""
    found = {}
    for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', html):
        found.setdefault(code, unquote(href.replace("&amp;", "&")))
    return found


def switcher_links(html):
    """{language: the address its switcher link leads to}."""
    links = re.findall(r'<a href="/language/(\w+)/\?next=([^"]+)"', html)
    return {code: unquote(target) for code, target in links}


def test_the_switcher_of_a_categorys_list_names_it_by_each_languages_slug(client, crossed_slugs):
    page = client.get(url("comparison_list", "de", query="?category=geschaeft")).content.decode()
    assert switcher_links(page)["en"] == url("comparison_list", "en", query="?category=bpo")
    assert switcher_links(page)["uk"] == url("comparison_list", "uk", query="?category=bpo")


def test_the_previews_switcher_names_the_page_by_each_languages_slug(editor_client, crossed_slugs):
    from tests.helpers import preview_url

    bpo, _kpo = crossed_slugs
    pages = {
        url("category_detail", "de", slug="geschaeft"): preview_url(bpo, "en"),  # its own page: no ?page=
        "/de/geschaeft-vs-ito/": preview_url(bpo, "en", "/en/bpo-vs-ito/"),
    }
    for page, english in pages.items():
        html = editor_client.get(preview_url(bpo, "de", page)).content.decode()
        assert preview_switcher_links(html)["en"] == english, page


def test_history_shows_no_slug_changed_in_versions_stored_with_one_slug(editor_client, db):
    """A version from before slugs per language stored "slug"; the next changed none of them."""
    from reversion.models import Version

    from tests.helpers import admin_url

    bpo = Category.objects.get(slug="bpo")
    assert (
        post_change_form(editor_client, bpo, name_en="Business process outsourcing, renamed").status_code
        == 302
    )
    older, newer = Version.objects.get_for_object(bpo)[1], Version.objects.get_for_object(bpo)[0]
    data = json.loads(older.serialized_data)
    fields = data[0]["fields"]
    fields["slug"] = fields.pop("slug_en")
    del fields["slug_uk"], fields["slug_de"]
    Version.objects.filter(pk=older.pk).update(serialized_data=json.dumps(data))
    for language in LANGUAGES:
        page = editor_client.get(admin_url(Category, "history", bpo.pk), HTTP_ACCEPT_LANGUAGE=language)
        latest = page.context["history"][0]
        assert latest["url"].rstrip("/").endswith(str(newer.pk))
        changes = [str(label) for label, _old, _new in latest["changes"]]
        assert changes and not any("slug" in label for label in changes), (language, changes)


def test_a_withdrawn_categorys_address_is_not_sent_to_another_languages_holder(
    client, crossed_slugs, django_capture_on_commit_callbacks
):
    """KPO's German slug is BPO's English one; BPO withdrawn, /en/…/bpo/ is BPO's still: 404, not KPO."""
    bpo, kpo = crossed_slugs
    with django_capture_on_commit_callbacks(execute=True):
        kpo.slug_de = "bpo"
        kpo.save()
        bpo.is_published = False
        bpo.save()
    assert client.get(url("category_detail", "en", slug="bpo")).status_code == 404
    assert client.get(url("comparison_detail", "uk", first="bpo", second="call-centre")).status_code == 404
    response = client.get(url("category_detail", "en", slug="wissen-de"))
    assert response.status_code == 404


def test_a_rename_in_one_language_leaves_the_order_of_the_others_addresses(
    client, db, django_capture_on_commit_callbacks
):
    """Two categories of the same order: renaming one in English changes no German address."""
    bpo, ito = Category.objects.get(slug="bpo"), Category.objects.get(slug="ito")
    with django_capture_on_commit_callbacks(execute=True):
        ito.order = bpo.order
        ito.save()
    before = client.get(url("comparison_detail", "de", first="bpo", second="ito")).status_code
    with django_capture_on_commit_callbacks(execute=True):
        bpo.slug_en = "zz-bpo"
        bpo.save()
    assert client.get(url("comparison_detail", "de", first="bpo", second="ito")).status_code == before == 200


def test_an_older_backup_with_several_former_slugs_loads_whole_and_loads_again_the_same(db, tmp_path):
    from tests.test_backup import empty_the_knowledge_base

    categories = {slug: Category.objects.get(slug=slug) for slug in ("bpo", "kpo", "ito")}
    for number, (slug, category) in enumerate(categories.items(), start=1):
        FormerSlug.objects.create(pk=number, language="en", slug=f"old-{slug}", category=category)
    export_as_format_5(tmp_path)
    empty_the_knowledge_base()
    expected = sorted((code, f"old-{slug}") for slug in categories for code in LANGUAGES)
    for _load in range(2):
        call_command("loadcontent", str(tmp_path), verbosity=0)
        assert sorted(FormerSlug.objects.values_list("language", "slug")) == expected
    response = Client().get(url("category_detail", "de", slug="old-kpo"))
    assert (response.status_code, response["Location"]) == (301, url("category_detail", "de", slug="kpo"))


@pytest.fixture
def slug_from_before_the_rule(db):
    """BPO with "vs" as a word in its slugs, as an older version could store them (W002 names it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE comparisons_category SET slug_en = 'bpo-vs-x', slug_uk = 'bpo-vs-x', slug_de = 'bpo-vs-x'"
            " WHERE slug_en = 'bpo'"
        )
    return Category.objects.get(slug_en="bpo-vs-x")


def test_a_slug_stored_before_the_rule_lets_every_other_change_be_saved(
    as_role, slug_from_before_the_rule, django_capture_on_commit_callbacks
):
    """Only a new slug must follow the rule: a text, the order or the publication still saves."""
    from tests.helpers import admin_url

    bpo = slug_from_before_the_rule
    response = post_change_form(as_role("translator-de"), bpo, name_de="Auslagerung von Geschäftsprozessen")
    assert response.status_code == 302
    editor = as_role("editor")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(bpo.pk),
        "form-0-order": "42",
        "form-0-opened_token": Category.objects.get(pk=bpo.pk).edit_token,
        "_save": "Save",
    }
    assert editor.post(admin_url(Category, "changelist"), data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            admin_url(Category, "changelist"), {"action": "unpublish", "_selected_action": [bpo.pk]}
        )
    assert response.status_code == 302
    bpo.refresh_from_db()
    assert (bpo.name_de, bpo.order, bpo.is_published) == ("Auslagerung von Geschäftsprozessen", 42, False)
    # Renamed, it follows the rule.
    bpo.slug_uk = "bpo-vs-y"
    with pytest.raises(ValidationError, match="slug_uk"):
        bpo.save()


def test_a_withdrawn_categorys_former_slug_is_not_sent_to_another_languages_holder(
    client, db, django_capture_on_commit_callbacks
):
    bpo, kpo = Category.objects.get(slug="bpo"), Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        bpo.slug_en = bpo.slug_uk = bpo.slug_de = "bpo-new"
        bpo.save()
        kpo.slug_de = "bpo"
        kpo.save()
        bpo.is_published = False
        bpo.save()
    assert client.get(url("category_detail", "en", slug="bpo")).status_code == 404


def test_the_previews_switcher_follows_a_redirect_to_a_written_pairs_order(
    editor_client, crossed_slugs, django_capture_on_commit_callbacks
):
    """BPO vs ITO written as ITO vs BPO: the preview lands there, and its switcher names BPO in English."""
    from comparisons.models import Comparison
    from tests.helpers import preview_url

    bpo, _kpo = crossed_slugs
    ito = Category.objects.get(slug="ito")
    with django_capture_on_commit_callbacks(execute=True):
        written = Comparison.objects.create(
            first=ito,
            second=bpo,
            is_published=True,
            **{
                f"{field}_{code}": f"{field} {code}"
                for field in ("key_difference", "introduction", "conclusion")
                for code in LANGUAGES
            },
        )
    response = editor_client.get(preview_url(bpo, "de", "/de/geschaeft-vs-ito/"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and written.key_difference_de in html
    english = preview_switcher_links(html)["en"]
    assert english.endswith("page=/en/ito-vs-bpo/"), english


@pytest.mark.parametrize("written", ["is_published", "slug_de"])
def test_a_save_leaves_others_redirects_by_what_it_writes_not_by_what_is_in_memory(
    client, db, written, django_capture_on_commit_callbacks
):
    """BPO, withdrawn, saved with a publication and a German slug in memory, one of them written."""
    bpo, kpo = Category.objects.get(slug="bpo"), Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        kpo.slug_en = kpo.slug_uk = kpo.slug_de = "kpo-neu"
        kpo.save()
        bpo.is_published = False
        bpo.save()
        bpo.is_published, bpo.slug_de = True, "kpo"
        bpo.save(update_fields=[written])
    stored = Category.objects.get(pk=bpo.pk)
    assert (stored.is_published, stored.slug_de) == (
        (True, "bpo") if written == "is_published" else (False, "kpo")
    )
    response = client.get(url("category_detail", "de", slug="kpo"))
    assert (response.status_code, response["Location"]) == (301, url("category_detail", "de", slug="kpo-neu"))
