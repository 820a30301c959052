"""Template helpers of the admin's pages for translators."""

from django import template

from comparisons.changes import translation_languages

register = template.Library()


@register.simple_tag(takes_context=True)
def languages_to_translate(context):
    """The language codes the signed-in user may translate into (none for a reader)."""
    return translation_languages(context["request"].user)
