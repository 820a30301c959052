"""The seeded content: complete in three languages, idempotent, and loaded all or nothing."""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from comparisons.backup import fixture_paths
from comparisons.management.commands.loadcontent import DEFAULT_FIXTURES
from comparisons.models import Category, CategoryItem, Comparison, Source

CONTENT_MODELS = list(apps.get_app_config("comparisons").get_models())


def snapshot():
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in CONTENT_MODELS
    }


def test_every_translatable_field_is_filled_in_every_language(seeded):
    gaps = []
    for model in CONTENT_MODELS:
        for obj in model.objects.all():
            for language in ("en", "uk", "de"):
                gaps += [
                    f"{model.__name__} {obj.pk} {field}_{language}"
                    for field in obj.missing_translations(language)
                ]
    assert gaps == []


def test_seed_covers_the_six_categories_and_two_comparisons(seeded):
    assert set(Category.objects.values_list("slug", flat=True)) == {
        "outsourcing",
        "bpo",
        "kpo",
        "ito",
        "call-centre",
        "contact-centre",
    }
    assert Category.objects.get(slug="call-centre").parent.slug == "bpo"
    assert Category.objects.get(slug="kpo").parent.slug == "outsourcing"
    bpo_kpo = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
    bpo_call = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    assert bpo_kpo.rows.count() == 7
    assert bpo_call.rows.count() == 4
    assert bpo_kpo.original_language == "uk"
    assert bpo_call.original_language == "de"


def test_every_record_validates_and_names_its_source(seeded):
    for model in CONTENT_MODELS:
        for obj in model.objects.all():
            obj.full_clean()
    assert not CategoryItem.objects.filter(source__isnull=True).exists()
    assert all(c.sources.exists() for c in Comparison.objects.all())


def test_machine_translation_defects_are_not_carried_over(seeded):
    text = json.dumps(snapshot(), ensure_ascii=False)
    for defect in [
        "КПО",
        "БПО",
        "Anruf Center",
        "Outsourcing Process Knowledge Process",
        "Business Processing",
        "в Росії",
        "Службові ІТ-довідкові",
        "обробки форм послуг",
    ]:
        assert defect not in text, defect


def test_no_contact_data_or_site_chrome_is_imported(seeded):
    text = json.dumps(snapshot(), ensure_ascii=False)
    for chrome in ["38888", "2850700767", "RenFeng", "TianHe", "Alcatel", "Parfüm", "Вибір Редакції"]:
        assert chrome not in text, chrome


def test_animation_keeps_each_claim_with_its_source(seeded):
    claims = CategoryItem.objects.filter(name_en__icontains="animation")
    assert {(item.category.slug, item.source.language) for item in claims} >= {
        ("bpo", "en"),
        ("kpo", "uk"),
        ("kpo", "en"),
    }


def test_loading_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("loadcontent", verbosity=0)
    assert snapshot() == before


def test_plain_loaddata_is_idempotent_too(db):
    files = fixture_paths(DEFAULT_FIXTURES)
    call_command("loaddata", *files, verbosity=0)
    before = snapshot()
    call_command("loaddata", *files, verbosity=0)
    assert snapshot() == before


def broken_copies(tmp_path):
    """The real fixtures, with one record broken in a few different ways."""
    originals = {path.name: json.loads(path.read_text()) for path in fixture_paths(DEFAULT_FIXTURES)}

    def write(name, mutate):
        folder = tmp_path / name
        folder.mkdir()
        records = json.loads(json.dumps(originals))
        mutate(records)
        paths = []
        for filename, content in records.items():
            path = folder / filename
            if isinstance(content, str):
                path.write_text(content)
            else:
                path.write_text(json.dumps(content, ensure_ascii=False))
            paths.append(path)
        return paths

    def last_file_record(records, model):
        for content in reversed(list(records.values())):
            for record in reversed(content):
                if record["model"] == model:
                    return record
        raise LookupError(model)

    def bad_json(records):
        name = sorted(records)[-1]
        records[name] = json.dumps(records[name])[:-20]

    def empty_english(records):
        last_file_record(records, "comparisons.comparisonrow")["fields"]["first_value_en"] = ""

    def invalid_slug(records):
        last_file_record(records, "comparisons.category")["fields"]["slug"] = "not a slug!"

    def unknown_language(records):
        last_file_record(records, "comparisons.comparisonrow")["fields"]["original_language"] = "xx"

    def dangling_reference(records):
        last_file_record(records, "comparisons.comparisonrow")["fields"]["attribute"] = 99999

    def self_comparison(records):
        record = last_file_record(records, "comparisons.comparison")
        record["fields"]["second"] = record["fields"]["first"]

    return {
        fn.__name__: write(fn.__name__, fn)
        for fn in [
            bad_json,
            empty_english,
            invalid_slug,
            unknown_language,
            dangling_reference,
            self_comparison,
        ]
    }


@pytest.mark.parametrize(
    "case",
    [
        "bad_json",
        "empty_english",
        "invalid_slug",
        "unknown_language",
        "dangling_reference",
        "self_comparison",
    ],
)
def test_a_broken_fixture_is_rejected_with_nothing_written(db, tmp_path, case):
    paths = broken_copies(tmp_path)[case]
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", *paths, verbosity=0)
    assert "Nothing was loaded" in str(error.value)
    assert not any(model.objects.exists() for model in CONTENT_MODELS)


def test_a_broken_record_is_named_in_the_message(db, tmp_path):
    paths = broken_copies(tmp_path)["invalid_slug"]
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", *paths, verbosity=0)
    assert "comparisons.category pk=" in str(error.value)
    assert "slug" in str(error.value)


def test_a_broken_reload_leaves_the_existing_content_untouched(seeded, tmp_path):
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("loadcontent", *broken_copies(tmp_path)["empty_english"], verbosity=0)
    assert snapshot() == before
    assert Source.objects.count() == 3


def test_new_records_get_fresh_keys_after_a_load(db):
    call_command("loadcontent", verbosity=0)
    source = Source.objects.create(seed_file="new.txt", language="en", title_en="New", site_en="example")
    assert source.pk > max(Source.objects.exclude(pk=source.pk).values_list("pk", flat=True))
