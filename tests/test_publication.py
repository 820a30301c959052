"""
A new category or attribute starts as a draft, as a new comparison does:
readers see nothing of it, on any page, until an editor publishes it; then
exactly the pages that show it are refreshed.
"""

import json

from django.core.management import call_command
from django.test import Client

from comparisons.models import Attribute, AttributeValue, Category, Comparison, ComparisonRow, Source
from tests.helpers import (
    LANGUAGES,
    admin_url,
    bpo_vs_kpo,
    change,
    form_data,
    in_every_language,
    public_paths,
    sitemap_text,
    stale_pages,
    trilingual,
    url,
)


def add_category(client, slug="new-kind"):
    """Through the admin's add form, as an editor adds one."""
    response = client.get(admin_url(Category, "add"))
    data = form_data(response)
    data.update(
        {
            **trilingual("slug", slug, slug, slug),
            **trilingual("abbreviation", "NEWKIND"),
            **trilingual("name", "A new kind of outsourcing"),
            **trilingual("nominative", "NEWKIND"),
            **trilingual("summary", "A new kind, not yet public."),
            **trilingual("description", "Its description."),
            "order": "70",
            "original_language": "en",
        }
    )
    data.pop("is_published", None)  # the form's default
    response = client.post(admin_url(Category, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return Category.objects.get(slug=slug)


def reader_text(client, paths):
    texts = []
    for path in paths:
        response = client.get(path)
        texts.append(response.content.decode() if response.status_code == 200 else "")
    return "\n".join(texts)


def test_a_new_category_starts_unpublished_and_readers_see_nothing_of_it(editor_client, client):
    category = add_category(editor_client)
    assert category.is_published is False
    # A written comparison with it, even published, waits for the category.
    comparison = Comparison.objects.create(
        first=Category.objects.get(slug="bpo"),
        second=category,
        is_published=True,
        **trilingual("key_difference", "NEWKIND differs."),
        **trilingual("introduction", "Intro."),
        **trilingual("conclusion", "End."),
    )
    comparison.sources.add(Source.objects.first())
    reader = type(client)()
    for code in LANGUAGES:
        assert reader.get(url("category_detail", code, slug="new-kind")).status_code == 404
        assert reader.get(f"/{code}/kpo-vs-new-kind/").status_code == 404
        assert reader.get(f"/{code}/bpo-vs-new-kind/").status_code == 404
    paths = [
        *in_every_language("home"),
        *in_every_language("category_list"),
        *in_every_language("comparison_list"),
        *in_every_language("compare"),
        *in_every_language("search", "?q=newkind"),
        "/en/bpo-vs-kpo/",
    ]
    assert "NEWKIND" not in reader_text(reader, paths) + sitemap_text(reader)
    assert reader.get(url("compare", query="?first=bpo&second=new-kind")).status_code == 400


def test_publishing_a_category_refreshes_the_pages_that_show_it(
    editor_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        category = add_category(editor_client)
    reader = type(client)()
    paths = [*in_every_language("home"), *in_every_language("category_list"), url("compare")]
    reader_text(reader, paths)  # cached
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            admin_url(Category, "changelist"), {"action": "publish", "_selected_action": [category.pk]}
        )
    assert response.status_code == 302
    assert Category.objects.get(pk=category.pk).is_published
    assert stale_pages(reader, paths) == []
    assert "NEWKIND" in reader.get(url("category_list")).content.decode()
    assert reader.get(url("category_detail", "uk", slug="new-kind")).status_code == 200


def test_withdrawing_a_category_withdraws_its_comparisons_from_every_page(
    editor_client, client, django_capture_on_commit_callbacks
):
    reader = type(client)()
    paths = ["/en/bpo-vs-kpo/", "/en/bpo-vs-call-centre/", *in_every_language("comparison_list")]
    reader_text(reader, paths)
    kpo = Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            admin_url(Category, "changelist"), {"action": "unpublish", "_selected_action": [kpo.pk]}
        )
    assert reader.get("/en/bpo-vs-kpo/").status_code == 404
    assert stale_pages(reader, paths[1:]) == []
    assert "bpo-vs-kpo" not in reader.get(url("comparison_list")).content.decode()


def test_a_new_attribute_starts_unpublished_and_its_rows_and_values_wait_for_it(
    editor_client, client, django_capture_on_commit_callbacks
):
    response = editor_client.get(admin_url(Attribute, "add"))
    data = form_data(response)
    data.update(
        {
            "slug": "new-measure",
            **trilingual("label", "A new measure"),
            "order": "90",
            "original_language": "en",
        }
    )
    data.pop("is_published", None)
    assert editor_client.post(admin_url(Attribute, "add"), data).status_code == 302
    attribute = Attribute.objects.get(slug="new-measure")
    assert attribute.is_published is False
    source = Source.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        ComparisonRow.objects.create(
            comparison=bpo_vs_kpo(),
            attribute=attribute,
            source=source,
            **trilingual("first_value", "A new first value"),
            **trilingual("second_value", "A new second value"),
        )
        for slug in ("kpo", "ito"):
            AttributeValue.objects.create(
                category=Category.objects.get(slug=slug),
                attribute=attribute,
                source=source,
                **trilingual("value", f"A new value of {slug}"),
            )
    reader = type(client)()
    generated = "/en/kpo-vs-ito/"  # nobody wrote it: made from the values
    assert not Comparison.objects.of_pair(*(Category.objects.get(slug=s) for s in ("kpo", "ito"))).exists()
    paths = [*(f"/{code}/bpo-vs-kpo/" for code in LANGUAGES), generated]
    shown = reader_text(reader, paths)
    assert "A new measure" not in shown and "A new first value" not in shown and "A new value of" not in shown
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            admin_url(Attribute, "changelist"), {"action": "publish", "_selected_action": [attribute.pk]}
        )
    assert stale_pages(reader, paths) == []
    shown = reader_text(reader, paths)
    assert "A new first value" in shown and "A new value of kpo" in shown


