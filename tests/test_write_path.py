"""
One write path (comparisons/changes.py): every way content can change obeys
the same rules. The matrix crosses each role with each way into the admin,
with crafted POSTs where a form would not offer the change; the tests after
it call the write path directly, as a command or the shell would.
"""

import importlib
import json

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count, F
from reversion.models import Version

from comparisons import changes, drafts
from comparisons.models import Attribute, Category, CategoryItem, Comparison, ComparisonRow, Draft, Source
from comparisons.snapshots import Snapshot
from comparisons.translation_status import OUTDATED, UP_TO_DATE, fingerprint
from tests.helpers import (
    DRAFT_TEXT,
    LANGUAGES,
    admin_url,
    bpo_vs_kpo,
    change_url,
    form_data,
    make_user,
    post_change_form,
    publish,
    run_tasks,
    trilingual,
)

ROLES = ["anonymous", "translator-en", "translator-uk", "translator-de", "editor", "superuser"]
EDITORS = {"editor", "superuser"}


def own_language(role):
    return role.removeprefix("translator-") if role.startswith("translator-") else "uk"


# Each path: does the change, returns a function that tells whether it took effect.


def change_form_own_text(client, role):
    field = f"key_difference_{own_language(role)}"
    post_change_form(client, bpo_vs_kpo(), **{field: "Changed through the form."})
    return lambda: getattr(bpo_vs_kpo(), field) == "Changed through the form."


def change_form_structure(client, role):
    category = Category.objects.get(slug="ito")
    post_change_form(client, category, slug_de="renamed-ito")
    return lambda: Category.objects.filter(slug_de="renamed-ito").exists()


def inline_own_text(client, role):
    field = f"rows-0-first_value_{own_language(role)}"
    post_change_form(client, bpo_vs_kpo(), **{field: "Changed inline."})
    column = field.removeprefix("rows-0-")
    return lambda: bpo_vs_kpo().rows.filter(**{column: "Changed inline."}).exists()


def inline_structure(client, role):
    post_change_form(client, bpo_vs_kpo(), **{"rows-0-order": "77"})
    return lambda: bpo_vs_kpo().rows.filter(order=77).exists()


def inline_delete(client, role):
    count = bpo_vs_kpo().rows.count()
    post_change_form(client, bpo_vs_kpo(), **{"rows-0-DELETE": "on"})
    return lambda: bpo_vs_kpo().rows.count() == count - 1


def bulk_publish(client, role):
    comparison = bpo_vs_kpo()
    comparison.is_published = False
    comparison.save()
    client.post(
        admin_url(Comparison, "changelist"), {"action": "publish", "_selected_action": [comparison.pk]}
    )
    return lambda: bpo_vs_kpo().is_published


def bulk_unpublish(client, role):
    client.post(
        admin_url(Comparison, "changelist"), {"action": "unpublish", "_selected_action": [bpo_vs_kpo().pk]}
    )
    return lambda: not bpo_vs_kpo().is_published


def bulk_unpublish_in_the_background(client, role):
    """Above a list page's worth, the action is a task: the worker applies the rights of who asked."""
    from comparisons import bulk

    in_request, bulk.IN_REQUEST = bulk.IN_REQUEST, 0
    try:
        client.post(
            admin_url(Comparison, "changelist"),
            {"action": "unpublish", "_selected_action": [bpo_vs_kpo().pk]},
        )
    finally:
        bulk.IN_REQUEST = in_request
    run_tasks(failures_expected=True)
    return lambda: not bpo_vs_kpo().is_published


