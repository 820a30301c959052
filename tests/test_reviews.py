"""
Each translation's origin and review (translation_status.py, kept by the write
path in changes.py): who wrote it, from where, and whether someone else has
read it since, on every way a text is written.
"""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from comparisons import changes, drafts
from comparisons.admin import dashboard
from comparisons.models import Category, Comparison, ComparisonRow, Draft
from comparisons.snapshots import changed_fields, version_fields
from comparisons.translation_status import HUMAN, MACHINE, OUTDATED, POST_EDITED, UNKNOWN
from tests.helpers import (
    admin_url,
    bpo_vs_kpo,
    change_url,
    form_data,
    make_user,
    post_change_form,
    save_draft,
    stale_pages,
    url,
)

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


def test_every_seeded_text_has_an_honest_origin(db):
    """The seeds' uk and de articles are machine translations; what the project wrote is its own."""
    for model in changes.translated_models():
        for obj in model._default_manager.all():
            for field, language in obj.credited_texts():
                if getattr(obj, f"{field}_{language}"):
                    assert obj.credit(field, language)["origin"] != UNKNOWN, (obj, field, language)
    comparison = bpo_vs_kpo()  # from the Ukrainian article
    assert comparison.credit(FIELD, "uk")["origin"] in (MACHINE, POST_EDITED)
    credit = comparison.credit(FIELD, "de")
    assert (credit["origin"], credit["author"]) == (HUMAN, "kb-editors")
    assert comparison.credit(FIELD, "uk")["reviewer"]  # the original too: a seed's is a machine translation


def test_every_seeded_text_is_reviewed_by_someone_other_than_its_author(db):
    call_command("translationcoverage", "--reviewed", "--fail-under", "100", stdout=io.StringIO())
    for model in changes.translated_models():
        for obj in model._default_manager.all():
            for credit in obj.translation_credits.values():
                assert credit.get("reviewer") not in (None, "", credit["author"]), (obj, credit)


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


def test_credits_of_a_field_that_has_no_text_are_refused(db):
    comparison = bpo_vs_kpo()
    comparison.translation_credits = {"sources_de": {"origin": MACHINE, "author": ""}}
    with pytest.raises(ValidationError, match="no text to credit"):
        comparison.full_clean()


def test_an_original_that_is_a_machine_translation_is_marked_without_a_link_to_itself(client, olena):
    with changes.change_set(origin=MACHINE):
        comparison = bpo_vs_kpo()
        comparison.key_difference_uk = "Машинний переклад оригіналу."
        comparison.save()
    html = client.get("/uk/bpo-vs-kpo/").content.decode()
    assert '<small class="machine-note">Машинний переклад, ще не перевірений.</small>' in html


def test_the_coverage_command_counts_reviews_and_fails_under_a_threshold(olena, taras):
    call_command(
        "translationcoverage", "--reviewed", "--fail-under", "100", stdout=io.StringIO()
    )  # the seeds
    write(olena, "Neu geschrieben.")
    with pytest.raises(CommandError, match="Reviewed translation coverage below 100 %: de"):
        call_command(
            "translationcoverage",
            "--reviewed",
            "--language",
            "de",
            "--fail-under",
            "100",
            stdout=io.StringIO(),
        )
    call_command(
        "translationcoverage", "--language", "de", "--fail-under", "100", stdout=io.StringIO()
    )  # up to date
    review(taras)
    call_command(
        "translationcoverage", "--reviewed", "--language", "de", "--fail-under", "100", stdout=io.StringIO()
    )


def signed_in_as(user):
    client = Client()
    client.force_login(user)
    return client


def first_row(client):
    response = client.get(change_url(bpo_vs_kpo()))
    return response.context["inline_admin_formsets"][0].formset.forms[0].instance


def test_a_translator_says_a_saved_text_is_a_machine_translation(olena):
    client = signed_in_as(olena)
    post_change_form(client, bpo_vs_kpo(), **{COLUMN: "Maschinell.", "translation_origin": MACHINE})
    assert bpo_vs_kpo().credit(FIELD, "de") == {"origin": MACHINE, "author": olena.username}
    html = client.get(change_url(bpo_vs_kpo())).content.decode()
    assert "Machine translation; saved by translator-de; not reviewed yet" in html


