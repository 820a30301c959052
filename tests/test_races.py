"""Races and moved rows are answered with a message, never a 500 or a change to another record."""

from django.forms.models import BaseModelForm
from reversion.models import Version

from comparisons.models import Category, Comparison, ComparisonRow
from tests.helpers import admin_url, bpo_vs_kpo, editor, form_data, trilingual


def category_form(client, slug):
    data = form_data(client.get(admin_url(Category, "add")))
    for code in ("en", "uk", "de"):
        data |= {
            f"abbreviation_{code}": "RPO",
            f"nominative_{code}": "RPO",
            f"name_{code}": "Recruitment process outsourcing",
            f"summary_{code}": "Hiring, outsourced.",
            f"description_{code}": "Recruitment handed to a provider.",
        }
    return data | {**trilingual("slug", slug, slug, slug), "order": "9", "original_language": "en"}


def test_two_editors_adding_the_same_slug_at_once_get_the_forms_message(db, monkeypatch):
    anna, olena = editor("anna"), editor("olena")
    data = category_form(anna, "rpo")
    # Olena's form was checked before Anna's add committed, so it did not see the slug taken:
    # the database refuses her insert, as it does in a real race.
    checked = BaseModelForm.validate_unique
    missed = []

    def checked_before_the_other_add(form):
        if isinstance(form.instance, Category) and not missed:
            missed.append(form)
            return None
        return checked(form)

    assert anna.post(admin_url(Category, "add"), data).status_code == 302
    monkeypatch.setattr(BaseModelForm, "validate_unique", checked_before_the_other_add)
    response = olena.post(admin_url(Category, "add"), category_form(olena, "rpo"))

    assert missed, "the race was not staged"
    assert response.status_code == 200
    assert "Category with this Slug [en] already exists." in str(response.context["errors"])
    assert Category.objects.filter(slug="rpo").count() == 1


def test_a_revert_leaves_a_row_moved_to_another_comparison_where_it_is(db):
    client = editor("anna")
    first = bpo_vs_kpo()
    second = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    taken = set(second.rows.values_list("attribute", flat=True))
    row = first.rows.exclude(attribute__in=taken).order_by("pk").first()
    url = admin_url(ComparisonRow, "change", row.pk)
    # The row is edited on its own form (the version of BPO vs KPO then has it), then moved
    # to BPO vs call centre; reverting BPO vs KPO to that version must not take it back.
    data = form_data(client.get(url)) | {"first_value_en": "Edited on its own form."}
    assert client.post(url, data).status_code == 302
    data = form_data(client.get(url)) | {"comparison": str(second.pk)}
    assert client.post(url, data).status_code == 302
    second_versions = Version.objects.get_for_object(second).count()

    # The newest version of BPO vs KPO is the row's leaving; the one before has it.
    with_row = Version.objects.get_for_object(first)[1]
    revision_url = admin_url(Comparison, "revision", first.pk, with_row.pk)
    screen = client.get(revision_url)
    assert screen.context["revert_plan"]["elsewhere"] == [(newest_repr(row), second)]
    assert "stays in “BPO vs call centre”" in screen.content.decode()
    assert client.post(revision_url, form_data(screen)).status_code == 302

    row.refresh_from_db()
    assert row.comparison_id == second.pk  # still in the comparison it was moved to
    assert row.first_value_en == "Edited on its own form."
    assert Version.objects.get_for_object(second).count() == second_versions


def newest_repr(row):
    return Version.objects.get_for_object(row).order_by("pk")[1].object_repr
