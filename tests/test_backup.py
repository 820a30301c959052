"""Backups: export and import round-trip byte for byte, and a bad backup writes nothing."""

import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from comparisons.backup import FILES
from comparisons.management.commands.loadcontent import DEFAULT_FIXTURES
from comparisons.models import Comparison
from tests.conftest import change

CONTENT_MODELS = list(apps.get_app_config("comparisons").get_models())


def read_folder(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}


def empty_the_knowledge_base():
    from comparisons.models import Category

    change(Category.objects, parent=None)  # parents are protected from deletion
    for model in reversed(CONTENT_MODELS):
        model._default_manager.all().delete()


def test_the_seed_fixtures_are_an_export_of_themselves(seeded, tmp_path):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    assert read_folder(tmp_path) == read_folder(DEFAULT_FIXTURES)


def test_export_import_export_is_byte_identical(seeded, tmp_path):
    obj = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
    obj.conclusion_de = "Geändert, damit nicht nur der Seed zurückkommt."
    obj.save()
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("exportcontent", str(first), verbosity=0)
    empty_the_knowledge_base()
    call_command("loadcontent", str(first), verbosity=0)
    call_command("exportcontent", str(second), verbosity=0)
    assert read_folder(first) == read_folder(second)
    assert set(read_folder(first)) == {*FILES, "manifest.json"}


def test_a_bad_backup_writes_nothing_and_names_the_record(db, tmp_path):
    call_command("loadcontent", verbosity=0)
    call_command("exportcontent", str(tmp_path), verbosity=0)
    empty_the_knowledge_base()
    path = tmp_path / "04_comparisons.json"
    records = json.loads(path.read_text())
    records[-1]["fields"]["original_language"] = "klingon"
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", str(tmp_path), verbosity=0)
    assert f"comparisons.comparisonrow pk={records[-1]['pk']}" in str(error.value)
    assert not any(model.objects.exists() for model in CONTENT_MODELS)


def test_a_backup_from_a_newer_format_is_refused(db, tmp_path):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    (tmp_path / "manifest.json").write_text('{"format": 99}')
    with pytest.raises(CommandError, match="format 99"):
        call_command("loadcontent", str(tmp_path), verbosity=0)
