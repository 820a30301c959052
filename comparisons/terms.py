"""
The termbase's forbidden variants found in texts, in any inflected form.

A variant is refused in the forms a text would inflect it into, and the
preferred term's own forms never match (Concept.clean() checks that). Matching
a stem rather than the variant as written is what an inflected language
needs: Weblate's glossary check, which compares whole words, misses
"колл-центру" for "колл-центр" and cannot be told that "Beschäftigten" is
"Beschäftigte" (its issue #1297).

- Ukrainian changes a word's ending: each word of a variant is cut to its
  stem (its case ending taken off, at least three letters left) and matches
  with up to four letters after it ("бізнес-організація": "-організацією").
- German adds endings, and capitalises nouns: each word matches with up to
  three letters after it (an adjective cut to its stem first), and a
  capitalised word only as a noun, so that "Beschäftigte" is caught in
  "Beschäftigten" and the verb in "er beschäftigte" is not.
- English adds a plural "s" or "es".
- An abbreviation in capitals (БПО) does not inflect: it matches as it is.

Words are matched whole: a variant is never found inside a longer word it
only begins or ends ("Anbieter" is not in "Drittanbieter").
"""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .changes import current_change_set

LETTER = r"[^\W\d_]"
# Ukrainian case endings, longest first: what a stem is cut from.
UKRAINIAN_ENDINGS = sorted(
    (
        "ями ами ові ого ому ими ою ею єю ом ем єм ям ам ах ях ів їв их ої ім ий ій ія"
        " а я о е є и і ї й ь у ю"
    ).split(),
    key=len,
    reverse=True,
)
# German endings a stem keeps no more of (a plural, a case, an adjective's).
GERMAN_ENDINGS = ["en", "er", "es", "em", "e", "n", "s"]
# The most letters an inflection adds after a stem, by language.
MOST_ADDED = {"uk": 4, "de": 3, "en": 2}
SHORTEST_STEM = 3


def stem(word, language):
    """The part of a word its inflected forms share (all of it for an abbreviation)."""
    if word.isupper() or len(word) <= SHORTEST_STEM:
        return word
    if language == "de" and word[0].isupper():
        return word  # a noun: its endings add to it ("Beschäftigte": "Beschäftigten")
    endings = {"uk": UKRAINIAN_ENDINGS, "de": GERMAN_ENDINGS}.get(language, ())
    lowered = word.lower()
    for ending in endings:
        if lowered.endswith(ending) and len(word) - len(ending) >= SHORTEST_STEM:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=4096)
def variant_pattern(variant, language):
    """A regular expression for ``variant`` in any of its inflected forms in ``language``."""
    parts = []
    for piece in re.split(r"(\s+|-)", variant.strip()):
        if not piece:
            continue
        if piece.isspace():
            parts.append(r"\s+")
        elif piece == "-":
            parts.append("-")
        elif not any(character.isalpha() for character in piece):
            parts.append(re.escape(piece))
        else:
            parts.append(word_pattern(piece, language))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")


def word_pattern(word, language):
    if word.isupper():  # an abbreviation: as it is, in any case
        return f"(?i:{re.escape(word)})"
    base = stem(word, language)
    added = f"{LETTER}{{0,{MOST_ADDED.get(language, 2)}}}"
    if language == "de" and base[0].isupper():
        # A noun: capitalised as written, the rest in any case.
        return f"{re.escape(base[0])}(?i:{re.escape(base[1:])}{added})"
    return f"(?i:{re.escape(base)}{added})"


@dataclass(frozen=True)
class Violation:
    """A forbidden variant found in a text: as written there, the variant, and the term to use."""

    column: str
    found: str
    variant: str
    preferred: str

    def message(self):
        return gettext("“%(found)s” is not the term to use here: write “%(preferred)s” instead.") % {
            "found": self.found,
            "preferred": self.preferred,
        }


class Termbase:
    """The forbidden variants of every concept, read once, by language."""

    def __init__(self, concepts):
        self.concepts = list(concepts)
        self.variants = {}
        for concept in self.concepts:
            for code, _name in settings.LANGUAGES:
                preferred = concept.preferred(code)
                for variant in concept.forbidden_in(code):
                    entry = (variant_pattern(variant, code), variant, preferred)
                    self.variants.setdefault(code, []).append(entry)

    @classmethod
    def current(cls):
        """The termbase as it stands: read once in a change set (an import checks many records)."""
        from .models import Concept

        current = current_change_set()
        if current is not None and current.termbase is not None:
            return current.termbase
        termbase = cls(Concept.objects.select_related("category"))
        if current is not None:
            current.termbase = termbase
        return termbase

    def violations(self, column, text):
        """The forbidden variants in ``text``, the text of ``column`` (its suffix names the language)."""
        language = column.rpartition("_")[2]
        found = {}
        for pattern, variant, preferred in self.variants.get(language, ()):
            for match in pattern.finditer(text or ""):
                # Once where two variants find the same words ("Beschäftigte", "Beschäftigten").
                to_write = in_the_same_form(match[0], preferred, language)
                found.setdefault(match.span(), Violation(column, match[0], variant, to_write))
        return [found[span] for span in sorted(found)]

    def terms_in(self, text, language):
        """
        The concepts whose preferred term occurs in ``text``, written in
        ``language``, in any inflected form: in the order the text names them.
        """
        found = []
        for concept in self.concepts:
            # Where it is first named; of two named at one place, the longer name first.
            places = [
                (match.start(), -len(match[0]))
                for word in concept.preferred(language)
                for match in variant_pattern(word, language).finditer(text or "")
            ]
            if places:
                found.append((min(places), concept))
        return [concept for _place, concept in sorted(found, key=lambda pair: pair[0])]

    def check(self, obj, columns):
        """Raise ValidationError naming each of ``columns`` of ``obj`` that uses a forbidden variant."""
        errors = {}
        for column in columns:
            messages = [violation.message() for violation in self.violations(column, getattr(obj, column))]
            if messages:
                errors[column] = list(dict.fromkeys(messages))
        if errors:
            raise ValidationError(errors)


def in_the_same_form(found, preferred, language):
    """
    The preferred form to write for ``found``: the one that ends as ``found``
    does, where the termbase has it ("колл-центру": "кол-центру"), else the term.
    """
    if not preferred:
        return ""
    term = preferred[0]
    ending = found[len(stem(found, language)) :].lower() if " " not in found else ""
    same_stem = stem(term, language).lower()
    for form in preferred:
        if ending and form.lower().endswith(ending) and stem(form, language).lower() == same_stem:
            return form
    return term


def check_terms(obj, columns):
    """Raise ValidationError where one of these text columns of ``obj`` uses a forbidden variant."""
    if any(getattr(obj, column) for column in columns):
        Termbase.current().check(obj, columns)