def test_a_second_translator_reviews_it_in_the_change_form_and_history_says_so(olena, taras):
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{COLUMN: "Neu geschrieben."})
    client = signed_in_as(taras)
    response = client.get(change_url(bpo_vs_kpo()))
    assert COLUMN in dict(response.context["adminform"].form.fields["reviewed_translations"].choices)
    response = post_change_form(client, bpo_vs_kpo(), reviewed_translations=[COLUMN])
    assert response.status_code == 302
    assert bpo_vs_kpo().credit(FIELD, "de")["reviewer"] == "taras"
    history = client.get(admin_url(Comparison, "history", bpo_vs_kpo().pk)).content.decode()
    assert "review of key difference (de)" in history and "reviewed by taras" in history


def test_its_author_is_offered_no_review_and_a_crafted_one_is_refused(olena):
    client = signed_in_as(olena)
    post_change_form(client, bpo_vs_kpo(), **{COLUMN: "Neu geschrieben."})
    response = client.get(change_url(bpo_vs_kpo()))
    assert COLUMN not in dict(response.context["adminform"].form.fields["reviewed_translations"].choices)
    response = post_change_form(client, bpo_vs_kpo(), reviewed_translations=[COLUMN])
    assert response.status_code == 200  # the form again, with its error
    assert bpo_vs_kpo().needs_review(FIELD, "de")


def test_a_text_changed_and_reviewed_in_one_save_is_refused(olena, taras):
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{COLUMN: "Neu geschrieben."})
    response = post_change_form(
        signed_in_as(taras),
        bpo_vs_kpo(),
        **{COLUMN: "Von Taras geändert.", "reviewed_translations": [COLUMN]},
    )
    assert response.status_code == 200
    assert "another translator reviews the new text" in response.content.decode()
    assert bpo_vs_kpo().key_difference_de == "Neu geschrieben."


def test_a_row_is_reviewed_in_its_inline_and_its_author_may_not(olena, taras):
    row = first_row(signed_in_as(olena))
    column = "first_value_de" if row.original_language != "de" else "first_value_uk"
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{f"rows-0-{column}": "Neu in der Zeile."})
    assert ComparisonRow.objects.get(pk=row.pk).credit("first_value", "de")["author"] == olena.username
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{"rows-0-reviewed_translations": [column]})
    assert ComparisonRow.objects.get(pk=row.pk).needs_review("first_value", "de")
    response = post_change_form(
        signed_in_as(taras), bpo_vs_kpo(), **{"rows-0-reviewed_translations": [column]}
    )
    assert response.status_code == 302
    assert ComparisonRow.objects.get(pk=row.pk).credit("first_value", "de")["reviewer"] == "taras"


def review_in_bulk(client, language="de"):
    return client.post(
        admin_url(Comparison, "changelist"),
        {"action": f"review_{language}", "_selected_action": [bpo_vs_kpo().pk]},
        follow=True,
    )


def test_the_bulk_action_reviews_every_text_of_the_language_all_or_nothing(olena, taras):
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{COLUMN: "Neu geschrieben."})
    response = review_in_bulk(signed_in_as(olena))
    assert "You wrote these texts" in response.content.decode()
    assert COLUMN in bpo_vs_kpo().unreviewed_translations
    response = review_in_bulk(signed_in_as(taras))
    assert "1 translation marked reviewed." in response.content.decode()
    comparison = bpo_vs_kpo()
    assert not [column for column in comparison.unreviewed_translations if column.endswith("_de")]
    assert comparison.credit(FIELD, "de")["reviewer"] == "taras"
    assert (
        "review of key difference (de)" in Version.objects.get_for_object(comparison).first().revision.comment
    )


def test_the_bulk_action_is_offered_only_in_the_languages_one_translates(olena):
    response = signed_in_as(olena).get(admin_url(Comparison, "changelist"))
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "review_de" in actions and "review_uk" not in actions
    write(None, "Written by the operator.", column="key_difference_uk")
    review_in_bulk(signed_in_as(olena), "uk")
    assert "key_difference_uk" in bpo_vs_kpo().unreviewed_translations


def test_the_dashboard_lists_what_others_wrote_to_review(olena, taras):
    post_change_form(signed_in_as(olena), bpo_vs_kpo(), **{COLUMN: "Neu geschrieben."})
    link = f"{change_url(bpo_vs_kpo())}?review={COLUMN}"
    assert link in signed_in_as(taras).get(reverse("translation_dashboard")).content.decode()
    assert link not in signed_in_as(olena).get(reverse("translation_dashboard")).content.decode()


