"""
The termbase's terms found in texts, in any inflected form: the forbidden
variants a text may not use, and the preferred terms an original names.

A variant is refused in the forms a text would inflect it into, and the
preferred term's own forms never match (Concept.clean() checks that). Matching
a stem rather than the variant as written is what an inflected language
needs: Weblate's glossary check, which compares whole words, misses
"колл-центру" for "колл-центр" and cannot be told that "Call-Centern" is
"Call-Center" (its issue #1297).

- Ukrainian changes a word's ending: each word of a variant is cut to its
  stem (its case ending taken off, at least three letters left) and matches
  with up to four letters after it ("бізнес-організація": "-організацією").
- German adds endings, and capitalises nouns: each word matches with up to
  three letters after it (an adjective cut to its stem first). A capitalised
  word matches only as a noun, so that "Beschäftigte" is caught in
  "Beschäftigten" and the verb in "er beschäftigte" is not.
- English adds a plural "s" or "es".
- An abbreviation in capitals (БПО) does not inflect, and is matched in
  capitals only ("ПО" is not the preposition "по").

Words are matched whole: a variant is never found inside a longer word it
only begins or ends ("Anbieter" is not in "Drittanbieter"). A text is read
as it looks (normalised()): a soft hyphen, another dash or a Latin letter in
a Cyrillic word hide nothing.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .changes import current_change_set

LETTER = r"[^\W\d_]"
WORD = re.compile(r"\w+")
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

# What a text is read as (normalised()): one hyphen and one apostrophe, and
# Cyrillic letters where a Cyrillic word has a Latin look-alike.
DASHES = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("’ʼ`´", "'"),
    }
)
LATIN_LOOK_ALIKES = str.maketrans("aceiopxyABCEHIKMOPTX", "асеіорхуАВСЕНІКМОРТХ")
CYRILLIC_WORD = re.compile(r"\w*[\u0400-\u04ff]\w*")


def normalised(text):
    """
    The text as it looks: composed (NFC), without the marks no letter has
    composed (a stress mark) or characters that show nothing (a soft hyphen, a
    joiner, a direction mark), with one hyphen and one apostrophe.
    """
    text = unicodedata.normalize("NFC", text or "").translate(DASHES)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
    return CYRILLIC_WORD.sub(lambda word: word[0].translate(LATIN_LOOK_ALIKES), text)


def is_abbreviation(word):
    return word.isupper() and len(word) > 1


def stem(word, language):
    """The part of a word its inflected forms share (all of it for an abbreviation)."""
    if is_abbreviation(word) or len(word) <= SHORTEST_STEM:
        return word
    if language == "de" and word[0].isupper():
        return word  # a noun: its endings add to it ("Callcenter": "Callcentern")
    endings = {"uk": UKRAINIAN_ENDINGS, "de": GERMAN_ENDINGS}.get(language, ())
    lowered = word.lower()
    for ending in endings:
        if lowered.endswith(ending) and len(word) - len(ending) >= SHORTEST_STEM:
            return word[: -len(ending)]
    return word


def pieces(entry):
    """An entry's words and what joins them (spaces, hyphens), as read."""
    return [piece for piece in re.split(r"(\s+|-)", normalised(entry).strip()) if piece]


@functools.lru_cache(maxsize=16384)
def variant_pattern(variant, language):
    """A regular expression for ``variant`` in any of its inflected forms in ``language``."""
    parts = []
    for piece in pieces(variant):
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
    if is_abbreviation(word):
        return re.escape(word)  # in capitals, as written
    if len(word) == 1:
        return f"(?i:{re.escape(word)})"  # a letter alone ("Plan B"): no ending
    base = stem(word, language)
    added = f"{LETTER}{{0,{MOST_ADDED.get(language, 2)}}}"
    if language == "de" and base[0].isupper():
        # A noun: capitalised as written (a verb or adjective is not), the rest in any case.
        return f"{re.escape(base[0])}(?i:{re.escape(base[1:])}{added})"
    return f"(?i:{re.escape(base)}{added})"


def index_key(entry, language):
    """
    What a word of a text begins with where the text may hold ``entry``, in
    lower case: the letters and digits its first word starts with ("" where it
    starts otherwise: such an entry is looked for in every text).
    """
    first = next((piece for piece in pieces(entry) if not piece.isspace() and piece != "-"), "")
    start = WORD.match(stem(first, language).lower())
    return start[0] if start else ""


class EntryIndex:
    """Entries of one language found by their first word: a text is matched against the few it may hold."""

    def __init__(self, language):
        self.language = language
        self.entries = {}

    def add(self, entry, value):
        self.entries.setdefault(index_key(entry, self.language), []).append((entry, value))

    def candidates(self, text):
        """(entry, value) of each entry whose first word a word of ``text`` may be."""
        most = MOST_ADDED.get(self.language, 2)
        keys = {
            word[: len(word) - cut]
            for word in WORD.findall(text.lower())
            for cut in range(min(most, len(word)) + 1)
        }
        keys.add("")
        return [pair for key in keys & self.entries.keys() for pair in self.entries[key]]


@dataclass(frozen=True)
class Violation:
    """A forbidden variant found in a text: as it reads there, and the term to write instead."""

    column: str
    found: str
    preferred: str

    def message(self):
        return gettext("“%(found)s” is not the term to use here: write “%(preferred)s” instead.") % {
            "found": self.found,
            "preferred": self.preferred,
        }


class Termbase:
    """The concepts' forbidden variants and preferred terms, read once, indexed by language."""

    def __init__(self, concepts):
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        self.concepts = list(concepts)
        self.forbidden, self.preferred = {}, {}
        for code, _name in settings.LANGUAGES:
            forbidden, preferred = EntryIndex(code), EntryIndex(code)
            for concept in self.concepts:
                words = concept.preferred(code) or concept.preferred(default)
                for variant in concept.forbidden_in(code):
                    forbidden.add(variant, words)
                for word in concept.preferred(code):
                    preferred.add(word, concept)
            self.forbidden[code], self.preferred[code] = forbidden, preferred

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
        index = self.forbidden.get(language)
        if index is None or not text:
            return []
        text = normalised(text)
        found = {}
        for variant, preferred in index.candidates(text):
            for match in variant_pattern(variant, language).finditer(text):
                # Once where two variants find the same words ("Call-Center", "Call-Centers").
                to_write = in_the_same_form(match[0], preferred, language)
                found.setdefault(match.span(), Violation(column, match[0], to_write))
        return [found[span] for span in sorted(found)]

    def terms_in(self, text, language):
        """
        The concepts whose preferred term occurs in ``text``, written in
        ``language``, in any inflected form: in the order the text names them.
        """
        index = self.preferred.get(language)
        if index is None or not text:
            return []
        text = normalised(text)
        places = {}
        for word, concept in index.candidates(text):
            for match in variant_pattern(word, language).finditer(text):
                # Where it is first named; of two named at one place, the longer name first.
                place = (match.start(), -len(match[0]))
                earlier = places.get(concept.pk, (place, concept))[0]
                places[concept.pk] = (min(earlier, place), concept)
        return [concept for _place, concept in sorted(places.values(), key=lambda pair: pair[0])]

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
