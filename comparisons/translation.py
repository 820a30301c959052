from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from .models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Source,
)

# Every record has its English text: it is what any other language falls back to.
ENGLISH = (settings.MODELTRANSLATION_DEFAULT_LANGUAGE,)


@register(Source)
class SourceTranslationOptions(TranslationOptions):
    fields = ("title", "site")
    required_languages = ENGLISH


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("abbreviation", "name", "summary", "description")
    required_languages = ENGLISH


@register(CategoryItem)
class CategoryItemTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ENGLISH


@register(Attribute)
class AttributeTranslationOptions(TranslationOptions):
    fields = ("label",)
    required_languages = ENGLISH


@register(AttributeValue)
class AttributeValueTranslationOptions(TranslationOptions):
    fields = ("value",)
    required_languages = ENGLISH


@register(Comparison)
class ComparisonTranslationOptions(TranslationOptions):
    fields = ("key_difference", "introduction", "conclusion")
    required_languages = ENGLISH


@register(ComparisonRow)
class ComparisonRowTranslationOptions(TranslationOptions):
    fields = ("first_value", "second_value")
    required_languages = ENGLISH