def test_the_list_filters_find_texts_to_review_and_unreviewed_machine_translations(olena, taras):
    post_change_form(
        signed_in_as(olena), bpo_vs_kpo(), **{COLUMN: "Maschinell.", "translation_origin": MACHINE}
    )
    client = signed_in_as(taras)
    url = admin_url(Comparison, "changelist")
    machine = client.get(url, {"translation": "machine-de"}).context["cl"].result_list
    assert [obj.pk for obj in machine] == [bpo_vs_kpo().pk]
    review_in_bulk(client)
    assert not client.get(url, {"translation": "machine-de"}).context["cl"].result_list
    to_review = client.get(url, {"translation": "review-de"}).context["cl"].result_list
    assert bpo_vs_kpo().pk not in [obj.pk for obj in to_review]


# Readers: a machine translation nobody has reviewed is marked, and the mark goes with the review -----

PAGE_DE = "/de/bpo-vs-kpo/"


def machine_translated(olena, column=COLUMN, text="Maschinell übersetzt."):
    with changes.change_set(user=olena, origin=MACHINE):
        comparison = bpo_vs_kpo()
        setattr(comparison, column, text)
        comparison.save()


def json_ld(html):
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    return json.loads(html[start : html.index("</script>", start)])


def test_a_page_marks_an_unreviewed_machine_translation_and_links_the_original(client, olena):
    machine_translated(olena)
    html = client.get(PAGE_DE).content.decode()
    assert html.count('data-translation-origin="machine" data-translation-review="none"') == 1
    assert "Maschinelle Übersetzung, noch nicht geprüft." in html
    original = reverse("comparisons:comparison_detail", kwargs={"first": "bpo", "second": "kpo"})
    assert (
        f'<a href="{original.replace("/de/", "/uk/")}" hreflang="uk">Original auf Ukrainisch lesen.</a>'
        in html
    )
    data = json_ld(html)
    assert data["creativeWorkStatus"] == "unreviewed machine translation"
    assert data["translationOfWork"]["inLanguage"] == "uk"


def test_other_languages_and_reviewed_or_human_texts_carry_no_mark(client, olena, taras):
    html = client.get(PAGE_DE).content.decode()
    assert "machine-note" not in html and "creativeWorkStatus" not in html
    machine_translated(olena)
    assert "machine-note" not in client.get("/en/bpo-vs-kpo/").content.decode()
    assert "machine-note" not in client.get("/uk/bpo-vs-kpo/").content.decode()  # the original
    write(taras, "Von Taras überarbeitet.")  # post-edited: a person has read it
    assert "machine-note" not in client.get(PAGE_DE).content.decode()


def test_a_machine_translated_cell_is_marked_in_its_cell(client, olena):
    comparison = bpo_vs_kpo()
    row = comparison.rows.exclude(original_language="de").first()
    with changes.change_set(user=olena, origin=MACHINE):
        row.first_value_de = "Maschinell übersetzte Zelle."
        row.save()
    html = client.get(PAGE_DE).content.decode()
    marked = '<span data-translation-origin="machine" data-translation-review="none">'
    assert f"{marked}Maschinell übersetzte Zelle.</span>" in html
    assert json_ld(html)["creativeWorkStatus"] == "unreviewed machine translation"


