"""The editors' admin: every model's pages render and save; bad edits are refused."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import translation

from comparisons.checks import check_slugs_join
from comparisons.models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Source,
)
from tests.helpers import (
    PASSWORD,
    admin_url,
    bpo_vs_kpo,
    change,
    editor,
    form_data,
    make_user,
    post_change_form,
)

MODELS = [Source, Category, CategoryItem, Attribute, AttributeValue, Comparison, ComparisonRow]


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", PASSWORD)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_form_render(editor_client, db, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == 200
    assert editor_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_form_renders_and_saves_unchanged(editor_client, db, model):
    obj = model.objects.order_by("pk").first()
    url = admin_url(model, "change", obj.pk)
    response = editor_client.get(url)
    assert response.status_code == 200
    response = editor_client.post(url, form_data(response))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response.url == admin_url(model, "changelist")


def test_change_form_saves_an_edited_translation(editor_client, db):
    comparison = bpo_vs_kpo()
    url = admin_url(Comparison, "change", comparison.pk)
    data = form_data(editor_client.get(url))
    data["key_difference_de"] = "Neuer Text."
    assert editor_client.post(url, data).status_code == 302
    comparison.refresh_from_db()
    assert comparison.key_difference_de == "Neuer Text."
    assert comparison.rows.count() == 7


@pytest.mark.parametrize("slug", ["bpo-vs-kpo", "vs", "vs-bpo", "bpo-vs"])
def test_a_slug_with_vs_as_a_word_is_refused_with_a_message(editor_client, db, slug):
    """Comparison addresses join slugs with "-vs-": such a slug would make them ambiguous."""
    bpo = Category.objects.get(slug="bpo")
    url = admin_url(Category, "change", bpo.pk)
    data = form_data(editor_client.get(url))
    data["slug_en"] = slug
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "comparison addresses join slugs" in str(response.context["adminform"].form.errors["slug_en"])
    assert Category.objects.filter(slug="bpo").exists()
    data["slug_en"] = "bpo-versus"  # "vs" inside a word is fine
    assert editor_client.post(url, data).status_code == 302


def test_change_list_filters_by_missing_translation(editor_client, db):
    change(Category.objects.filter(slug="ito"), summary_de="")
    response = editor_client.get(admin_url(Category, "changelist"), {"translation": "missing-de"})
    assert [c.slug for c in response.context["cl"].result_list] == ["ito"]


def test_comparison_list_filters_by_either_category(editor_client, db):
    kpo = Category.objects.get(slug="kpo")
    response = editor_client.get(admin_url(Comparison, "changelist"), {"category": kpo.pk})
    assert [str(c) for c in response.context["cl"].result_list] == ["BPO vs KPO"]


def test_reversed_pair_is_refused_with_a_message_and_nothing_saved(editor_client, db):
    existing = bpo_vs_kpo()
    data = form_data(editor_client.get(admin_url(Comparison, "change", existing.pk)))
    data = {key: value for key, value in data.items() if not key.startswith("rows-")}
    data.update({"first": str(existing.second_id), "second": str(existing.first_id)})
    data.update({"rows-TOTAL_FORMS": "0", "rows-INITIAL_FORMS": "0"})
    before = Comparison.objects.count()
    response = editor_client.post(admin_url(Comparison, "add"), data)
    assert response.status_code == 200
    assert "already compared" in response.content.decode()
    assert Comparison.objects.count() == before


def test_self_comparison_is_refused_in_the_editors_language(editor_client, db):
    existing = bpo_vs_kpo()
    data = form_data(editor_client.get(admin_url(Comparison, "change", existing.pk)))
    data["second"] = data["first"]
    with translation.override("uk"):
        response = editor_client.post(
            admin_url(Comparison, "change", existing.pk), data, headers={"accept-language": "uk"}
        )
    assert response.status_code == 200
    assert "Категорію не можна порівнювати саму з собою." in response.content.decode()
    existing.refresh_from_db()
    assert existing.second.slug == "kpo"


def test_english_text_is_required_in_the_form(editor_client, db):
    category = Category.objects.get(slug="bpo")
    url = admin_url(Category, "change", category.pk)
    data = form_data(editor_client.get(url))
    data["name_en"] = ""
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "name_en" in response.context["adminform"].form.errors
    category.refresh_from_db()
    assert category.name_en


def test_translated_fields_are_tabbed_and_jquery_ui_is_served_locally(editor_client, db):
    response = editor_client.get(admin_url(Comparison, "change", Comparison.objects.first().pk))
    html = response.content.decode()
    assert "modeltranslation/js/tabbed_translation_fields." in html
    assert "vendor/jquery-ui/jquery-ui.min." in html
    assert "googleapis" not in html


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_anonymous_users_are_redirected_to_the_login(client, db, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", ["translator-uk", "editor", "staff without rights"])
def test_the_admin_index_links_the_translation_work_for_whoever_may_translate(client, db, role):
    if role == "staff without rights":
        user = get_user_model().objects.create_user("staff", password=PASSWORD, is_staff=True)
    else:
        user = make_user(role)
    client.force_login(user)
    shown = "Translation work" in client.get(reverse("admin:index")).content.decode()
    assert shown is (role != "staff without rights")


def test_every_language_of_the_settings_has_its_translator_right():
    """The rights' names are written out (each is a sentence of its own in every language)."""
    names = {codename for codename, _label in Comparison._meta.permissions}
    assert names == {f"translate_{code}" for code, _name in settings.LANGUAGES}


