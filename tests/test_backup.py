"""Backups: export and import round-trip byte for byte, and a bad backup writes nothing."""

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comparisons.backup import FILES, fixture_paths
from comparisons.changes import content_models
from comparisons.management.commands import exportcontent
from comparisons.management.commands.loadcontent import DEFAULT_FIXTURES
from comparisons.models import Attribute, Category, Comparison, Source
from comparisons.phrases import CASES
from comparisons.translation_status import MISSING, UP_TO_DATE
from tests.helpers import bpo_vs_kpo, change, trilingual

CONTENT_MODELS = content_models()


def read_folder(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}


def empty_the_knowledge_base():
    from comparisons.models import Category

    change(Category.objects, parent=None)  # parents are protected from deletion
    for model in reversed(CONTENT_MODELS):
        model._default_manager.all().delete()


def test_the_seed_fixtures_are_an_export_of_themselves(db, tmp_path):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    assert read_folder(tmp_path) == read_folder(DEFAULT_FIXTURES)


def test_export_import_export_is_byte_identical(db, tmp_path):
    obj = bpo_vs_kpo()
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


def test_a_backup_from_before_the_word_forms_loads_with_its_headings_as_names(db, tmp_path):
    """Format 1 had no name in a sentence: the heading stands in for it, as migration 0007 did."""
    call_command("exportcontent", str(tmp_path), verbosity=0)
    (tmp_path / "manifest.json").write_text('{"format": 1}')
    categories = tmp_path / "02_categories.json"
    records = json.loads(categories.read_text())
    for record in records:
        if record["model"] == "comparisons.category":
            fields = record["fields"]
            for column in [c for c in fields if c.partition("_")[0] in CASES]:
                del fields[column]
            fields["translated_from"] = {k: v for k, v in fields["translated_from"].items() if k not in CASES}
    categories.write_text(json.dumps(records))
    call_command("loadcontent", str(tmp_path), verbosity=0)
    call_centre = Category.objects.get(slug="call-centre")
    assert [call_centre.nominative_en, call_centre.nominative_uk] == ["Call centre", "Кол-центр"]
    assert call_centre.translation_status("nominative", "en") == UP_TO_DATE
    assert call_centre.translation_status("instrumental", "uk") == MISSING
    (tmp_path / "manifest.json").write_text('{"format": 2}')  # the same files read as today's: refused
    with pytest.raises(CommandError, match="English sentence"):
        call_command("loadcontent", str(tmp_path), verbosity=0)


def test_a_backup_from_before_the_descriptions_loads_without_them(db, tmp_path):
    """Format 4 had no attribute descriptions: its attributes load unexplained, with nothing to translate."""
    call_command("exportcontent", str(tmp_path), verbosity=0)
    (tmp_path / "manifest.json").write_text('{"format": 4}')
    attributes = tmp_path / "03_attributes.json"
    records = json.loads(attributes.read_text())
    for record in records:
        if record["model"] == "comparisons.attribute":
            fields = record["fields"]
            for column in [c for c in fields if c.startswith("description")]:
                del fields[column]
            del fields["translated_from"]["description"]
    attributes.write_text(json.dumps(records))
    call_command("loadcontent", str(tmp_path), verbosity=0)
    focus = Attribute.objects.get(slug="focus")
    assert not focus.description_en and not focus.is_explained()
    assert [focus.translation_status("description", code) for code in ("en", "uk", "de")] == [UP_TO_DATE] * 3


# The snapshot tests commit for real (a second connection must see the first
# one's data) and need PostgreSQL: on SQLite one transaction is one snapshot
# already, and a second connection could not write during the export anyway.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: on SQLite one transaction is one snapshot, and nobody can write meanwhile",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_export_reads_in_one_repeatable_read_read_only_transaction(tmp_path):
    with CaptureQueriesContext(connection) as queries:
        call_command("exportcontent", str(tmp_path), verbosity=0)
    statements = [query["sql"] for query in queries]
    assert statements[:2] == ["BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"]
    assert statements[-1] == "COMMIT"


def add_a_category_and_its_comparison():
    """What an editor's save does meanwhile, on a connection (and in a transaction) of its own."""
    try:
        category = Category.objects.create(
            slug="rpo",
            **trilingual("abbreviation", "RPO"),
            **trilingual("nominative", "RPO"),
            **trilingual("name", "Recruitment process outsourcing"),
            **trilingual("summary", "Hiring, outsourced."),
            **trilingual("description", "A longer text about RPO."),
        )
        comparison = Comparison.objects.create(
            first=Category.objects.get(slug="bpo"),
            second=category,
            **trilingual("key_difference", "RPO is BPO for hiring."),
            **trilingual("introduction", "An introduction."),
            **trilingual("conclusion", "A conclusion."),
        )
        comparison.sources.add(Source.objects.first())
    finally:
        connection.close()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_export_during_a_concurrent_insert_restores_cleanly(tmp_path, monkeypatch):
    call_command("loaddata", *fixture_paths(DEFAULT_FIXTURES), verbosity=0)
    comparisons_before = Comparison.objects.count()
    serialize = exportcontent.serialize

    def serialize_then_let_an_editor_save(models):
        text = serialize(models)
        if Category in models:  # between the categories file and the comparisons file
            editor = threading.Thread(target=add_a_category_and_its_comparison)
            editor.start()
            editor.join()
        return text

    monkeypatch.setattr(exportcontent, "serialize", serialize_then_let_an_editor_save)
    backup, again = tmp_path / "backup", tmp_path / "again"
    call_command("exportcontent", str(backup), verbosity=0)
    assert Comparison.objects.filter(second__slug="rpo").exists(), "the insert during the export failed"

    exported = {name: json.loads((backup / name).read_text()) for name in FILES}
    categories = {r["pk"] for r in exported["02_categories.json"] if r["model"] == "comparisons.category"}
    comparisons = [r for r in exported["04_comparisons.json"] if r["model"] == "comparisons.comparison"]
    assert len(comparisons) == comparisons_before
    assert {pk for r in comparisons for pk in (r["fields"]["first"], r["fields"]["second"])} <= categories

    empty_the_knowledge_base()
    call_command("loadcontent", str(backup), verbosity=0)
    assert not Category.objects.filter(slug="rpo").exists()
    monkeypatch.undo()
    call_command("exportcontent", str(again), verbosity=0)
    assert read_folder(again) == read_folder(backup)


