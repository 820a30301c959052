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


@register(Source)
class SourceTranslationOptions(TranslationOptions):
    fields = ("title", "site")
    required_languages = ("en",)


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("abbreviation", "name", "summary", "description")
    required_languages = ("en",)


@register(CategoryItem)
class CategoryItemTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Attribute)
class AttributeTranslationOptions(TranslationOptions):
    fields = ("label",)
    required_languages = ("en",)


@register(AttributeValue)
class AttributeValueTranslationOptions(TranslationOptions):
    fields = ("value",)
    required_languages = ("en",)


@register(Comparison)
class ComparisonTranslationOptions(TranslationOptions):
    fields = ("key_difference", "introduction", "conclusion")
    required_languages = ("en",)


@register(ComparisonRow)
class ComparisonRowTranslationOptions(TranslationOptions):
    fields = ("first_value", "second_value")
    required_languages = ("en",)
