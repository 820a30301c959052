"""
What a reader's query also means. The texts are written in British English
and name a category by its name or its abbreviation, while readers type
"call center", "business process outsourcing", "бпо" or "outsorcing":

- the same words in the other English spelling (call center: call centre),
  and written as one where a name is (call center: Callcenter);
- a category's abbreviation for its name, and its name for its abbreviation
  (in the reader's language and in English);
- the Latin abbreviation a query spells in Cyrillic (бпо: BPO);
- for a name the termbase knows (models.Concept), in the reader's language or
  in English: its synonyms, forbidden variants and word forms, the preferred
  term (колл-центр: кол-центр; vendor: service provider) and the
  abbreviation of the category it is, in the reader's language;
- where nothing matches, the query with each unknown word replaced by the
  closest word the categories' names use: searched instead where one letter
  is off (outsorcing: outsourcing), offered as "did you mean" where two are
  (processor: process), since a real word may be that far from a name.

Words are compared in lower case as the database's lower() makes it (ß stays ß).
"""

import difflib
import functools
import re

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language

from . import page_keys
from .models import Category, Concept, listed
from .page_cache import fragment

# Ukrainian letters in the national transliteration, for abbreviations typed in
# Cyrillic: readers write КПО, БПО, ІТО where the texts say KPO, BPO, ITO.
UKRAINIAN_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгґдезиіїйклмнопрстуф", "abvhgdezyiiiklmnoprstuf", strict=True)),
        **{
            "є": "ie",
            "ж": "zh",
            "х": "kh",
            "ц": "ts",
            "ч": "ch",
            "ш": "sh",
            "щ": "shch",
            "ю": "iu",
            "я": "ia",
        },
        "ь": "",
    }
)

# Words spelt one way in American English and another in British English, the texts'.
AMERICAN_TO_BRITISH = {
    "center": "centre",
    "centers": "centres",
    "organization": "organisation",
    "organizations": "organisations",
    "specialized": "specialised",
    "specialization": "specialisation",
    "standardized": "standardised",
    "analyze": "analyse",
    "analyzing": "analysing",
    "optimize": "optimise",
    "optimized": "optimised",
    "labor": "labour",
    "catalog": "catalogue",
    "program": "programme",
}
OTHER_SPELLING = AMERICAN_TO_BRITISH | {
    british: american for american, british in AMERICAN_TO_BRITISH.items()
}
# The categories whose names a query is read against (the first, in order).
VOCABULARY_CATEGORIES = 500
# The fields of a category that a query is read against.
NAME_FIELDS = ("abbreviation", "name", "nominative")
# The concepts a query is read against (the first, in order).
VOCABULARY_CONCEPTS = 2000
# Terms searched for one query at most, the query's own included.
MAX_TERMS = 5
# How many edits away a typed word may be from a known one: searched instead, or only offered.
SEARCHED_INSTEAD, OFFERED = 1, 2
WORD = re.compile(r"\w+")


def folded(text):
    """Lower case, hyphens read as spaces, spaces collapsed: "Call-Centre " and "call centre" alike."""
    return " ".join(text.lower().replace("-", " ").split())


def edits(a, b):
    """The letters to insert, delete, replace or swap with the next to make ``a`` into ``b``."""
    previous, current = None, list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other))
            if i > 1 and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[-1]