def test_the_row_lists_comparison_filter_names_only_the_chosen_comparison(db):
    """Listing every comparison would be 100 000 links in the sidebar at scale."""
    client = editor("anna")
    changelist = admin_url(ComparisonRow, "changelist")
    comparison = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
    other = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    html = client.get(changelist).content.decode()
    assert f"comparison__id__exact={other.pk}" not in html
    html = client.get(f"{changelist}?comparison__id__exact={comparison.pk}").content.decode()
    assert f"comparison__id__exact={comparison.pk}" in html
    assert f"comparison__id__exact={other.pk}" not in html
    response = client.get(f"{changelist}?comparison__id__exact=not-a-key")
    assert response.status_code in (200, 302)


def test_a_text_longer_than_any_field_may_hold_is_refused_with_a_message(editor_client, db):
    comparison = bpo_vs_kpo()
    before = comparison.introduction_uk
    response = post_change_form(editor_client, comparison, introduction_uk="й" * 20_001)
    assert response.status_code == 200
    assert "at most 20000 characters (it has 20001)" in str(response.context["errors"])
    comparison.refresh_from_db()
    assert comparison.introduction_uk == before


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_change_form_costs_the_same_queries_whatever_its_number_of_parts(
    editor_client, make_category, make_comparison, source
):
    """Each part's choices and legend (an attribute's label) are read once for all of them."""
    first, second = make_category("aaa"), make_category("bbb")
    comparison = make_comparison(first, second, rows=1)
    attribute = comparison.rows.get().attribute
    AttributeValue.objects.create(category=first, attribute=attribute, source=source, value_en="One.")
    CategoryItem.objects.create(category=first, kind="service", name_en="One", source=source)
    before = {
        obj: count_queries(editor_client, admin_url(type(obj), "change", obj.pk))
        for obj in (first, comparison)
    }
    for index in range(1, 6):
        other = Attribute.objects.create(slug=f"more-{index}", label_en=f"More {index}", order=index)
        ComparisonRow.objects.create(
            comparison=comparison, attribute=other, source=source, first_value_en="a", second_value_en="b"
        )
        AttributeValue.objects.create(category=first, attribute=other, source=source, value_en=f"{index}.")
        CategoryItem.objects.create(category=first, kind="service", name_en=f"Item {index}", source=source)
    for obj, count in before.items():
        assert count_queries(editor_client, admin_url(type(obj), "change", obj.pk)) == count, obj


def test_a_slug_stored_before_the_rule_is_named_by_the_checks(db):
    """migrate and `check --database` warn of a slug with "vs" as a word that an older version stored."""
    assert check_slugs_join(None, databases=["default"]) == []
    with connection.cursor() as cursor:  # as an older version could store it: no save would
        cursor.execute("UPDATE comparisons_category SET slug_en = 'it-vs-outsourcing' WHERE slug_en = 'ito'")
    assert [(w.id, "it-vs-outsourcing" in w.msg) for w in check_slugs_join(None, databases=["default"])] == [
        ("comparisons.W002", True)
    ]
    assert check_slugs_join(None) == []  # no database named: not looked at
