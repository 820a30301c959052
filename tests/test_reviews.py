"""
Each translation's origin and review (translation_status.py, kept by the write
path in changes.py): who wrote it, from where, and whether someone else has
read it since, on every way a text is written.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from reversion.models import Version

from comparisons import changes
from comparisons.models import Comparison
from comparisons.snapshots import changed_fields, version_fields
from comparisons.translation_status import HUMAN, MACHINE, OUTDATED, POST_EDITED, UNKNOWN
from tests.helpers import bpo_vs_kpo, make_user

# bpo_vs_kpo() is written in Ukrainian: English and German are its translations.
FIELD = "key_difference"
COLUMN = f"{FIELD}_de"


def write(user, text, origin=None, column=COLUMN):
    with changes.change_set(user=user, origin=origin):
        comparison = bpo_vs_kpo()
        setattr(comparison, column, text)
        comparison.save()
    return bpo_vs_kpo()


def review(user, column=COLUMN, reviewer=None):
    """What a form's review does: the reviewer's name and the time in the credits."""
    with changes.change_set(user=user):
        comparison = bpo_vs_kpo()
        credit = comparison.credit(*column.rsplit("_", 1))
        name = reviewer if reviewer is not None else changes.username(user)
        credit.update(reviewer=name, reviewed_at=timezone.now().isoformat())
        comparison.translation_credits = {**comparison.translation_credits, column: credit}
        comparison.save()
    return bpo_vs_kpo()


@pytest.fixture
def olena(db):
    return make_user("translator-de")


@pytest.fixture
def taras(db):
    """A translator of Ukrainian and German."""
    user = make_user("translator-uk")
    user.username = "taras"
    user.save()
    user.groups.add(Group.objects.get(name="translator (de)"))
    return user


def test_a_seeded_text_has_an_unknown_origin_and_no_review(db):
    comparison = bpo_vs_kpo()
    assert comparison.credit(FIELD, "de") == {"origin": UNKNOWN, "author": ""}
    assert comparison.needs_review(FIELD, "de")
    assert not comparison.needs_review(FIELD, "uk")  # the original
    assert comparison.unreviewed_translations[COLUMN] == UNKNOWN


def test_a_new_text_is_its_writers_and_unreviewed(olena):
    comparison = write(olena, "Neu geschrieben.")
    assert comparison.credit(FIELD, "de") == {"origin": HUMAN, "author": olena.username}
    assert comparison.unreviewed_translations[COLUMN] == HUMAN


def test_a_machine_translation_is_said_so_and_a_persons_edit_of_it_is_post_edited(olena, taras):
    comparison = write(olena, "Maschinell übersetzt.", origin=MACHINE)
    assert comparison.credit(FIELD, "de")["origin"] == MACHINE
    assert Comparison.objects.machine_translated_in("de").filter(pk=comparison.pk).exists()
    comparison = write(taras, "Maschinell übersetzt und verbessert.")
    assert comparison.credit(FIELD, "de") == {"origin": POST_EDITED, "author": "taras"}
    assert not Comparison.objects.machine_translated_in("de").filter(pk=comparison.pk).exists()


def test_another_translator_of_the_language_reviews_it(olena, taras):
    write(olena, "Neu geschrieben.")
    comparison = review(taras)
    credit = comparison.credit(FIELD, "de")
    assert credit["reviewer"] == "taras" and credit["author"] == olena.username
    assert COLUMN not in comparison.unreviewed_translations
    assert not comparison.needs_review(FIELD, "de")


def test_its_author_may_not_review_it(olena):
    write(olena, "Neu geschrieben.")
    with pytest.raises(ValidationError, match="its author may not review it"):
        review(olena)
    assert bpo_vs_kpo().needs_review(FIELD, "de")


def test_nobody_reviews_in_another_persons_name_or_another_language(olena, taras):
    write(olena, "Neu geschrieben.")
    with pytest.raises(PermissionDenied):
        review(taras, reviewer="somebody-else")
    write(None, "Written by the operator.", column="key_difference_en")
    with pytest.raises(PermissionDenied):
        review(olena, column="key_difference_en")  # olena translates German only


def test_a_person_changes_no_other_credit(olena, taras):
    write(olena, "Neu geschrieben.", origin=MACHINE)
    with changes.change_set(user=taras), pytest.raises(PermissionDenied):
        comparison = bpo_vs_kpo()
        comparison.translation_credits[COLUMN]["origin"] = HUMAN
        comparison.save()
    review(taras)
    with changes.change_set(user=olena), pytest.raises(PermissionDenied):
        comparison = bpo_vs_kpo()
        del comparison.translation_credits[COLUMN]["reviewer"]
        del comparison.translation_credits[COLUMN]["reviewed_at"]
        comparison.save()
    assert bpo_vs_kpo().credit(FIELD, "de")["reviewer"] == "taras"


def test_a_script_of_the_operators_may_not_have_an_author_review_their_own_text(olena):
    write(olena, "Neu geschrieben.")
    comparison = bpo_vs_kpo()
    credit = comparison.translation_credits[COLUMN]
    credit.update(reviewer=olena.username, reviewed_at=timezone.now().isoformat())
    with pytest.raises(ValidationError, match="its author may not review it"):
        comparison.save()


def test_a_change_of_the_text_makes_it_unreviewed_again(olena, taras):
    write(olena, "Neu geschrieben.")
    review(taras)
    comparison = write(olena, "Neu geschrieben, noch einmal.")
    assert comparison.needs_review(FIELD, "de")
    assert "reviewer" not in comparison.credit(FIELD, "de")


def test_a_change_of_the_original_makes_it_outdated_and_unreviewed(olena, taras):
    write(olena, "Neu geschrieben.")
    review(taras)
    comparison = write(None, "Нове формулювання оригіналу.", column=f"{FIELD}_uk")
    assert comparison.translation_status(FIELD, "de") == OUTDATED
    assert comparison.needs_review(FIELD, "de")
    assert comparison.credit(FIELD, "de") == {"origin": HUMAN, "author": olena.username}


def test_an_emptied_translation_has_no_credits(olena):
    write(olena, "Neu geschrieben.")
    comparison = write(olena, "")
    assert COLUMN not in comparison.translation_credits
    assert COLUMN not in comparison.unreviewed_translations


def test_history_says_who_reviewed(olena, taras):
    write(olena, "Neu geschrieben.")
    review(taras)
    versions = list(Version.objects.get_for_object(bpo_vs_kpo()).order_by("-pk")[:2])
    found = changed_fields(Comparison, version_fields(versions[1]), version_fields(versions[0]))
    assert found == [("review of key difference (de)", None, "reviewed by taras")]


def test_a_backup_carries_the_credits_and_an_older_one_loads_as_unknown_and_unreviewed(
    olena, taras, tmp_path
):
    write(olena, "Neu geschrieben.", origin=MACHINE)
    review(taras)
    credits = bpo_vs_kpo().translation_credits
    call_command("exportcontent", str(tmp_path), verbosity=0)
    write(olena, "Danach geändert.")
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert bpo_vs_kpo().translation_credits == credits
    assert COLUMN not in bpo_vs_kpo().unreviewed_translations

    path = tmp_path / "04_comparisons.json"
    records = json.loads(path.read_text())
    for record in records:
        del record["fields"]["translation_credits"]
    path.write_text(json.dumps(records))
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 7, "files": []}))
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert bpo_vs_kpo().credit(FIELD, "de") == {"origin": UNKNOWN, "author": ""}
    assert bpo_vs_kpo().unreviewed_translations[COLUMN] == UNKNOWN


@pytest.mark.parametrize(
    "credit",
    [
        {"origin": "typed by a cat"},
        {"origin": MACHINE, "author": "olena", "reviewer": "olena", "reviewed_at": "2026-12-08T10:00:00"},
        {"origin": MACHINE, "reviewer": "taras"},
        {"origin": MACHINE, "author": 7},
        {"origin": MACHINE, "signed": "yes"},
    ],
    ids=["origin", "self-review", "review-without-time", "author", "key"],
)
def test_an_import_with_unsound_credits_is_refused_before_anything_is_written(db, tmp_path, credit):
    call_command("exportcontent", str(tmp_path), verbosity=0)
    path = tmp_path / "04_comparisons.json"
    records = json.loads(path.read_text())
    comparison = next(
        r for r in records if r["model"] == "comparisons.comparison" and r["pk"] == bpo_vs_kpo().pk
    )
    comparison["fields"]["translation_credits"] = {COLUMN: credit}
    comparison["fields"]["key_difference_en"] = "Written before the refusal."
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError):
        call_command("loadcontent", str(tmp_path), verbosity=0)
    assert bpo_vs_kpo().key_difference_en != "Written before the refusal."


def test_credits_of_a_text_that_is_no_translation_are_refused(db):
    comparison = bpo_vs_kpo()
    comparison.translation_credits = {f"{FIELD}_uk": {"origin": MACHINE, "author": ""}}  # the original
    with pytest.raises(ValidationError, match="no translation to credit"):
        comparison.full_clean()


def test_the_coverage_command_counts_reviews_and_fails_under_a_threshold(olena, taras, capsys):
    call_command("translationcoverage", "--reviewed", "--language", "de")
    with pytest.raises(CommandError, match="Reviewed translation coverage below 100 %: de"):
        call_command("translationcoverage", "--reviewed", "--language", "de", "--fail-under", "100")
    capsys.readouterr()
    call_command("translationcoverage", "--reviewed", "--language", "de")
    before = capsys.readouterr().out
    write(olena, "Neu geschrieben.")
    review(taras)
    call_command("translationcoverage", "--reviewed", "--language", "de")
    after = capsys.readouterr().out
    reviewed = [
        int(line.split()[-2])
        for text in (before, after)
        for line in text.splitlines()
        if line.startswith("all")
    ]
    assert reviewed[1] == reviewed[0] + 1
