"""Nothing lost: history with revert and undelete, and no silent overwrite by a second editor."""

import json

import reversion
from django.urls import reverse
from reversion.models import Version

from comparisons.models import Category, Comparison, ComparisonRow
from comparisons.phrases import CASES
from tests.helpers import LANGUAGES, admin_url, bpo_vs_kpo, editor, form_data, get_writing_nothing, trilingual


def texts(obj):
    return {
        f"{field}_{code}": getattr(obj, f"{field}_{code}")
        for field in obj.translated_fields()
        for code in LANGUAGES
    }


def test_revert_restores_every_language_of_the_record_and_its_rows(db):
    client = editor("anna")
    obj = bpo_vs_kpo()
    original, original_rows = texts(obj), [texts(row) for row in obj.rows.order_by("pk")]
    data = form_data(client.get(admin_url(Comparison, "change", obj.pk)))
    for code in LANGUAGES:
        data[f"key_difference_{code}"] = f"Rewritten ({code})."
        data[f"rows-0-first_value_{code}"] = f"Row rewritten ({code})."
    assert client.post(admin_url(Comparison, "change", obj.pk), data).status_code == 302
    assert bpo_vs_kpo().key_difference_de == "Rewritten (de)."

    history = client.get(reverse("admin:comparisons_comparison_history", args=[obj.pk]))
    html = history.content.decode()
    assert "key difference (de)" in html and "Rewritten (de)." in html  # a per-language diff

    first_version = Version.objects.get_for_object(obj).order_by("revision__date_created", "pk").first()
    revision_url = reverse("admin:comparisons_comparison_revision", args=[obj.pk, first_version.pk])
    response = client.post(revision_url, form_data(client.get(revision_url)))
    assert response.status_code == 302
    reverted = bpo_vs_kpo()
    assert texts(reverted) == original
    assert [texts(row) for row in reverted.rows.order_by("pk")] == original_rows


def test_the_revert_and_recover_screens_show_the_version_without_writing_it(db):
    client = editor("anna")
    obj = bpo_vs_kpo()
    first = Version.objects.get_for_object(obj).order_by("pk").first()
    old_text = obj.key_difference_en
    data = form_data(client.get(admin_url(Comparison, "change", obj.pk)))
    data["key_difference_en"] = "Rewritten since."
    data["rows-0-DELETE"] = "on"
    assert client.post(admin_url(Comparison, "change", obj.pk), data).status_code == 302

    screen = get_writing_nothing(client, admin_url(Comparison, "revision", obj.pk, first.pk))
    assert screen.context["adminform"].form["key_difference_en"].value() == old_text
    assert len(screen.context["inline_admin_formsets"][0].formset.forms) == obj.rows.count() + 1
    assert bpo_vs_kpo().key_difference_en == "Rewritten since."

    client.post(admin_url(Comparison, "delete", obj.pk), {"post": "yes"})
    deleted = Version.objects.get_deleted(Comparison).get(object_id=str(obj.pk))
    screen = get_writing_nothing(client, admin_url(Comparison, "recover", deleted.pk))
    assert screen.context["adminform"].form["key_difference_en"].value() == "Rewritten since."
    assert not Comparison.objects.filter(pk=obj.pk).exists()


def test_a_version_of_another_model_is_not_found(db):
    client = editor("anna")
    category = Category.objects.get(slug="bpo")
    version = Version.objects.get_for_object(category).first()
    assert client.get(admin_url(Comparison, "recover", version.pk)).status_code == 404
    assert client.get(admin_url(Comparison, "revision", category.pk, version.pk)).status_code == 404


