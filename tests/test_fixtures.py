"""The seeded content: complete in three languages, idempotent, and loaded all or nothing."""

import json

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command
from reversion.models import Revision

from comparisons.backup import fixture_paths
from comparisons.changes import content_models
from comparisons.management.commands.loadcontent import DEFAULT_FIXTURES
from comparisons.models import Category, CategoryItem, Comparison, Source
from comparisons.terms import Termbase
from tests.helpers import bpo_vs_kpo

CONTENT_MODELS = content_models()


def snapshot():
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in CONTENT_MODELS
    }


def test_every_translatable_field_is_filled_in_every_language(db):
    gaps = []
    for model in CONTENT_MODELS:
        for obj in model.objects.all():
            for language in ("en", "uk", "de"):
                gaps += [
                    f"{model.__name__} {obj.pk} {field}_{language}"
                    for field in obj.missing_translations(language)
                ]
    assert gaps == []


def test_seed_covers_the_six_categories_and_two_comparisons(db):
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
    bpo_kpo = bpo_vs_kpo()
    bpo_call = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    assert bpo_kpo.rows.count() == 7
    assert bpo_call.rows.count() == 4
    assert bpo_kpo.original_language == "uk"
    assert bpo_call.original_language == "de"


def test_every_record_validates_and_names_its_source(db):
    for model in CONTENT_MODELS:
        for obj in model.objects.all():
            obj.full_clean()
    assert not CategoryItem.objects.filter(source__isnull=True).exists()
    assert all(c.sources.exists() for c in Comparison.objects.all())


# The seeds' machine translations misname these (shared/seeds/README.md), in a language.
MISNAMED = {
    "uk": ["КПО", "БПО"],
    "de": ["Anruf Center"],
    "en": ["Outsourcing Process Knowledge Process", "Business Processing Outsourcing"],
}


def test_machine_translation_defects_are_not_carried_over(db):
    # The texts, that is: the termbase names the misnomers to refuse them.
    texts = {label: records for label, records in snapshot().items() if label != "comparisons.Concept"}
    text = json.dumps(texts, ensure_ascii=False)
    misnamed = [name for names in MISNAMED.values() for name in names]
    for defect in [*misnamed, "в Росії", "Службові ІТ-довідкові", "обробки форм послуг"]:
        assert defect not in text, defect


def test_the_termbase_refuses_each_misnomer_of_the_seeds(db):
    termbase = Termbase.current()
    for language, names in MISNAMED.items():
        for name in names:
            assert [v.found for v in termbase.violations(f"summary_{language}", f"Das {name}.")] == [name]


def test_no_contact_data_or_site_chrome_is_imported(db):
    text = json.dumps(snapshot(), ensure_ascii=False)
    for chrome in ["38888", "2850700767", "RenFeng", "TianHe", "Alcatel", "Parfüm", "Вибір Редакції"]:
        assert chrome not in text, chrome


def test_animation_keeps_each_claim_with_its_source(db):
    claims = CategoryItem.objects.filter(name_en__icontains="animation")
    assert {(item.category.slug, item.source.language) for item in claims} >= {
        ("bpo", "en"),
        ("kpo", "uk"),
        ("kpo", "en"),
    }


def test_loading_twice_changes_nothing(db):
    before = snapshot()
    call_command("loadcontent", verbosity=0)
    assert snapshot() == before


def test_plain_loaddata_is_idempotent_too(db):
    files = fixture_paths(DEFAULT_FIXTURES)
    call_command("loaddata", *files, verbosity=0)
    before = snapshot()
    call_command("loaddata", *files, verbosity=0)
    assert snapshot() == before


def name(record):
    return f"{record['model']} pk={record['pk']}"


def last_record(records, model):
    """The file and the last record of a model in the fixtures."""
    for filename, content in reversed(records.items()):
        for record in reversed(content):
            if record["model"] == model:
                return filename, record
    raise LookupError(model)


# Each mutation breaks one record of the real fixtures and returns the file
# and the record a refusal must name, and what else the message must say.


def bad_json(records):
    filename, content = sorted(records.items())[-1]
    records[filename] = json.dumps(content)[:-20]  # a truncated file: the last record is cut short
    return filename, name(content[-2]), ["is not valid JSON", "line 1 column", "last whole record"]


def invalid_json(records):
    filename = "02_categories.json"
    content = records[filename]
    index = next(i for i, record in enumerate(content) if record["fields"].get("slug_en") == "bpo")
    records[filename] = json.dumps(content, indent=2).replace('"slug_en": "bpo"', '"slug_en": bpo')
    return filename, name(content[index - 1]), ["is not valid JSON", "Expecting value: line", "column"]


def not_a_list(records):
    records["01_sources.json"] = json.dumps(records["01_sources.json"][0])
    return "01_sources.json", "", ["holds a JSON object, not a list of records"]


def unknown_model(records):
    filename, record = last_record(records, "comparisons.category")
    record["model"] = "comparisons.categori"
    return filename, name(record), ["unknown model 'comparisons.categori'"]


def unknown_field(records):
    filename, record = last_record(records, "comparisons.source")
    record["fields"]["titel_en"] = record["fields"].pop("title_en")
    return filename, name(record), ["unknown field 'titel_en'"]