def bulk_delete(client, role):
    item = CategoryItem.objects.order_by("pk").first()
    client.post(
        admin_url(CategoryItem, "changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )
    return lambda: not CategoryItem.objects.filter(pk=item.pk).exists()


def list_editable(client, role):
    attribute = Attribute.objects.order_by("pk").first()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(attribute.pk),
        "form-0-order": "99",
        "form-0-opened_token": attribute.edit_token,
        "_save": "Save",
    }
    client.post(admin_url(Attribute, "changelist"), data)
    return lambda: Attribute.objects.get(pk=attribute.pk).order == 99


def revert(client, role):
    comparison = bpo_vs_kpo()
    with changes.change_set(reason="The version to go back to"):
        comparison.save()
    with changes.change_set(reason="A newer text"):
        comparison.key_difference_en = "A newer English text."
        comparison.save()
    first = Version.objects.get_for_object(comparison).order_by("pk").first()
    url = admin_url(Comparison, "revision", comparison.pk, first.pk)
    data = {"live_token": bpo_vs_kpo().edit_token, "opened_token": bpo_vs_kpo().edit_token}
    response = client.get(url)
    if response.status_code == 200:
        data = form_data(response)
    client.post(url, data)
    return lambda: bpo_vs_kpo().key_difference_en != "A newer English text."


def recover(client, role):
    with changes.change_set(reason="The version to recover"):
        bpo_vs_kpo().save()
    with changes.change_set(reason="Deleted by the operator"):
        bpo_vs_kpo().delete()
    version = Version.objects.get_deleted(Comparison).first()
    url = admin_url(Comparison, "recover", version.pk)
    response = client.get(url)
    client.post(url, form_data(response) if response.status_code == 200 else {})
    return lambda: Comparison.objects.filter(first__slug="bpo", second__slug="kpo").exists()


def add(client, role):
    client.post(
        admin_url(Attribute, "add"),
        {"slug": "new-attribute", **trilingual("label", "New"), "order": "9", "original_language": "en"},
    )
    return lambda: Attribute.objects.filter(slug="new-attribute").exists()


def delete(client, role):
    row = ComparisonRow.objects.order_by("pk").first()
    client.post(admin_url(ComparisonRow, "delete", row.pk), {"post": "yes"})
    return lambda: not ComparisonRow.objects.filter(pk=row.pk).exists()


def reviewed_record(role):
    """
    A comparison with texts to review in the role's language (each is written
    in one of them): its key difference and its rows' first values, written
    anew by the operator (the seeds' are reviewed).
    """
    language = own_language(role)
    comparison = Comparison.objects.exclude(original_language=language).order_by("pk").first()
    with changes.change_set():
        setattr(comparison, f"key_difference_{language}", "Written anew, to review.")
        comparison.save()
        for row in comparison.rows.all():
            setattr(row, f"first_value_{language}", "Written anew, to review.")
            row.save()
    return Comparison.objects.get(pk=comparison.pk), language


def review_change_form(client, role):
    comparison, language = reviewed_record(role)
    post_change_form(client, comparison, reviewed_translations=[f"key_difference_{language}"])
    return lambda: not Comparison.objects.get(pk=comparison.pk).needs_review("key_difference", language)


def review_inline(client, role):
    comparison, language = reviewed_record(role)
    rows = list(comparison.rows.all())
    response = client.get(change_url(comparison))
    if response.status_code == 200:
        rows = [form.instance for form in response.context["inline_admin_formsets"][0].formset.forms]
    index, row = next((i, row) for i, row in enumerate(rows) if row.original_language != language)
    post_change_form(
        client, comparison, **{f"rows-{index}-reviewed_translations": [f"first_value_{language}"]}
    )
    return lambda: not ComparisonRow.objects.get(pk=row.pk).needs_review("first_value", language)


def review_in_bulk(client, role):
    comparison, language = reviewed_record(role)
    client.post(
        admin_url(Comparison, "changelist"),
        {"action": f"review_{language}", "_selected_action": [comparison.pk]},
    )
    return lambda: not Comparison.objects.get(pk=comparison.pk).needs_review("key_difference", language)


PATHS = [
    change_form_own_text,
    change_form_structure,
    inline_own_text,
    inline_structure,
    inline_delete,
    bulk_publish,
    bulk_unpublish,
    bulk_unpublish_in_the_background,
    bulk_delete,
    list_editable,
    revert,
    recover,
    add,
    delete,
    review_change_form,
    review_inline,
    review_in_bulk,
]
TRANSLATORS_MAY = {change_form_own_text, inline_own_text, review_change_form, review_inline, review_in_bulk}


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_every_path_obeys_the_same_rights(as_role, role, path):
    took_effect = path(as_role(role), role)
    if role in EDITORS:
        expected = True
    elif role == "anonymous":
        expected = False
    else:
        expected = path in TRANSLATORS_MAY
    assert took_effect() is expected


# The write path itself, as a command or the shell meets it


def test_a_translator_cannot_write_another_language_whatever_the_code(db):
    translator = make_user("translator-uk")
    comparison = bpo_vs_kpo()
    with changes.acting_as(translator):
        comparison.key_difference_uk = "Дозволено."
        comparison.save()
        comparison.key_difference_en = "Not allowed."
        # A refused write rolls back its transaction: each gets its own here.
        with pytest.raises(PermissionDenied, match="key_difference_en"), transaction.atomic():
            comparison.save()
        with pytest.raises(PermissionDenied), transaction.atomic():
            comparison.sources.clear()
        with pytest.raises(PermissionDenied), transaction.atomic():
            comparison.rows.first().delete()
    assert bpo_vs_kpo().key_difference_en != "Not allowed."
    assert bpo_vs_kpo().key_difference_uk == "Дозволено."


def test_anonymous_requests_may_write_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    with changes.acting_as(AnonymousUser()), pytest.raises(PermissionDenied), transaction.atomic():
        Source.objects.create(seed_file="x.txt", language="en", title_en="x", site_en="x")


def save_one_field(category, value):
    category.order = value
    category.save(update_fields=["order"])


def save_loaded_with_only(category, value):
    loaded = Category.objects.only("order").get(pk=category.pk)
    loaded.order = value
    loaded.save()


# Django's ways of changing a record, each called with the category and its new order.
WRITE_IDIOMS = {
    "save": lambda category, value: (setattr(category, "order", value), category.save()),
    "save(update_fields)": save_one_field,
    "only() and save()": save_loaded_with_only,
    "update_or_create()": lambda category, value: Category.objects.update_or_create(
        slug=category.slug, defaults={"order": value}
    ),
    "update()": lambda category, value: Category.objects.filter(pk=category.pk).update(order=value),
    "update() with F()": lambda category, value: Category.objects.filter(pk=category.pk).update(
        order=F("order") + (value - category.order)
    ),
    "bulk_update()": lambda category, value: Category.objects.bulk_update(
        [setattr(category, "order", value) or category], ["order"]
    ),
}


@pytest.mark.parametrize("idiom", WRITE_IDIOMS)
def test_every_django_idiom_passes_the_write_path(db, idiom, django_capture_on_commit_callbacks):
    """Checked, with its bookkeeping, versioned and announced, whichever documented way it is written."""
    write = WRITE_IDIOMS[idiom]
    category = Category.objects.get(slug="bpo")
    before = (category.edit_token, Version.objects.get_for_object(category).count())
    announced = []

    def receiver(changes, **kwargs):
        announced.extend(changes)

    changes.content_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            write(Category.objects.get(pk=category.pk), category.order + 7)
    finally:
        changes.content_changed.disconnect(receiver)
    after = Category.objects.get(pk=category.pk)
    assert after.order == category.order + 7
    assert after.edit_token != before[0]
    assert Version.objects.get_for_object(category).count() == before[1] + 1
    assert Version.objects.get_for_object(category).first().field_dict["order"] == after.order
    (change,) = [c for c in announced if c.model is Category]
    assert change.fields == {"order"} and change.shown_on

    # A translator may not change structure, whichever way it is written.
    with changes.acting_as(make_user("translator-uk")):
        with pytest.raises(PermissionDenied), transaction.atomic():
            write(Category.objects.get(pk=category.pk), category.order + 8)
    assert Category.objects.get(pk=category.pk).order == category.order + 7


def test_a_translated_fields_name_stands_for_every_language_it_is_written_in(db):
    category = Category.objects.defer("order").get(slug="bpo")
    category.summary_de = "Eine neue Zusammenfassung."
    category.save()
    assert Category.objects.get(slug="bpo").summary_de == "Eine neue Zusammenfassung."
    category.summary_uk = "Новий підсумок."
    category.save(update_fields=["summary"])
    assert Category.objects.get(slug="bpo").summary_uk == "Новий підсумок."
    Category.objects.update_or_create(slug="bpo", defaults={"summary_en": "A new summary."})
    assert Category.objects.get(slug="bpo").summary_en == "A new summary."
    # Every language's column is checked: a translator into Ukrainian may not write German this way.
    with changes.acting_as(make_user("translator-uk")):
        category = Category.objects.get(slug="bpo")
        category.summary_de = "Nicht erlaubt."
        with pytest.raises(PermissionDenied), transaction.atomic():
            category.save(update_fields=["summary"])


def test_update_takes_keys_and_expressions_for_relations_as_django_does(db):
    comparison = bpo_vs_kpo()
    first, second = comparison.first_id, comparison.second_id
    Comparison.objects.filter(pk=comparison.pk).update(first=F("second"), second=F("first"))
    swapped = Comparison.objects.get(pk=comparison.pk)
    assert (swapped.first_id, swapped.second_id) == (second, first)
    Comparison.objects.filter(pk=comparison.pk).update(first=first, second=Category.objects.get(pk=second))
    assert Comparison.objects.get(pk=comparison.pk).first_id == first


def test_update_works_on_a_grouped_queryset_as_the_admin_builds_them(db):
    counted = Category.objects.annotate(count=Count("items")).select_related("parent").filter(slug="bpo")
    assert counted.update(order=41) == 1
    assert Category.objects.get(slug="bpo").order == 41


def test_a_save_of_no_fields_writes_nothing(db):
    category = Category.objects.get(slug="bpo")
    versions = Version.objects.get_for_object(category).count()
    category.save(update_fields=[])
    Category.objects.update_or_create(slug="bpo", defaults={})
    assert Category.objects.get(slug="bpo").edit_token == category.edit_token
    assert Version.objects.get_for_object(category).count() == versions


def test_a_deletion_outside_a_change_set_can_be_recovered_whole(db):
    """What a deletion cascades to is one change: the record's last version keeps its rows and sources."""
    comparison = bpo_vs_kpo()
    pk, rows, sources = comparison.pk, comparison.rows.count(), comparison.sources.count()
    versions = Version.objects.get_for_object(comparison).count()
    comparison.delete()
    assert Version.objects.get_for_object_reference(Comparison, pk).count() == versions
    deleted = Version.objects.get_deleted(Comparison).get(object_id=str(pk))
    assert len(deleted.field_dict["sources"]) == sources
    saved_rows = deleted.revision.version_set.filter(content_type__model="comparisonrow")
    assert saved_rows.count() == rows


def test_a_save_of_some_fields_keeps_the_translations_statuses(db):
    """The bookkeeping columns are written with whatever fields are named."""
    category = Category.objects.get(slug="bpo")
    original = category.original_language
    translation = next(code for code in LANGUAGES if code != original)
    assert category.translation_status("summary", translation) == "up-to-date"
    setattr(category, f"summary_{original}", "The original, rewritten.")
    category.save(update_fields=[f"summary_{original}"])
    assert Category.objects.get(pk=category.pk).translation_status("summary", translation) == "outdated"


def test_a_write_outside_a_change_set_is_a_change_set_of_its_own(db, django_capture_on_commit_callbacks):
    """Versioned in its transaction and announced once that commits; a rolled-back write leaves no trace."""
    category = Category.objects.get(slug="bpo")
    versions = Version.objects.get_for_object(category).count()
    announced = []

    def receiver(changes, **kwargs):
        announced.extend(change.fields for change in changes if change.model is Category)

    changes.content_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                category.summary_en = "Rolled back."
                category.save()
                raise RuntimeError
            category = Category.objects.get(slug="bpo")
            category.order += 1
            category.save()
    finally:
        changes.content_changed.disconnect(receiver)
    assert announced == [{"order"}]
    assert Version.objects.get_for_object(category).count() == versions + 1
    assert "Rolled back." not in Version.objects.get_for_object(category).first().serialized_data


def test_bulk_inserts_are_for_imports_only(db):
    with pytest.raises(PermissionDenied), transaction.atomic():
        Attribute.objects.bulk_create([Attribute(slug="bulk", label_en="Bulk")])


def test_each_record_of_an_import_has_its_own_revision(db):
    comparison = bpo_vs_kpo()
    versions = Version.objects.get_for_object(comparison)
    assert versions.count() == 1
    revision = versions.get().revision
    objects = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
    rows = {("comparisonrow", str(pk)) for pk in comparison.rows.values_list("pk", flat=True)}
    assert objects == {("comparison", str(comparison.pk))} | rows
    assert revision.comment.startswith("Loaded from")


def test_a_change_is_announced_with_exactly_the_records_it_changed(db, django_capture_on_commit_callbacks):
    announced = []

    def receiver(changes, **kwargs):
        announced.extend(changes)

    changes.content_changed.connect(receiver)
    try:
        row = bpo_vs_kpo().rows.order_by("pk").first()
        with django_capture_on_commit_callbacks(execute=True), changes.change_set(reason="test"):
            row.first_value_de = "Neu."
            row.save()
    finally:
        changes.content_changed.disconnect(receiver)
    assert {(c.model, c.pk, c.action, c.fields) for c in announced} == {
        (ComparisonRow, row.pk, changes.CHANGED, frozenset({"first_value_de"})),
        (Comparison, row.comparison_id, changes.CHANGED, frozenset({"rows"})),
    }


def test_a_part_changed_on_its_own_renews_its_owners_token_and_history(db):
    comparison = bpo_vs_kpo()
    token = comparison.edit_token
    with changes.change_set(reason="A row alone"):
        row = comparison.rows.first()
        row.second_value_en = "Changed alone."
        row.save()
    assert bpo_vs_kpo().edit_token != token
    latest = Version.objects.get_for_object(comparison).first()
    assert latest.revision.comment == "A row alone"


def test_bulk_publication_keeps_history_token_and_time(as_role):
    client = as_role("editor")
    comparison = bpo_vs_kpo()
    before = (
        comparison.edit_token,
        comparison.updated_at,
        Version.objects.get_for_object(comparison).count(),
    )
    client.post(
        admin_url(Comparison, "changelist"), {"action": "unpublish", "_selected_action": [comparison.pk]}
    )
    after = bpo_vs_kpo()
    assert after.edit_token != before[0] and after.updated_at > before[1]
    assert Version.objects.get_for_object(comparison).count() == before[2] + 1


def test_list_editable_refuses_a_stale_save(as_role):
    client = as_role("editor")
    attribute = Attribute.objects.order_by("pk").first()
    opened = attribute.edit_token
    attribute.label_en = "Saved by someone else meanwhile"
    attribute.save()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(attribute.pk),
        "form-0-order": "99",
        "form-0-opened_token": opened,
        "_save": "Save",
    }
    response = client.post(admin_url(Attribute, "changelist"), data)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    assert Attribute.objects.get(pk=attribute.pk).order != 99