def test_an_older_backup_loads_its_categories_and_attributes_as_published(db, tmp_path):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["format"] = 2
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    for name in ("02_categories.json", "03_attributes.json"):
        records = json.loads((tmp_path / name).read_text())
        for record in records:
            record["fields"].pop("is_published", None)
        (tmp_path / name).write_text(json.dumps(records))
    change = Category.objects.get(slug="kpo")
    change.is_published = False
    change.save()
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert not Category.objects.filter(is_published=False).exists()
    assert not Attribute.objects.filter(is_published=False).exists()


def test_generated_benchmark_content_is_published(db):
    """The benchmarks' synthetic categories and comparisons are for readers to load."""
    call_command("generatecontent", categories=3, comparisons=2, rows=1, verbosity=0)
    synthetic = Comparison.objects.published().filter(first__slug__startswith="synthetic")
    assert synthetic.count() == 2


def test_an_unpublished_category_shows_nowhere_public(db, client, django_capture_on_commit_callbacks):

    category = Category.objects.get(slug="kpo")
    reader = Client()
    paths = public_paths(bpo_vs_kpo())
    for path in paths:
        reader.get(path)  # cached while published
    with django_capture_on_commit_callbacks(execute=True):
        category.is_published = False
        category.save()
    texts = []
    for path in paths:
        response = reader.get(path)
        assert response.status_code in (200, 404), path
        if response.status_code == 200:
            texts.append((path, response.content.decode()))
    for code in LANGUAGES:
        for path in (
            f"/{code}/search/?q=kpo",
            f"/{code}/compare/?first=bpo&second=kpo",
            f"/{code}/comparisons/?category=kpo",
        ):
            response = reader.get(path)
            assert response.status_code in (200, 302, 400, 404), path
            texts.append((path, response.content.decode()))
    for path, text in texts:
        assert "/kpo/" not in text and "-vs-kpo/" not in text and "kpo-vs-" not in text, path
    assert "kpo" not in sitemap_text(reader).replace("bpo", "")


def test_rows_of_an_unpublished_attribute_do_not_drop_a_comparison_from_a_languages_sitemap(db, client):
    """The page in uk shows only published attributes' rows, all translated; its sitemap entry should stay."""
    import re

    xml = sitemap_text(client)
    slugs = re.findall(r"<loc>http://testserver/uk/([-a-z0-9]+)-vs-([-a-z0-9]+)/</loc>", xml)
    assert slugs
    comparison = Comparison.objects.of_pair(*(Category.objects.get(slug=s) for s in slugs[0])).get()
    address = f"/uk/{comparison.first.slug}-vs-{comparison.second.slug}/"
    hidden = Attribute.objects.create(slug="hidden-one", is_published=False, **trilingual("label", "Hidden"))
    ComparisonRow.objects.create(
        comparison=comparison,
        attribute=hidden,
        source=comparison.sources.first(),
        first_value_en="Hidden first",
        second_value_en="Hidden second",
    )
    page = client.get(address).content.decode()
    assert "Hidden first" not in page
    assert '<link rel="alternate" hreflang="uk"' in page  # the page says it is complete in uk
    assert f"<loc>http://testserver{address}</loc>" in sitemap_text(client)


def test_listed_and_published_comparisons_are_the_same(db):
    """listed() finds published() comparisons without joining the categories, for the lists' counts."""

    def both():
        published = set(Comparison.objects.published().values_list("pk", flat=True))
        assert set(Comparison.objects.listed().values_list("pk", flat=True)) == published
        return published

    everything = both()
    change(Category.objects.filter(slug="kpo"), is_published=False)
    without_kpo = both()
    assert without_kpo < everything
    change(Comparison.objects.filter(pk__in=without_kpo).order_by("pk")[:1], is_published=False)
    assert both() < without_kpo