def wrong_type(records):
    filename, record = last_record(records, "comparisons.category")
    record["fields"]["order"] = "first"
    return filename, name(record), ["order: “first” value must be an integer."]


def wrong_key_type(records):
    filename, record = last_record(records, "comparisons.comparisonrow")
    record["fields"]["attribute"] = "colour"
    return filename, name(record), ["attribute: “colour” value must be an integer."]


def dangling_reference(records):
    filename, record = last_record(records, "comparisons.comparisonrow")
    record["fields"]["attribute"] = 99999
    return filename, name(record), ["attribute: there is no comparisons.attribute pk=99999"]


def dangling_many_to_many(records):
    filename, record = last_record(records, "comparisons.comparison")
    record["fields"]["sources"].append(99999)
    return filename, name(record), ["sources: there is no comparisons.source pk=99999"]


def empty_english(records):
    filename, record = last_record(records, "comparisons.comparisonrow")
    record["fields"]["first_value_en"] = ""
    return filename, name(record), ["first_value_en: This field cannot be blank", "first_value_not_blank"]


def self_comparison(records):
    filename, record = last_record(records, "comparisons.comparison")
    record["fields"]["second"] = record["fields"]["first"]
    return (
        filename,
        name(record),
        ["constraint comparison_of_two_different_categories: A category cannot be compared with itself."],
    )


def pair_twice(records):
    filename, record = last_record(records, "comparisons.comparison")
    fields = {**record["fields"], "first": record["fields"]["second"], "second": record["fields"]["first"]}
    reversed_pair = {"model": record["model"], "pk": 999, "fields": fields}
    records[filename].append(reversed_pair)
    return filename, name(reversed_pair), ["constraint comparison_pair_exists_once: These two categories"]


def duplicate_slug(records):
    filename, record = last_record(records, "comparisons.category")
    record["fields"]["slug_de"] = "bpo"
    return (
        filename,
        name(record),
        ["constraint category_slug_de_unique: Category with this Slug [de] already exists."],
    )


def invalid_slug(records):
    filename, record = last_record(records, "comparisons.category")
    record["fields"]["slug_uk"] = "not a slug!"
    return filename, name(record), ["slug_uk: Enter a valid “slug”"]


def unknown_language(records):
    filename, record = last_record(records, "comparisons.comparisonrow")
    record["fields"]["original_language"] = "xx"
    return filename, name(record), ["original_language: Value 'xx' is not a valid choice."]


BREAKAGES = {
    fn.__name__: fn
    for fn in [
        bad_json,
        invalid_json,
        not_a_list,
        unknown_model,
        unknown_field,
        wrong_type,
        wrong_key_type,
        dangling_reference,
        dangling_many_to_many,
        empty_english,
        self_comparison,
        pair_twice,
        duplicate_slug,
        invalid_slug,
        unknown_language,
    ]
}


def broken_copy(tmp_path, case):
    """The real fixtures with one record broken; returns the paths and what the refusal must say."""
    records = {path.name: json.loads(path.read_text()) for path in fixture_paths(DEFAULT_FIXTURES)}
    filename, record, words = BREAKAGES[case](records)
    paths = []
    for filename_, content in records.items():
        path = tmp_path / filename_
        path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False))
        paths.append(path)
    return paths, [filename, record, *words]


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
    """On an empty knowledge base (the seeds deleted in the test's transaction): not one record."""
    for model in reversed(CONTENT_MODELS):
        while model.objects.exists():  # leaves first: a category's parent is protected
            parents = model.objects.exclude(parent=None).values("parent") if model is Category else []
            model.objects.exclude(pk__in=parents).delete()
    paths, _message = broken_copy(tmp_path, case)
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", *paths, verbosity=0)
    assert "Nothing was loaded" in str(error.value)
    assert not any(model.objects.exists() for model in CONTENT_MODELS)


@pytest.mark.parametrize("case", BREAKAGES)
def test_a_refusal_names_the_file_the_record_and_the_rule(db, tmp_path, case):
    before = snapshot(), Revision.objects.count()
    paths, message = broken_copy(tmp_path, case)
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", *paths, verbosity=0)
    assert str(error.value).startswith("Nothing was loaded: ")
    for words in message:
        assert words in str(error.value)
    assert (snapshot(), Revision.objects.count()) == before


def test_a_broken_record_is_named_in_the_message(db, tmp_path):
    paths, _message = broken_copy(tmp_path, "invalid_slug")
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", *paths, verbosity=0)
    assert "comparisons.category pk=" in str(error.value)
    assert "slug" in str(error.value)


def test_a_broken_reload_leaves_the_existing_content_untouched(db, tmp_path):
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("loadcontent", *broken_copy(tmp_path, "empty_english")[0], verbosity=0)
    assert snapshot() == before
    assert Source.objects.count() == 3


def test_new_records_get_fresh_keys_after_a_load(db):
    call_command("loadcontent", verbosity=0)
    source = Source.objects.create(seed_file="new.txt", language="en", title_en="New", site_en="example")
    assert source.pk > max(Source.objects.exclude(pk=source.pk).values_list("pk", flat=True))