def test_the_change_list_carries_the_edit_token(as_role):
    html = as_role("editor").get(admin_url(Attribute, "changelist")).content.decode()
    assert 'name="form-0-opened_token"' in html


def test_reverting_one_record_leaves_the_others_of_its_revision_alone(as_role):
    client = as_role("editor")
    kpo = Category.objects.get(slug="kpo")
    comparison = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    # One revision holding several records, as imports made before the write path did.
    with reversion.create_revision():
        reversion.add_to_revision(kpo)
        reversion.add_to_revision(comparison)
    kpo.name_en = "Knowledge work, renamed since"
    kpo.save()
    added = ComparisonRow.objects.create(
        comparison=comparison,
        attribute=Attribute.objects.exclude(rows__comparison=comparison).first(),
        first_value_en="added since",
        second_value_en="added since",
        source=Source.objects.first(),
    )
    comparison.conclusion_en = "A conclusion written since."
    comparison.save()
    first = Version.objects.get_for_object(comparison).order_by("pk").first()
    url = admin_url(Comparison, "revision", comparison.pk, first.pk)

    screen = client.get(url)
    plan = screen.context["revert_plan"]
    assert [label for label, _now, _then in plan["fields"]] == ["conclusion (en)"]
    assert [part["name"] for part in plan["deleted"]] == [str(added)]
    assert "added since" in screen.content.decode() or str(added) in screen.content.decode()

    assert client.post(url, form_data(screen)).status_code == 302
    assert Category.objects.get(slug="kpo").name_en == "Knowledge work, renamed since"
    assert not ComparisonRow.objects.filter(pk=added.pk).exists()
    assert Comparison.objects.get(pk=comparison.pk).conclusion_en != "A conclusion written since."


