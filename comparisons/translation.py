from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from .models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Concept,
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
    # The slug too: each language has its address (Category.language_own_fields).
    fields = (
        "slug",
        "abbreviation",
        "name",
        "nominative",
        "genitive",
        "dative",
        "accusative",
        "instrumental",
        "summary",
        "description",
    )
    # The other word forms are written for the languages whose sentences use them;
    # every language has its address.
    required_languages = {
        code: (
            ("slug", "abbreviation", "name", "nominative", "summary", "description")
            if code == settings.MODELTRANSLATION_DEFAULT_LANGUAGE
            else ("slug",)
        )
        for code, _name in settings.LANGUAGES
    }


@register(CategoryItem)
class CategoryItemTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ENGLISH


@register(Attribute)
class AttributeTranslationOptions(TranslationOptions):
    fields = ("label", "description")
    required_languages = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: ("label",)}


@register(AttributeValue)
class AttributeValueTranslationOptions(TranslationOptions):
    fields = ("value",)
    required_languages = ENGLISH


@register(Comparison)
class ComparisonTranslationOptions(TranslationOptions):
    fields = ("title", "key_difference", "introduction", "conclusion")
    # The title is optional in every language (the pattern stands in for it).
    required_languages = {
        settings.MODELTRANSLATION_DEFAULT_LANGUAGE: ("key_difference", "introduction", "conclusion")
    }


@register(ComparisonRow)
class ComparisonRowTranslationOptions(TranslationOptions):
    fields = ("first_value", "second_value")
    required_languages = ENGLISH


@register(Concept)
class ConceptTranslationOptions(TranslationOptions):
    # Each language's own entries (Concept.language_own_fields): only the English term is required.
    fields = ("term", "forms", "synonyms", "forbidden", "note")
    required_languages = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: ("term",)}
