"""Template helpers for translated content, language alternates and search results."""

import functools
import json
import re

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

from comparisons import language_sentences
from comparisons.phrases import PHRASES
from comparisons.translation_status import OUTDATED

register = template.Library()


def fallback_note():
    return format_html(
        ' <small class="fallback-note">{}</small>', gettext("(not yet translated; shown in English)")
    )


def outdated_note(obj, field, language):
    """A discreet note where the original text changed after this translation was made."""
    if obj.translation_status(field, language) != OUTDATED:
        return ""
    return format_html(
        ' <small class="outdated-note">{}</small>',
        gettext("(the original has changed since this translation)"),
    )


def is_machine_translated(obj, field, language):
    return hasattr(obj, "is_machine_translated") and obj.is_machine_translated(field, language)


# On the element of a text that is a machine translation nobody has reviewed, for machines to read.
MACHINE_TRANSLATED = mark_safe(' data-translation-origin="machine" data-translation-review="none"')


def machine_translation_note(context, obj):
    """
    A visible note that the text before it is a machine translation nobody
    has reviewed yet, linking the page in the language it was translated from
    (none where the text is the record's original: a seed's machine translation).
    """
    original = obj.original_language
    note = gettext("Machine translation, not yet reviewed.")
    paths = translated_paths(context) if context.get("page_paths") or context.get("request") else {}
    if original not in paths or original == get_language():
        return format_html(' <small class="machine-note">{}</small>', note)
    return format_html(
        ' <small class="machine-note">{} <a href="{}" hreflang="{}">{}</a></small>',
        note,
        paths[original],
        original,
        language_sentences.language_sentence("read_the_original_in", original),
    )


@register.simple_tag(takes_context=True)
def translated(context, obj, field, element="span"):
    """
    The field's text in an element of its own. Where the active language has no
    text yet, the English text is shown with ``lang="en"`` and a visible note;
    a machine translation nobody has reviewed says so, and links the original.
    """
    text, language = obj.text_in(field, get_language())
    if language != get_language():
        return format_html('<{0} lang="{1}">{2}</{0}>{3}', element, language, text, fallback_note())
    if is_machine_translated(obj, field, language):
        note = format_html(
            "{}{}", machine_translation_note(context, obj), outdated_note(obj, field, language)
        )
        return format_html("<{0}{1}>{2}</{0}>{3}", element, MACHINE_TRANSLATED, text, note)
    return format_html("<{0}>{1}</{0}>{2}", element, text, outdated_note(obj, field, language))


@register.simple_tag(takes_context=True)
def translated_paragraphs(context, obj, field):
    """A long text field as paragraphs (blank lines separate them), with the notes of ``translated``."""
    text, language = obj.text_in(field, get_language())
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if language != get_language():
        attributes, note = format_html(' lang="{}"', language), fallback_note()
    elif is_machine_translated(obj, field, language):
        attributes = MACHINE_TRANSLATED
        note = format_html(
            "{}{}", machine_translation_note(context, obj), outdated_note(obj, field, language)
        )
    else:
        attributes, note = "", outdated_note(obj, field, language)
    html = format_html_join("", "<p{}>{}</p>", ((attributes, p) for p in paragraphs))
    # format_html keeps it safe: a safe string plus a plain "" would be escaped whole.
    return format_html("{}{}", html, note)


@register.simple_tag
def phrase(key, link=False, **categories):
    """The sentence PHRASES[key] with these categories, each in the case it needs; links if ``link``."""
    sentence = PHRASES[key]
    return sentence.html(**categories) if link else sentence.text(**categories)


@register.simple_tag
def language_sentence(kind, code):
    """A sentence naming the language ``code`` (see language_sentences.py)."""
    return language_sentences.language_sentence(kind, code)


@register.simple_tag(takes_context=True)
def citation(context, source):
    """
    A source as a reader sees it cited: its title, its site and the language
    of its article.
    """
    return format_html(
        "{}, {} ({})",
        translated(context, source, "title", "cite"),
        plain(source, "site"),
        language_sentences.language_sentence("article_in", source.language),
    )


@register.simple_tag
def plain(obj, field):
    """The field's text (English where untranslated) for titles and attributes."""
    return obj.text_in(field, get_language())[0]


def translated_paths(context):
    """
    {language: this page's path in that language}: as the view gives them
    (a page whose address has slugs, which differ by language), or the path
    translated.
    """
    if paths := context.get("page_paths"):
        return paths
    return paths_in_every_language(context["request"].path, get_language())


@functools.lru_cache(maxsize=4096)
def paths_in_every_language(path, active_language):
    # The path is resolved in the active language; the result depends on that, the
    # URLconf and the catalogues only, none of which change while the process runs.
    return {code: translate_url(path, code) for code, _name in settings.LANGUAGES}


@register.simple_tag(takes_context=True)
def head_links(context, languages=None):
    """
    The canonical URL (without the query string), and ``<link rel="alternate"
    hreflang>`` for each language the page really has, plus x-default. A page
    with no content of its own to translate (home, lists, search) names none
    and has every language.
    """
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return ""
    paths = translated_paths(context)
    codes = [code for code, _name in settings.LANGUAGES if not languages or code in languages]
    links = [(code, request.build_absolute_uri(paths[code])) for code in codes]
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    if default in codes:
        links.append(("x-default", request.build_absolute_uri(paths[default])))
    canonical = format_html('<link rel="canonical" href="{}">\n', request.build_absolute_uri(request.path))
    return canonical + format_html_join("\n", '<link rel="alternate" hreflang="{}" href="{}">', links)