class QueryReading:
    """
    What the published categories' names and the termbase make of readers'
    queries: their texts, the words they use, and each one's abbreviations
    and names folded.
    """

    def __init__(self, rows, keys=frozenset(), termbase=None):
        """
        ``rows``: the categories' name fields as values() gives them (the
        reader's language, English); ``termbase``: what read_termbase() makes
        of the concepts; ``keys``: the page keys they are read under.
        """
        self.keys = keys
        self.language = get_language()
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        self.languages = (self.language, default)
        # Each category's names as the reader sees them (English where the language has none,
        # as TranslatedFields.text_in reads them), and in English.
        self.categories = [
            {
                field: tuple(
                    row[f"{field}_{code}"] or row[f"{field}_{default}"] or "" for code in self.languages
                )
                for field in NAME_FIELDS
            }
            for row in rows
        ]
        self.concept_terms, self.preferred_words = termbase or ({}, [])
        self.nearest = {}

    @classmethod
    def of_published(cls):
        """
        The reading of the first categories' names and of the termbase. It is
        kept in the shared cache while they stay the same (page_cache.fragment):
        a search then reads neither. A page made with it is tagged with its ``keys``.
        """
        codes = dict.fromkeys([get_language(), settings.MODELTRANSLATION_DEFAULT_LANGUAGE])
        fields = [f"{field}_{code}" for field in NAME_FIELDS for code in codes]

        def read():
            rows = Category.objects.published().values(*fields)[:VOCABULARY_CATEGORIES]
            # A concept that is a category nobody can read yet means nothing to a search.
            concepts = Concept.objects.filter(
                Q(category__isnull=True) | Q(category__is_published=True)
            ).select_related("category")
            termbase = read_termbase(concepts[:VOCABULARY_CONCEPTS], list(codes))
            return (list(rows), termbase), {*page_keys.CATEGORY_LISTS, page_keys.TERMBASE}

        # Plain data, named by what it holds: what a cache keeps from before a deploy still fits.
        (rows, termbase), keys = fragment(f"search-reading:{','.join(fields)}", read)
        return cls(rows, keys, termbase)

    @functools.cached_property
    def vocabulary(self):
        """
        {word in lower case: the word as written} of the names, a word
        spelt as a name in a sentence has it first (outsourcing, Callcenter).
        """
        words = {}
        texts = [
            text
            for field in ("nominative", "abbreviation", "name")
            for c in self.categories
            for text in c[field]
        ]
        # The termbase's preferred terms too (not their forms, nor a forbidden variant).
        texts += self.preferred_words
        for text in texts:
            for word in WORD.findall(text):
                words.setdefault(word.lower(), word)
        return words

    @functools.cached_property
    def folded_names(self):
        """(abbreviations, names) of each category, folded."""
        return [
            (
                {folded(text) for text in category["abbreviation"]},
                {folded(text) for field in ("name", "nominative") for text in category[field]},
            )
            for category in self.categories
        ]

    def terms_for(self, query):
        """The terms to search for ``query``: the query first, then what it also means, each once."""
        wanted = folded(query)
        # The query in the other English spelling, and written as one word where a name is.
        typed = " ".join(query.lower().split())
        respelt = WORD.sub(lambda word: OTHER_SPELLING.get(word[0], word[0]), typed)
        joined = self.vocabulary.get(wanted.replace(" ", ""), "") if " " in wanted else ""
        latin = wanted.translate(UKRAINIAN_TO_LATIN)
        terms = [query, respelt, joined]
        for variant in dict.fromkeys([wanted, folded(respelt), folded(joined)]):
            if variant:
                terms += self.meanings(variant, latin if variant == wanted else variant)
        unique = {}
        for term in terms:
            if term:  # once each, as the database compares them: a hyphen is no space there
                unique.setdefault(" ".join(term.lower().split()), term)
        return list(unique.values())[:MAX_TERMS]

    def meanings(self, variant, latin):
        """
        A category's abbreviation for its name, its name for its abbreviation
        (and a Cyrillic one); a concept's terms for any name it is known by.
        """
        found = []
        for category, (abbreviations, names) in zip(self.categories, self.folded_names, strict=True):
            if latin != variant and latin in abbreviations:
                found.append(category["abbreviation"][1])
            if variant in abbreviations or latin in abbreviations:
                found.append(category["name"][0])
            if variant in names:
                found.append(category["abbreviation"][0])
        # Not the query itself, written otherwise: "back-office" adds no "back office".
        found += [term for term in self.concept_terms.get(variant, ()) if folded(term) != variant]
        return found

    def corrected(self, query, most=SEARCHED_INSTEAD):
        """
        The query with each word the names do not use replaced by the
        closest one they do, at most ``most`` edits away, or None.
        """
        words = folded(query).split()
        fixed = [self.closest(word, most) for word in words]
        return " ".join(fixed) if [word.lower() for word in fixed] != words else None

    def closest(self, word, most):
        if word in self.vocabulary or len(word) < 4:
            return word
        near = [pair for pair in self.near(word) if pair[0] <= most]
        return self.vocabulary[min(near)[1]] if near else word

    def near(self, word):
        """(edits, known word) of the words of the names most like ``word``, looked for once."""
        if word not in self.nearest:
            candidates = difflib.get_close_matches(word, self.vocabulary, 5, 0.6)
            self.nearest[word] = [(edits(word, known), known) for known in candidates]
        return self.nearest[word]


def read_termbase(concepts, languages):
    """
    ({every name a concept is known by, folded: the terms to search for it},
    the preferred terms) of the concepts, in ``languages`` (the
    reader's, English). The terms are the preferred term and its category's
    abbreviation, in the reader's language (English where it has none), as a
    category's names are read.
    """
    reader, default = languages[0], settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    meanings, preferred_words = {}, []
    for concept in concepts:
        preferred = [word for code in languages for word in concept.preferred(code)]
        others = [
            entry
            for code in languages
            for name in ("synonyms", "forbidden")
            for entry in listed(getattr(concept, f"{name}_{code}"))
        ]
        terms = [getattr(concept, f"term_{reader}") or concept.term_en]
        if concept.category is not None:
            terms.append(
                getattr(concept.category, f"abbreviation_{reader}")
                or getattr(concept.category, f"abbreviation_{default}")
            )
        for name in {folded(text) for text in preferred + others}:
            known = meanings.setdefault(name, [])
            known += [term for term in terms if term and term not in known]
        # Typos are read against the terms, not every form: a query's words are many.
        preferred_words += [getattr(concept, f"term_{code}") or "" for code in languages]
    return meanings, [word for word in dict.fromkeys(preferred_words) if word]