def test_a_deleted_comparison_is_recovered_with_its_rows(db):
    client = editor("anna")
    obj = bpo_vs_kpo()
    original, rows = texts(obj), {row.pk: texts(row) for row in obj.rows.all()}
    response = client.post(reverse("admin:comparisons_comparison_delete", args=[obj.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Comparison.objects.filter(pk=obj.pk).exists()
    assert not ComparisonRow.objects.filter(pk__in=rows).exists()

    recover_list = client.get(reverse("admin:comparisons_comparison_recoverlist"))
    assert "BPO vs KPO" in recover_list.content.decode()
    deleted = Version.objects.get_deleted(Comparison).get(object_id=str(obj.pk))
    recover_url = reverse("admin:comparisons_comparison_recover", args=[deleted.pk])
    assert client.post(recover_url, form_data(client.get(recover_url))).status_code == 302
    recovered = bpo_vs_kpo()
    assert texts(recovered) == original
    assert {row.pk: texts(row) for row in recovered.rows.all()} == rows


def test_second_editor_is_told_what_changed_instead_of_overwriting(db):
    first, second = editor("anna"), editor("bohdan")
    obj = bpo_vs_kpo()
    first_data = form_data(first.get(admin_url(Comparison, "change", obj.pk)))
    second_data = form_data(second.get(admin_url(Comparison, "change", obj.pk)))

    first_data["key_difference_de"] = "Annas Fassung."
    assert first.post(admin_url(Comparison, "change", obj.pk), first_data).status_code == 302

    second_data["conclusion_en"] = "Bohdan's version."
    response = second.post(admin_url(Comparison, "change", obj.pk), second_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record after you opened it" in html
    assert "anna" in html
    assert "key difference (de)" in html
    current = bpo_vs_kpo()
    assert current.key_difference_de == "Annas Fassung."
    assert current.conclusion_en != "Bohdan's version."

    # Reloading gives a fresh form that saves.
    fresh = form_data(second.get(admin_url(Comparison, "change", obj.pk)))
    fresh["conclusion_en"] = "Bohdan's version."
    assert second.post(admin_url(Comparison, "change", obj.pk), fresh).status_code == 302
    assert bpo_vs_kpo().key_difference_de == "Annas Fassung."


def test_an_inline_row_edit_conflicts_with_an_open_parent_form(db):
    first, second = editor("anna"), editor("bohdan")
    obj = bpo_vs_kpo()
    first_data = form_data(first.get(admin_url(Comparison, "change", obj.pk)))
    second_data = form_data(second.get(admin_url(Comparison, "change", obj.pk)))
    first_data["rows-1-second_value_uk"] = "Змінено."
    assert first.post(admin_url(Comparison, "change", obj.pk), first_data).status_code == 302
    second_data["rows-1-second_value_uk"] = "Інша зміна."
    assert second.post(admin_url(Comparison, "change", obj.pk), second_data).status_code == 200
    assert bpo_vs_kpo().rows.order_by("order", "pk")[1].second_value_uk == "Змінено."


def test_saving_a_row_on_its_own_conflicts_with_an_open_comparison_form(db):
    first, second = editor("anna"), editor("bohdan")
    obj = bpo_vs_kpo()
    row = obj.rows.order_by("pk").first()
    comparison_data = form_data(second.get(admin_url(Comparison, "change", obj.pk)))
    row_data = form_data(first.get(admin_url(ComparisonRow, "change", row.pk)))
    row_data["first_value_en"] = "Changed on its own page."
    assert first.post(admin_url(ComparisonRow, "change", row.pk), row_data).status_code == 302
    response = second.post(admin_url(Comparison, "change", obj.pk), comparison_data)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()


def saved_before_the_word_forms(version):
    """The version as it was stored before migration 0007 added the category's word forms."""
    data = json.loads(version.serialized_data)
    for name in list(data[0]["fields"]):
        if name.partition("_")[0] in CASES:
            del data[0]["fields"][name]
    version.serialized_data = json.dumps(data)
    version.save()


def test_reverting_to_a_version_older_than_a_field_keeps_the_field_as_it_is(as_role):
    client = as_role("editor")
    category = Category.objects.get(slug="call-centre")
    first = Version.objects.get_for_object(category).order_by("pk").first()
    saved_before_the_word_forms(first)
    category.summary_en = "A summary written since."
    category.instrumental_uk = "центром обслуговування"
    category.save()
    url = admin_url(Category, "revision", category.pk, first.pk)

    screen = client.get(url)
    assert screen.status_code == 200
    labels = [label for label, _now, _then in screen.context["revert_plan"]["fields"]]
    assert not any(case in label for label in labels for case in CASES), labels
    assert client.post(url, form_data(screen)).status_code == 302
    category.refresh_from_db()
    assert category.summary_en != "A summary written since."
    assert category.nominative_en == "call centre"
    assert category.instrumental_uk == "центром обслуговування"  # the version never had it: left as it is


def test_recovering_a_record_that_breaks_a_later_rule_is_refused_with_a_message(as_role):
    client = as_role("editor")
    category = make_deletable_category()
    version = Version.objects.get_for_object(category).order_by("pk").first()
    saved_before_the_word_forms(version)
    category.delete()
    response = client.get(admin_url(Category, "recover", version.pk), follow=True)
    assert response.status_code == 200
    assert "cannot be restored" in " ".join(str(m) for m in response.context["messages"])
    assert not Category.objects.filter(slug="rpo").exists()


def make_deletable_category():
    category = Category.objects.create(
        slug="rpo",
        **trilingual("abbreviation", "RPO"),
        **trilingual("nominative", "RPO"),
        **trilingual("name", "Recruitment process outsourcing"),
        **trilingual("summary", "Hiring, outsourced."),
        **trilingual("description", "A longer text about RPO."),
    )
    with reversion.create_revision():
        reversion.add_to_revision(category)
    return category
