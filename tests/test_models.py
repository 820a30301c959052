"""The content rules hold in the database itself, not only in forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from comparisons.models import Attribute, Category, Comparison, ComparisonRow
from tests.conftest import trilingual


def comparison_text():
    return {
        **trilingual("key_difference", "Key."),
        **trilingual("introduction", "Intro."),
        **trilingual("conclusion", "End."),
    }


def test_self_comparison_is_rejected_by_the_database(make_category):
    bpo = make_category("bpo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=bpo, second=bpo, **comparison_text())


def test_reversed_duplicate_pair_is_rejected_by_the_database(make_category):
    bpo, kpo = make_category("bpo"), make_category("kpo")
    Comparison.objects.create(first=bpo, second=kpo, **comparison_text())
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=kpo, second=bpo, **comparison_text())


def test_same_pair_twice_is_rejected_by_the_database(make_category):
    bpo, kpo = make_category("bpo"), make_category("kpo")
    Comparison.objects.create(first=bpo, second=kpo, **comparison_text())
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(first=bpo, second=kpo, **comparison_text())


def test_duplicate_category_slug_is_rejected_by_the_database(make_category):
    make_category("bpo")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category("bpo")


def test_duplicate_attribute_slug_is_rejected_by_the_database(db):
    Attribute.objects.create(slug="process", **trilingual("label", "Process"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Attribute.objects.create(slug="process", **trilingual("label", "Process again"))


@pytest.mark.parametrize("empty", ["", None])
def test_empty_english_text_is_rejected_by_the_database(make_category, empty):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category("bpo", name_en=empty)


def test_empty_slug_is_rejected_by_the_database(make_category):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_category("")


def test_category_cannot_be_its_own_parent_in_the_database(make_category):
    bpo = make_category("bpo")
    bpo.parent = bpo
    with pytest.raises(IntegrityError), transaction.atomic():
        bpo.save()


def test_attribute_appears_once_per_comparison(make_comparison, make_category, source):
    comparison = make_comparison(make_category("bpo"), make_category("kpo"), rows=1)
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
    bpo, kpo = make_category("bpo"), make_category("kpo")
    Comparison.objects.create(first=bpo, second=kpo, **comparison_text())
    with pytest.raises(ValidationError) as error:
        Comparison(first=kpo, second=bpo, **comparison_text()).full_clean()
    assert "already compared" in str(error.value)


def test_self_comparison_gets_a_clear_validation_message(make_category):
    bpo = make_category("bpo")
    with pytest.raises(ValidationError) as error:
        Comparison(first=bpo, second=bpo, **comparison_text()).full_clean()
    assert "cannot be compared with itself" in str(error.value)


def test_ancestor_loop_is_rejected_by_validation(make_category):
    outsourcing = make_category("outsourcing")
    bpo = make_category("bpo", parent=outsourcing)
    outsourcing.parent = bpo
    with pytest.raises(ValidationError) as error:
        outsourcing.full_clean()
    assert "parent" in error.value.message_dict


def test_for_slugs_finds_the_comparison_in_either_order(make_comparison, make_category):
    bpo, kpo, ito = make_category("bpo"), make_category("kpo"), make_category("ito")
    comparison = make_comparison(bpo, kpo)
    make_comparison(bpo, ito)
    assert Comparison.objects.for_slugs("kpo", "bpo").get() == comparison
    assert Comparison.objects.for_slugs("bpo", "kpo").get() == comparison
    assert not Comparison.objects.for_slugs("kpo", "ito").exists()


def test_missing_translations_treats_null_and_empty_alike(make_category):
    bpo = make_category("bpo", summary_uk=None, description_uk="")
    assert bpo.missing_translations("uk") == ["summary", "description"]
    assert bpo.missing_translations("de") == []
    assert list(Category.objects.filter(Category.missing_translation_q("uk"))) == [bpo]
    assert not Category.objects.filter(Category.missing_translation_q("de")).exists()


def test_related_to_lists_other_comparisons_of_either_category_latest_first(make_comparison, make_category):
    bpo, kpo, ito, cc, oth = (make_category(slug) for slug in ("bpo", "kpo", "ito", "call-centre", "other"))
    comparison = make_comparison(bpo, kpo)
    older = make_comparison(bpo, ito)
    newer = make_comparison(kpo, cc)
    make_comparison(ito, oth)  # shares no category
    make_comparison(bpo, oth, is_published=False)
    related = Comparison.objects.published().related_to(comparison, 10)
    assert list(related) == [newer, older]
    assert list(Comparison.objects.published().related_to(comparison, 1)) == [newer]
