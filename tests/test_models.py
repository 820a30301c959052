"""
The content rules hold in the database itself, not only in forms. The tests
make categories of their own, beside the seeded ones (other slugs).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from comparisons.models import Attribute, Category, Comparison, ComparisonRow
from tests.helpers import trilingual


def comparison_text():
    return {
        **trilingual("key_difference", "Key."),
        **trilingual("introduction", "Intro."),
        **trilingual("conclusion", "End."),
    }


def test_self_comparison_is_rejected_by_the_database(make_category):
    rpo = make_category("rpo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=rpo, second=rpo, **comparison_text())


def test_reversed_duplicate_pair_is_rejected_by_the_database(make_category):
    rpo, hro = make_category("rpo"), make_category("hro")
    Comparison.objects.create(first=rpo, second=hro, **comparison_text())
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=hro, second=rpo, **comparison_text())


def test_same_pair_twice_is_rejected_by_the_database(make_category):
    rpo, hro = make_category("rpo"), make_category("hro")
    Comparison.objects.create(first=rpo, second=hro, **comparison_text())
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=rpo, second=hro, **comparison_text())


def test_duplicate_category_slug_is_rejected_by_the_database(make_category):
    make_category("rpo")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category("rpo")


def test_duplicate_attribute_slug_is_rejected_by_the_database(db):
    Attribute.objects.create(slug="turnaround", **trilingual("label", "Turnaround"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Attribute.objects.create(slug="turnaround", **trilingual("label", "Turnaround again"))


@pytest.mark.parametrize("empty", ["", None])
def test_empty_english_text_is_rejected_by_the_database(make_category, empty):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category("rpo", name_en=empty)


def test_empty_slug_is_rejected_by_the_database(make_category):
    with pytest.raises(ValidationError):  # a save checks it first
        make_category("")
    rpo = make_category("rpo")
    for column in ("slug_en", "slug_uk", "slug_de"):
        for empty in ("", None):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE comparisons_category SET {column} = %s WHERE id = %s", [empty, rpo.pk]
                )


def test_a_slug_a_script_sets_is_checked_like_the_forms(make_category):
    """A slug is an address: what would break pages is refused on save, whoever saves."""
    rpo = make_category("rpo")
    for slug in (" ", "geschäft", "a b", "a-vs-b", "x" * 81):
        rpo.slug_de = slug
        with pytest.raises(ValidationError, match="slug_de"):
            rpo.save()
    assert Category.objects.get(pk=rpo.pk).slug_de == "rpo"


def test_category_cannot_be_its_own_parent_in_the_database(make_category):
    rpo = make_category("rpo")
    rpo.parent = rpo
    with pytest.raises(IntegrityError), transaction.atomic():
        rpo.save()


def test_attribute_appears_once_per_comparison(make_comparison, make_category, source):
    comparison = make_comparison(make_category("rpo"), make_category("hro"), rows=1)
    row = comparison.rows.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ComparisonRow.objects.create(
            comparison=comparison,
            attribute=row.attribute,
            source=source,
            **trilingual("first_value", "a"),
            **trilingual("second_value", "b"),
        )


def test_reversed_pair_gets_a_clear_validation_message(make_category):
    rpo, hro = make_category("rpo"), make_category("hro")
    Comparison.objects.create(first=rpo, second=hro, **comparison_text())
    with pytest.raises(ValidationError) as error:
        Comparison(first=hro, second=rpo, **comparison_text()).full_clean()
    assert "already compared" in str(error.value)


def test_self_comparison_gets_a_clear_validation_message(make_category):
    rpo = make_category("rpo")
    with pytest.raises(ValidationError) as error:
        Comparison(first=rpo, second=rpo, **comparison_text()).full_clean()
    assert "cannot be compared with itself" in str(error.value)


def test_ancestor_loop_is_rejected_by_validation(make_category):
    offshoring = make_category("offshoring")
    rpo = make_category("rpo", parent=offshoring)
    offshoring.parent = rpo
    with pytest.raises(ValidationError) as error:
        offshoring.full_clean()
    assert "parent" in error.value.message_dict


def test_of_pair_finds_the_comparison_in_either_order(make_comparison, make_category):
    rpo, hro, fao = make_category("rpo"), make_category("hro"), make_category("fao")
    comparison = make_comparison(rpo, hro)
    make_comparison(rpo, fao)
    assert Comparison.objects.of_pair(hro, rpo).get() == comparison
    assert Comparison.objects.of_pair(rpo, hro).get() == comparison
    assert not Comparison.objects.of_pair(hro, fao).exists()


def test_missing_translations_treats_null_and_empty_alike(make_category):
    rpo = make_category("rpo", summary_uk=None, description_uk="")
    assert rpo.missing_translations("uk") == ["summary", "description"]
    assert rpo.missing_translations("de") == []
    complete = make_category("lpo")
    mine = Category.objects.filter(pk__in=[rpo.pk, complete.pk])
    assert list(mine.filter(Category.missing_translation_q("uk"))) == [rpo]
    assert not mine.filter(Category.missing_translation_q("de")).exists()


def test_related_to_lists_other_comparisons_of_either_category_latest_first(make_comparison, make_category):
    rpo, hro, fao, help_desk, lpo = (
        make_category(slug) for slug in ("rpo", "hro", "fao", "help-desk", "lpo")
    )
    comparison = make_comparison(rpo, hro)
    older = make_comparison(rpo, fao)
    newer = make_comparison(hro, help_desk)
    make_comparison(fao, lpo)  # shares no category
    make_comparison(rpo, lpo, is_published=False)
    related = Comparison.objects.published().related_to(comparison, 10)
    assert list(related) == [newer, older]
    assert list(Comparison.objects.published().related_to(comparison, 1)) == [newer]