# A backup is data someone hands you: it carries content, never accounts or rights.


def account_records():
    """Records that would make a superuser, change a password and grant rights, if loaded."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="change_comparison")
    return {
        "a new superuser": {
            "model": "auth.user",
            "pk": 9001,
            "fields": {"username": "intruder", "password": "x", "is_superuser": True, "is_staff": True},
        },
        "a new password for an existing user": {
            "model": "auth.user",
            "pk": None,  # filled in with the existing user's key
            "fields": {"username": "olena", "password": "pbkdf2_sha256$1$salt$forged="},
        },
        "a right granted to a group": {
            "model": "auth.group",
            "pk": 9002,
            "fields": {"name": "translator (uk)", "permissions": [permission.pk]},
        },
        "a new permission": {
            "model": "auth.permission",
            "pk": 9003,
            "fields": {
                "name": "Can do anything",
                "content_type": permission.content_type_id,
                "codename": "x",
            },
        },
    }


@pytest.mark.parametrize(
    "case",
    [
        "a new superuser",
        "a new password for an existing user",
        "a right granted to a group",
        "a new permission",
    ],
)
@pytest.mark.parametrize("where", ["in a content file", "in a stray file of the backup folder"])
def test_a_backup_that_touches_accounts_or_rights_is_refused_before_anything_is_written(
    db, tmp_path, case, where
):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("olena", password="her-own-password-1")
    call_command("exportcontent", str(tmp_path), verbosity=0)
    record = account_records()[case]
    record["pk"] = record["pk"] or user.pk
    if where == "in a content file":
        path = tmp_path / "01_sources.json"
        path.write_text(json.dumps([*json.loads(path.read_text()), record]))
    else:
        (tmp_path / "05_accounts.json").write_text(json.dumps([record]))
    obj = bpo_vs_kpo()
    obj.conclusion_en = "Changed since the backup."
    obj.save()
    before = accounts(), snapshot_of_content()

    with pytest.raises(CommandError) as error:
        call_command("loadcontent", str(tmp_path), verbosity=0)

    message = str(error.value)
    assert message.startswith("Nothing was loaded: ")
    assert f"{record['model']} pk={record['pk']}: {record['model']} is not content" in message
    assert (accounts(), snapshot_of_content()) == before
    user.refresh_from_db()
    assert user.check_password("her-own-password-1")


@pytest.mark.parametrize(
    "model", ["reversion.version", "comparisons.draft", "axes.accessattempt", "sessions.session"]
)
def test_history_drafts_sign_ins_and_sessions_are_not_content_either(db, tmp_path, model):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"model": model, "pk": 1, "fields": {}}]))
    with pytest.raises(CommandError, match=f"{model} pk=1: {model} is not content"):
        call_command("loadcontent", str(path), verbosity=0)


def test_a_file_larger_than_the_bound_is_refused_unread(db, tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + " " * (2 * 1024 * 1024) + "]")
    with pytest.raises(CommandError, match=r"big.json is 2.0 MB, more than the 1 MB a file may hold"):
        call_command("loadcontent", str(path), max_file_megabytes=1, verbosity=0)


def test_a_text_longer_than_any_field_may_hold_is_refused_by_name(db, tmp_path):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    before = snapshot_of_content()
    path = tmp_path / "04_comparisons.json"
    records = json.loads(path.read_text())
    records[0]["fields"]["introduction_uk"] = "й" * 20_001
    path.write_text(json.dumps(records, ensure_ascii=False))
    with pytest.raises(CommandError) as error:
        call_command("loadcontent", str(tmp_path), verbosity=0)
    assert (
        f"comparisons.comparison pk={records[0]['pk']}: introduction_uk: 20,001 characters;"
        " a text may have at most 20,000." in str(error.value)
    )
    assert snapshot_of_content() == before


def accounts():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    return (
        sorted(get_user_model().objects.values_list("username", "password", "is_superuser")),
        sorted(
            (group.name, sorted(group.permissions.values_list("pk", flat=True)))
            for group in Group.objects.all()
        ),
        Permission.objects.count(),
    )


def snapshot_of_content():
    return [list(model._default_manager.order_by("pk").values()) for model in CONTENT_MODELS]