def test_a_review_refreshes_exactly_the_page_that_shows_the_text(
    client, olena, taras, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        machine_translated(olena)
    assert "machine-note" in client.get(PAGE_DE).content.decode()  # cached now, with its mark
    received = []

    def receiver(changes, **kwargs):
        received.extend(changes)

    changes.content_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            review(taras)
    finally:
        changes.content_changed.disconnect(receiver)
    pk = bpo_vs_kpo().pk
    [change] = received
    # Its page (and the sitemaps, which list when it changed); not the lists, search or neighbours.
    assert change.shown_on == {f"c{pk}", "sitemaps"}
    assert stale_pages(client, [PAGE_DE]) == []
    assert "machine-note" not in client.get(PAGE_DE).content.decode()


def test_a_categorys_abbreviation_is_a_name_no_translation_tool_touches(client, db):
    html = client.get(url("category_list", "de")).content.decode()
    assert 'translate="no">BPO</a>' in html
    assert (
        '<h1><span translate="no">BPO</span>'
        in client.get(url("category_detail", "de", slug="bpo")).content.decode()
    )


def test_a_review_of_a_categorys_name_refreshes_the_lists_that_show_its_mark(
    client, olena, taras, django_capture_on_commit_callbacks
):
    kpo = Category.objects.get(slug="kpo")
    assert kpo.original_language != "de"
    with django_capture_on_commit_callbacks(execute=True), changes.change_set(user=olena, origin=MACHINE):
        kpo.name_de = "Maschinell übersetzter Name"
        kpo.save()
    paths = [url("home", "de"), url("category_list", "de"), url("glossary", "de")]
    for path in paths:
        assert "machine-note" in client.get(path).content.decode(), path  # cached, with the mark
    with django_capture_on_commit_callbacks(execute=True), changes.change_set(user=taras):
        kpo = Category.objects.get(slug="kpo")
        credit = kpo.credit("name", "de")
        credit.update(reviewer="taras", reviewed_at=timezone.now().isoformat())
        kpo.translation_credits = {**kpo.translation_credits, "name_de": credit}
        kpo.save()
    assert stale_pages(client, paths) == []
    assert all("machine-note" not in client.get(path).content.decode() for path in paths)


# Every other way a text is written: the review goes with the text -------------------------------


def test_a_text_changed_by_update_or_a_save_of_some_fields_is_unreviewed(olena, taras):
    write(olena, "Neu geschrieben.")
    review(taras)
    with changes.change_set(user=olena):
        Comparison.objects.filter(pk=bpo_vs_kpo().pk).update(**{COLUMN: "Ganz anderer Text."})
    assert bpo_vs_kpo().needs_review(FIELD, "de")
    assert bpo_vs_kpo().credit(FIELD, "de")["author"] == olena.username
    review(taras)
    with changes.change_set(user=olena):
        comparison = bpo_vs_kpo()
        setattr(comparison, COLUMN, "Noch einmal anders.")
        comparison.save(update_fields=[COLUMN])
    assert bpo_vs_kpo().needs_review(FIELD, "de")


def test_a_save_of_the_credits_alone_names_nobody_author_of_a_text_in_memory(olena, taras):
    write(olena, "Neu geschrieben.")
    with changes.change_set(user=taras):
        comparison = bpo_vs_kpo()
        setattr(comparison, COLUMN, "Nur im Speicher.")
        comparison.save(update_fields=["translation_credits"])
    assert bpo_vs_kpo().credit(FIELD, "de")["author"] == olena.username


def test_a_revert_to_a_version_from_before_credits_leaves_the_old_text_unreviewed(olena, taras):
    client = Client()
    client.force_login(make_user("superuser"))
    write(None, "Alter Text vom Operator.")
    old = Version.objects.get_for_object(bpo_vs_kpo()).order_by("-pk").first()
    data = json.loads(old.serialized_data)
    for name in ("translation_credits", "unreviewed_translations"):  # as saved before migration 0024
        data[0]["fields"].pop(name, None)
    old.serialized_data = json.dumps(data)
    old.save()
    write(olena, "Neu von Olena.")
    review(taras)
    url = admin_url(Comparison, "revision", bpo_vs_kpo().pk, old.pk)
    client.post(url, form_data(client.get(url)))
    assert bpo_vs_kpo().key_difference_de == "Alter Text vom Operator."
    assert bpo_vs_kpo().needs_review(FIELD, "de")


def test_the_bulk_action_leaves_a_drafted_record_to_its_form(olena, taras):
    editor_client = Client()
    editor_client.force_login(make_user("editor"))
    write(olena, "Neu geschrieben.")
    save_draft(editor_client, bpo_vs_kpo(), key_difference_en="Drafted by the editor.")
    response = review_in_bulk(signed_in_as(taras))
    assert "has unpublished changes" in response.content.decode()
    assert not drafts.is_stale(Draft.objects.for_record(Comparison, bpo_vs_kpo().pk))
    assert bpo_vs_kpo().needs_review(FIELD, "de")


def test_djangos_loaddata_and_bulk_inserts_refuse_a_self_review(olena, tmp_path):
    comparison = bpo_vs_kpo()
    credit = {"origin": MACHINE, "author": "olena", "reviewer": "olena", "reviewed_at": "2026-12-08T10:00:00"}
    record = json.loads(serializers.serialize("json", [comparison]))
    record[0]["fields"]["translation_credits"] = {COLUMN: credit}
    path = tmp_path / "self-review.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ValidationError, match="its author may not review it"):
        call_command("loaddata", str(path), verbosity=0)
    comparison.pk = None
    comparison.translation_credits = {COLUMN: credit}
    with (
        changes.change_set(importing=True),
        pytest.raises(ValidationError, match="its author may not review it"),
    ):
        Comparison.objects.bulk_create([comparison])


def test_the_time_of_a_review_is_the_write_paths(olena, taras):
    write(olena, "Neu geschrieben.")
    with changes.change_set(user=taras):
        comparison = bpo_vs_kpo()
        credit = {**comparison.credit(FIELD, "de"), "reviewer": "taras", "reviewed_at": "2000-01-01T00:00:00"}
        comparison.translation_credits = {**comparison.translation_credits, COLUMN: credit}
        comparison.save()
    assert bpo_vs_kpo().credit(FIELD, "de")["reviewed_at"][:4] == str(timezone.now().year)
    comparison = bpo_vs_kpo()
    comparison.translation_credits[COLUMN]["reviewed_at"] = "not a date at all"
    with pytest.raises(ValidationError, match="a review has a reviewer and a time"):
        comparison.save()


def test_an_outdated_machine_translation_shows_both_notes(client, olena):
    machine_translated(olena)
    write(None, "Нове формулювання оригіналу.", column=f"{FIELD}_uk")
    html = client.get(PAGE_DE).content.decode()
    assert "machine-note" in html and "outdated-note" in html


def test_the_dashboard_counts_and_lists_only_what_others_wrote(olena, taras, monkeypatch):
    write(olena, "Neu geschrieben.")
    write(taras, "Von Taras.", column="introduction_de")
    work = dashboard.translation_work(["de"], olena)["de"]
    assert work["to_review"] == 1
    assert [field["url"].rsplit("=", 1)[1] for entry in work["reviews"] for field in entry["fields"]] == [
        "introduction_de"
    ]
    write(olena, "Auch von Olena.", column="conclusion_de")
    assert dashboard.translation_work(["de"], taras)["de"]["to_review"] == 2
    monkeypatch.setattr(dashboard, "LISTED", 0)  # more than the list holds: its change list is linked
    assert dashboard.translation_work(["de"], taras)["de"]["more_reviews"]


def test_a_text_without_credits_is_listed_to_review_for_everybody(olena, taras):
    """A record not saved since credits began has none for a text: it is nobody's, not left out."""
    write(olena, "Neu geschrieben.")
    Comparison._base_manager.filter(pk=bpo_vs_kpo().pk).update(translation_credits={})
    assert Comparison.objects.to_review_in("de", by_others_than="taras").filter(pk=bpo_vs_kpo().pk).exists()
    assert dashboard.translation_work(["de"], taras)["de"]["to_review"] >= 1


def test_a_save_of_some_fields_keeps_a_review_made_since_the_record_was_read(olena, taras):
    write(olena, "Neu geschrieben.")
    stale = bpo_vs_kpo()
    review(taras)
    with changes.change_set():
        stale.is_published = True
        stale.save(update_fields=["is_published"])
    assert bpo_vs_kpo().credit(FIELD, "de")["reviewer"] == "taras"


def test_unreadable_credits_are_read_as_nothing_said_refused_anew_and_repaired(client, olena):
    Comparison._base_manager.filter(pk=bpo_vs_kpo().pk).update(translation_credits=["not", "an", "object"])
    comparison = bpo_vs_kpo()
    assert comparison.needs_review(FIELD, "de")  # read as nothing said: unknown, unreviewed
    client.force_login(make_user("editor"))
    assert client.get(change_url(comparison)).status_code == 200
    comparison.translation_credits = ["still", "not", "an", "object"]
    with pytest.raises(ValidationError, match="object of objects"):
        comparison.save()
    comparison.translation_credits = {}  # the operator repairs it
    comparison.save()
    assert bpo_vs_kpo().credit(FIELD, "de")["origin"] == UNKNOWN