def test_a_revert_refuses_when_the_record_changed_after_the_screen_was_opened(as_role):
    client = as_role("editor")
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Second version."
    comparison.save()
    first = Version.objects.get_for_object(comparison).order_by("pk").first()
    url = admin_url(Comparison, "revision", comparison.pk, first.pk)
    data = form_data(client.get(url))
    comparison.refresh_from_db()
    comparison.conclusion_en = "Third version, saved meanwhile."
    comparison.save()
    response = client.post(url, data, follow=True)
    assert "changed after you opened" in response.content.decode()
    assert bpo_vs_kpo().conclusion_en == "Third version, saved meanwhile."


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_may_open_a_revert_screen(as_role, role):
    comparison = bpo_vs_kpo()
    first = Version.objects.get_for_object(comparison).first()
    url = admin_url(Comparison, "revision", comparison.pk, first.pk)
    response = as_role(role).get(url)
    if role in EDITORS:
        assert response.status_code == 200 and "revert-plan" in response.content.decode()
    elif role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403


def test_a_crafted_selection_of_a_bulk_action_is_refused_with_a_message(as_role):
    client = as_role("editor")
    response = client.post(
        admin_url(Comparison, "changelist"),
        {"action": "unpublish", "_selected_action": ["abc", "\x00"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose the records from the list." in response.content.decode()
    assert bpo_vs_kpo().is_published


# Line endings: a browser sends a textarea's line breaks as CRLF, and files and
# scripts may hold any; every text is stored with LF, so that a text sent back
# untouched is unchanged.


def with_crlf(data):
    return {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value for name, value in data.items()
    }


def stored_texts(comparison):
    """The comparison's and its rows' columns, but the write path's own bookkeeping."""
    records = [comparison, *comparison.rows.order_by("pk")]
    kept = changes.BOOKKEEPING
    return [
        {name: getattr(record, name) for name in changes.compared_columns(type(record)) if name not in kept}
        for record in records
    ]


def test_a_form_sent_back_untouched_with_crlf_line_breaks_changes_nothing(as_role):
    client = as_role("editor")
    comparison = bpo_vs_kpo()
    before = stored_texts(comparison)
    data = with_crlf(form_data(client.get(change_url(comparison))))
    assert any("\r\n" in data[f"{name}_en"] for name in ("introduction", "key_difference", "conclusion"))
    versions = Version.objects.count()
    assert client.post(change_url(comparison), data).status_code == 302
    after = bpo_vs_kpo()
    assert stored_texts(after) == before
    assert Version.objects.count() == versions  # no history line
    assert (after.edit_token, after.updated_at) == (comparison.edit_token, comparison.updated_at)
    # The form itself read the texts as unchanged (MultilineTextField), so the admin's log says so.
    assert LogEntry.objects.order_by("-pk").first().get_change_message() == "No fields changed."


def test_a_save_that_changes_nothing_leaves_no_trace_on_any_path(db, django_capture_on_commit_callbacks):
    """No history line, no announcement (so no page refreshed), the same token and time."""
    announced = []

    def receiver(changes, **kwargs):
        announced.extend(changes)

    comparison = bpo_vs_kpo()
    versions = Version.objects.count()
    changes.content_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comparison.save()
            comparison.introduction_en = comparison.introduction_en.replace("\n", "\r\n")
            comparison.save()
            Comparison.objects.filter(pk=comparison.pk).update(is_published=True)
            comparison.rows.first().save()
            with changes.change_set(reason="Nothing, really"):
                bpo_vs_kpo().save()
        assert Version.objects.count() == versions and announced == []
        after = bpo_vs_kpo()
        assert (after.edit_token, after.updated_at) == (comparison.edit_token, comparison.updated_at)
        # A change after them all is one, as before.
        after.conclusion_en += " More."
        with django_capture_on_commit_callbacks(execute=True):
            after.save()
    finally:
        changes.content_changed.disconnect(receiver)
    assert Version.objects.count() > versions and [c.pk for c in announced] == [after.pk]
    assert bpo_vs_kpo().updated_at > comparison.updated_at


def test_a_changed_multiline_text_is_stored_with_lf_whichever_way_it_comes(as_role, tmp_path):
    from django.core.management import call_command

    client = as_role("editor")
    comparison = bpo_vs_kpo()
    data = form_data(client.get(change_url(comparison)))
    data["conclusion_en"] = "Sent from a browser.\r\n\r\nA second paragraph."
    data["rows-0-first_value_uk"] = "Рядок один.\r\nРядок два."
    assert client.post(change_url(comparison), data).status_code == 302
    comparison = bpo_vs_kpo()
    assert comparison.conclusion_en == "Sent from a browser.\n\nA second paragraph."
    assert comparison.rows.filter(first_value_uk="Рядок один.\nРядок два.").exists()
    # A script (an old Mac's CR too), a queryset update and an import.
    comparison.introduction_de = "Eins.\rZwei."
    comparison.save()
    Comparison.objects.filter(pk=comparison.pk).update(key_difference_uk="Один.\r\nДва.")
    call_command("exportcontent", str(tmp_path), verbosity=0)
    for path in tmp_path.glob("*.json"):
        path.write_text(path.read_text(encoding="utf-8").replace("\\n", "\\r\\n"), encoding="utf-8")
    call_command("loadcontent", str(tmp_path), verbosity=0)
    for model in (Source, Category, CategoryItem, Attribute, Comparison, ComparisonRow):
        for record in model.objects.all():
            texts = [getattr(record, column) for column in changes.compared_columns(model)]
            assert not any("\r" in text for text in texts if isinstance(text, str)), record
    comparison = bpo_vs_kpo()
    assert (comparison.introduction_de, comparison.key_difference_uk) == ("Eins.\nZwei.", "Один.\nДва.")


def test_a_change_of_only_rows_or_sources_renews_the_comparisons_token_and_time(as_role):
    """A form opened before is stale, and the page's date (sitemap, JSON-LD) moves."""
    client = as_role("editor")
    comparison = bpo_vs_kpo()
    source = Source.objects.exclude(comparisons=comparison).first()
    versions = Version.objects.count()
    data = form_data(client.get(change_url(comparison)))
    assert (
        client.post(
            change_url(comparison), {**data, "sources": [*data["sources"], str(source.pk)]}
        ).status_code
        == 302
    )
    after = bpo_vs_kpo()
    assert source in after.sources.all()
    assert after.edit_token != comparison.edit_token and after.updated_at > comparison.updated_at
    assert Version.objects.count() > versions
    # The form opened before the change is refused, not applied over it.
    stale = client.post(change_url(comparison), {**data, "conclusion_en": "Over the sources' change."})
    assert stale.status_code == 200 and bpo_vs_kpo().conclusion_en == comparison.conclusion_en
    # A row changed alone (here by a script) renews them too.
    row = after.rows.first()
    row.first_value_en += " Changed."
    row.save()
    last = bpo_vs_kpo()
    assert last.edit_token != after.edit_token and last.updated_at > after.updated_at


def test_a_draft_published_without_a_change_leaves_the_record_a_token_of_its_own(drafted, editor_client):
    from comparisons.models import Draft

    comparison, _attribute = drafted
    draft_token = Draft.objects.get(object_id=comparison.pk).edit_token
    draft_form = form_data(editor_client.get(change_url(comparison)))
    draft_form["_publish"] = "1"
    assert editor_client.post(change_url(comparison), draft_form).status_code == 302
    published = bpo_vs_kpo()
    assert published.key_difference_en == DRAFT_TEXT
    assert published.edit_token not in {draft_token, comparison.edit_token}
    # The draft's form, sent again, is stale: it neither starts a draft nor overwrites.
    draft_form.pop("_publish")
    draft_form["key_difference_en"] = "Sent again from the draft's form."
    assert editor_client.post(change_url(comparison), draft_form).status_code == 200
    assert bpo_vs_kpo().key_difference_en == DRAFT_TEXT


def crlf_record(comparison):
    """
    The comparison as the admin stored texts before: its introduction in the
    original language with CRLF, one translation made from that (up to date)
    and one from its LF form (outdated by the line breaks only), itself with
    CRLF. Returns the languages: (original, up to date, outdated) and the
    original with LF.
    """
    original = comparison.original_language
    current, by_line_breaks = [code for code in LANGUAGES if code != original]
    crlf = "First paragraph.\r\n\r\nSecond paragraph."
    lf = crlf.replace("\r\n", "\n")
    bases = dict(comparison.translated_from)
    bases["introduction"] = {current: fingerprint(crlf), by_line_breaks: fingerprint(lf)}
    Comparison._base_manager.filter(pk=comparison.pk).update(
        **{
            f"introduction_{original}": crlf,
            f"introduction_{current}": "One.\r\nTwo.",
            "translated_from": bases,
            "outdated_translations": {
                **comparison.outdated_translations,
                f"introduction_{by_line_breaks}": True,
            },
            # Before texts had credits (migration 0024).
            "translation_credits": {},
            "unreviewed_translations": {},
        }
    )
    return (original, current, by_line_breaks), lf


def assert_stored_with_lf_and_up_to_date(languages, lf):
    original, current, by_line_breaks = languages
    after = bpo_vs_kpo()
    assert getattr(after, f"introduction_{original}") == lf
    assert getattr(after, f"introduction_{current}") == "One.\nTwo."
    assert after.translation_status("introduction", current) == UP_TO_DATE
    assert after.translation_status("introduction", by_line_breaks) == UP_TO_DATE
    assert f"introduction_{by_line_breaks}" not in after.outdated_translations


MIGRATION = "0014_texts_with_lf_line_breaks"


def migrate_texts_to_lf():
    """Migration 0014's step, run on the test database with the models as it sees them (plain managers)."""
    migration = importlib.import_module(f"comparisons.migrations.{MIGRATION}")
    migration.texts_with_lf(MigrationLoader(connection).project_state(("comparisons", MIGRATION)).apps, None)


def test_the_migration_stores_texts_with_lf_and_keeps_translations_up_to_date(db):
    languages, lf = crlf_record(bpo_vs_kpo())
    migrate_texts_to_lf()
    assert_stored_with_lf_and_up_to_date(languages, lf)


@pytest.fixture
def before_credits(db):
    """
    The records as they were before migration 0024 gave each text credits:
    saved with none, each text's credits say nothing ("origin unknown"),
    which a draft's fingerprint leaves out.
    """
    with changes.change_set(importing=True):
        for model in changes.translated_models():
            for obj in model._default_manager.all():
                obj.translation_credits = {}
                obj.save()


def test_the_migration_keeps_a_draft_of_a_record_with_crlf_publishable(
    before_credits, drafted, editor_client
):
    comparison, _attribute = drafted
    crlf_record(comparison)
    # The draft started from the record as the admin stored it before.
    Draft.objects.filter(object_id=comparison.pk).update(
        base_fingerprint=drafts.fingerprint(Comparison, comparison.pk)
    )
    migrate_texts_to_lf()
    assert not drafts.is_stale(Draft.objects.get(object_id=comparison.pk))
    assert publish(editor_client, comparison).status_code == 302
    assert bpo_vs_kpo().key_difference_en == DRAFT_TEXT


def test_a_version_or_backup_with_crlf_restores_with_lf_and_its_statuses(db, tmp_path):
    """An old backup's texts are stored with LF, with the statuses they had (a raw restore)."""
    languages, lf = crlf_record(bpo_vs_kpo())
    call_command("exportcontent", str(tmp_path), verbosity=0)
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert_stored_with_lf_and_up_to_date(languages, lf)


def test_the_migrations_copy_of_the_draft_fingerprint_reads_a_record_as_drafts_do(before_credits):
    """
    Records with parts (a comparison's rows). (Attributes and categories have
    gained columns since: see migrations 0017 and 0019.)
    """
    model = Comparison
    migration = importlib.import_module(f"comparisons.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("comparisons", MIGRATION)).apps
    for record in model.objects.all():
        assert migration.draft_base(apps, model._meta.model_name, record.pk) == drafts.fingerprint(
            model, record.pk
        )


DESCRIPTIONS = "0017_attribute_description"


def test_the_description_migrations_copy_of_the_draft_fingerprint_reads_an_attribute_as_drafts_do(
    before_credits,
):
    migration = importlib.import_module(f"comparisons.migrations.{DESCRIPTIONS}")
    apps = MigrationLoader(connection).project_state(("comparisons", DESCRIPTIONS)).apps
    for attribute in Attribute.objects.all():
        assert migration.attribute_base(apps, attribute.pk) == drafts.fingerprint(Attribute, attribute.pk)


def test_a_draft_of_an_attribute_started_before_descriptions_stays_publishable(before_credits, editor_client):
    attribute = Attribute.objects.get(slug="focus")
    Attribute.objects.filter(pk=attribute.pk).update(
        description_en=None, description_uk=None, description_de=None
    )
    data = form_data(editor_client.get(change_url(attribute)))
    data["label_en"], data["_draft"] = "Drafted focus", "1"
    assert editor_client.post(change_url(attribute), data).status_code == 302
    migration = importlib.import_module(f"comparisons.migrations.{DESCRIPTIONS}")
    apps = MigrationLoader(connection).project_state(("comparisons", DESCRIPTIONS)).apps
    drafted = Draft.objects.filter(object_id=attribute.pk, content_type__model="attribute")
    # The draft started from the attribute as it was stored before it had a description.
    drafted.update(
        base_fingerprint=migration.attribute_base(apps, attribute.pk, left_out=migration.NEW_COLUMNS)
    )
    assert drafts.is_stale(drafted.get())
    migration.rebase_fresh_drafts(apps, None)
    assert not drafts.is_stale(drafted.get())
    assert publish(editor_client, attribute).status_code == 302
    assert Attribute.objects.get(pk=attribute.pk).label_en == "Drafted focus"
    # One that was stale before stays stale.
    data = form_data(editor_client.get(change_url(attribute)))
    data["label_en"], data["_draft"] = "Drafted again", "1"
    assert editor_client.post(change_url(attribute), data).status_code == 302
    drafted.update(base_fingerprint="0" * 64)
    migration.rebase_fresh_drafts(apps, None)
    assert drafts.is_stale(drafted.get())


SLUGS_PER_LANGUAGE = "0020_slugs_in_every_language"


def test_the_slug_migrations_copy_of_the_draft_fingerprint_reads_a_category_as_drafts_do(before_credits):
    """Categories with items and values, as drafts.fingerprint() reads them now."""
    migration = importlib.import_module(f"comparisons.migrations.{SLUGS_PER_LANGUAGE}")
    apps = MigrationLoader(connection).project_state(("comparisons", SLUGS_PER_LANGUAGE)).apps
    for category in Category.objects.all():
        assert migration.category_base(apps, category.pk) == drafts.fingerprint(Category, category.pk)


def test_a_draft_of_a_category_started_before_slugs_per_language_stays_publishable(
    before_credits, editor_client
):
    """
    The migration renews the fingerprint of a draft started before it (the
    one slug), and the draft's own record, stored with the one slug, renames
    the category in every language.
    """
    category = Category.objects.get(slug="ito")
    data = form_data(editor_client.get(change_url(category)))
    data["name_en"], data["_draft"] = "Drafted name", "1"
    assert editor_client.post(change_url(category), data).status_code == 302
    migration = importlib.import_module(f"comparisons.migrations.{SLUGS_PER_LANGUAGE}")
    apps = MigrationLoader(connection).project_state(("comparisons", SLUGS_PER_LANGUAGE)).apps
    drafted = Draft.objects.filter(object_id=category.pk, content_type__model="category")
    # As the draft was stored before: its category's record with one slug, and the fingerprint then.
    draft = drafted.get()
    for record in draft.records:
        if record["model"] == "comparisons.category":
            slugs = {name: record["fields"].pop(name) for name in ("slug_en", "slug_uk", "slug_de")}
            assert set(slugs.values()) == {"ito"}
            record["fields"]["slug"] = "ito-drafted"
    drafted.update(
        records=draft.records, base_fingerprint=migration.category_base(apps, category.pk, before=True)
    )
    assert drafts.is_stale(drafted.get())
    migration.slug_in_every_language(apps, None)
    assert not drafts.is_stale(drafted.get())
    assert publish(editor_client, category).status_code == 302
    category.refresh_from_db()
    assert (category.name_en, category.slug_en, category.slug_uk, category.slug_de) == (
        "Drafted name",
        *["ito-drafted"] * 3,
    )
    # The old address leads to the new one in every language.
    for code in ("en", "uk", "de"):
        response = editor_client.get(f"/{code}/ito-vs-bpo/")
        assert response.status_code == 301
        assert response["Location"] == f"/{code}/bpo-vs-ito-drafted/"


def test_a_save_of_a_record_stored_with_crlf_stores_lf_and_keeps_the_statuses(db):
    languages, lf = crlf_record(bpo_vs_kpo())
    bpo_vs_kpo().save()
    assert_stored_with_lf_and_up_to_date(languages, lf)


def test_a_version_with_crlf_reverts_with_lf_and_shows_no_change_it_does_not_make(db):
    """History's revert of a version the admin stored before, and its list of what the revert changes."""
    languages, lf = crlf_record(bpo_vs_kpo())
    with reversion.create_revision():
        reversion.add_to_revision(bpo_vs_kpo())
    version = Version.objects.get_for_object(bpo_vs_kpo()).first()
    migrate_texts_to_lf()
    assert Snapshot.of_version(version).differences()["fields"] == []
    live = bpo_vs_kpo()
    live.conclusion_en += " Later."
    live.save()
    with changes.change_set(reason="Revert"):
        Snapshot.of_version(version).restore()
    assert_stored_with_lf_and_up_to_date(languages, lf)


def test_an_import_in_bulk_stores_texts_with_lf(db):
    with changes.change_set(importing=True):
        (made,) = Source.objects.bulk_create(
            [
                Source(
                    seed_file="bulk.txt",
                    language="en",
                    **trilingual("title", "One\r\nTwo"),
                    **trilingual("site", "s"),
                )
            ]
        )
    assert Source.objects.get(pk=made.pk).title_en == "One\nTwo"


def test_djangos_loaddata_restores_a_comparison_with_its_links_as_it_was(db, tmp_path):
    comparison = bpo_vs_kpo()
    path = tmp_path / "comparison.json"
    call_command("dumpdata", "comparisons.comparison", f"--pks={comparison.pk}", output=str(path))
    records = json.loads(path.read_text())
    records[0]["fields"].update(edit_token="f" * 32, updated_at="2020-01-01T00:00:00Z")
    path.write_text(json.dumps(records))
    Comparison.sources.through.objects.filter(comparison_id=comparison.pk).delete()
    call_command("loaddata", str(path), verbosity=0)
    after = bpo_vs_kpo()
    assert after.sources.exists()
    assert (after.edit_token, after.updated_at.year) == ("f" * 32, 2020)


def test_a_row_moved_to_another_comparison_renews_both(make_category, make_comparison):
    old = make_comparison(make_category("aa"), make_category("bb"))
    new = bpo_vs_kpo()
    versions = Version.objects.get_for_object(old).count()
    row = old.rows.get()
    row.comparison = new
    row.save()
    for before in (old, new):
        after = Comparison.objects.get(pk=before.pk)
        assert after.edit_token != before.edit_token and after.updated_at > before.updated_at
    assert Version.objects.get_for_object(old).count() == versions + 1  # its history says the row left


def test_line_breaks_stored_as_crlf_are_no_change_of_their_text(db):
    """
    A text stored with CRLF (by raw SQL, say) is not changed by a translator of
    another language, nor made up to date by the save.
    """
    comparison = bpo_vs_kpo()
    other = next(code for code in ("de", "en") if code != comparison.original_language)
    Comparison._base_manager.filter(pk=comparison.pk).update(
        **{
            f"introduction_{other}": "Eins.\r\nZwei.",
            "outdated_translations": {f"introduction_{other}": True},
            "translated_from": {**comparison.translated_from, "introduction": {other: "0" * 16}},
        }
    )
    comparison = bpo_vs_kpo()
    comparison.conclusion_uk = "Новий висновок."
    with changes.change_set(user=make_user("translator-uk")):
        comparison.save()
    after = bpo_vs_kpo()
    assert after.conclusion_uk == "Новий висновок."
    assert after.translation_status("introduction", other) == OUTDATED


def test_links_changed_in_the_shell_renew_the_token_and_time_from_either_side(db):
    comparison = bpo_vs_kpo()
    source = Source.objects.exclude(comparisons=comparison).first()
    comparison.sources.add(source)
    added = bpo_vs_kpo()
    assert added.edit_token != comparison.edit_token and added.updated_at > comparison.updated_at
    source.comparisons.remove(comparison)
    assert bpo_vs_kpo().edit_token != added.edit_token


def test_a_part_written_with_its_owners_key_as_text_has_not_moved(db):
    comparison = bpo_vs_kpo()
    row = comparison.rows.first()
    versions = Version.objects.get_for_object(comparison).count()
    ComparisonRow.objects.filter(pk=row.pk).update(comparison=str(comparison.pk))
    assert Version.objects.get_for_object(comparison).count() <= versions + 1