@register.simple_tag(takes_context=True)
def language_urls(context):
    """
    (code, name, url) for the language switcher: the same page in each language,
    with its query string, so that a search or a list page stays where it was.
    """
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return [(code, name, f"/{code}/") for code, name in settings.LANGUAGES]
    paths = translated_paths(context)
    preview = getattr(request, "preview", None)
    if preview is not None:  # the same preview in each language (admin/preview.py)
        return [(code, name, preview.address(code, paths[code])) for code, name in settings.LANGUAGES]
    # As the view gives it for each language (a category's slug), or as received: parsing it
    # could fail again on the error page for a query string that was refused (too many
    # fields, say), and turn the 400 into a 500.
    received = request.META.get("QUERY_STRING", "")
    queries = context.get("page_queries") or dict.fromkeys(paths, received)
    return [
        (code, name, paths[code] + (f"?{queries[code]}" if queries[code] else ""))
        for code, name in settings.LANGUAGES
    ]


def as_terms(query):
    """A search's terms: one query string, or a list of them."""
    terms = [query] if isinstance(query, str) else list(query or [])
    return [term for term in terms if term]


@register.filter
def highlight(text, query):
    """Escape ``text`` and mark every case-insensitive occurrence of the query's terms."""
    text = str(text)
    terms = as_terms(query)
    if not terms:
        return conditional_escape(text)
    pattern = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    parts = re.split(f"({pattern})", text, flags=re.IGNORECASE)
    return mark_safe(
        "".join(
            format_html("<mark>{}</mark>", part) if index % 2 else conditional_escape(part)
            for index, part in enumerate(parts)
        )
    )


@register.filter
def excerpt(text, query, width=90):
    """The part of a long text around the first match of any of the query's terms."""
    text = " ".join(str(text).split())
    folded = text.casefold()
    found = [(folded.find(term.casefold()), term) for term in as_terms(query)]
    found = [(position, term) for position, term in found if position >= 0]
    if not found or len(text) <= 2 * width:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    position, term = min(found)
    start = max(position - width, 0)
    end = min(position + len(term) + width, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@register.filter
def quoted_list(terms):
    """Search terms each in the active language's quotation marks, as a list: “a”, “b”."""
    quoted = pgettext("a search term in quotation marks", "“%(term)s”")
    return ", ".join(quoted % {"term": term} for term in terms)


# What json_script escapes, so that no text can end the script element or open a comment in it.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """Structured data for search engines in a non-executable script element (text unescaped, as written)."""
    payload = json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def article_json_ld(context, comparison, article):
    """
    schema.org Article data for a comparison page, from its ``article``
    (views.comparison_article(): its sources' titles, whether it shows
    machine translation nobody has reviewed).
    """
    request = context["request"]
    language = get_language()
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": comparison.get_title(),
        "description": comparison.text_in("key_difference", language)[0],
        "inLanguage": language,
        "dateModified": comparison.updated_at.isoformat(),
        "url": request.build_absolute_uri(request.path),
        "about": [category.text_in("name", language)[0] for category in comparison.categories()],
        "isBasedOn": article.get("sources", []),
    }
    original = comparison.original_language
    paths = translated_paths(context)
    if original != language and original in paths:
        data["translationOfWork"] = {
            "@type": "Article",
            "inLanguage": original,
            "url": request.build_absolute_uri(paths[original]),
        }
    # What the page's elements say of their texts (data-translation-origin), said of the page.
    if article.get("machine_translated"):  # (an article cached before it said so: not)
        data["creativeWorkStatus"] = MACHINE_TRANSLATION_STATUS
    return json_ld(data)


# The page-level status (schema.org creativeWorkStatus) of a page that shows unreviewed machine translation.
MACHINE_TRANSLATION_STATUS = "unreviewed machine translation"


@register.simple_tag(takes_context=True)
def generated_json_ld(context, title, categories, sources):
    """schema.org WebPage data for a generated comparison: the categories it compares, its sources."""
    request = context["request"]
    language = get_language()
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "headline": title,
        "inLanguage": language,
        "url": request.build_absolute_uri(request.path),
        "about": [
            {
                "@type": "Thing",
                "name": category.text_in("name", language)[0],
                "url": request.build_absolute_uri(category.get_absolute_url()),
            }
            for category in categories
        ],
        "isBasedOn": [source.text_in("title", language)[0] for source in sources],
    }
    return json_ld(data)


@register.simple_tag(takes_context=True)
def glossary_json_ld(context, attributes, categories):
    """schema.org DefinedTermSet data for the glossary: each attribute and category a DefinedTerm."""
    request = context["request"]
    language = get_language()
    page = request.build_absolute_uri(request.path)
    terms = [
        {
            "@type": "DefinedTerm",
            "name": attribute.text_in("label", language)[0],
            "description": attribute.text_in("description", language)[0],
            "url": f"{page}#attribute-{attribute.slug}",
        }
        for attribute in attributes
        if attribute.is_explained()
    ]
    terms += [
        {
            "@type": "DefinedTerm",
            "name": category.text_in("abbreviation", language)[0],
            "alternateName": category.text_in("name", language)[0],
            "description": category.text_in("summary", language)[0],
            "url": request.build_absolute_uri(category.get_absolute_url()),
        }
        for category in categories
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": gettext("Glossary"),
        "inLanguage": language,
        "url": page,
        "hasDefinedTerm": terms,
    }
    return json_ld(data)
