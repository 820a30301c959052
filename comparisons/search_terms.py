"""
What a reader's query also means. The texts are written in British English
and name a category by its name or its abbreviation, while readers type
"call center", "business process outsourcing", "бпо" or "outsorcing":

- the same words in the other English spelling (call center: call centre),
  and written as one where a name is (call center: Callcenter);
- a category's abbreviation for its name, and its name for its abbreviation
  (in the reader's language and in English);
- the Latin abbreviation a query spells in Cyrillic (бпо: BPO);
- where nothing matches, the query with each unknown word replaced by the
  closest word the categories' names use (outsorcing: outsourcing).
"""

import difflib
import re

from django.conf import settings
from django.utils.translation import get_language

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
# Terms searched for one query at most, the query's own included.
MAX_TERMS = 5
# How alike a typed word and a known one must be to be taken for a typo (difflib's ratio).
TYPO_CUTOFF = 0.8
WORD = re.compile(r"\w+")


def folded(text):
    return " ".join(text.casefold().split())


def terms_for(query, categories):
    """The terms to search for ``query``: the query first, then what it also means, each once."""
    language = get_language()
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    wanted = folded(query)
    terms = [query]
    latin = wanted.translate(UKRAINIAN_TO_LATIN)
    for category in categories:
        abbreviations = {folded(category.text_in("abbreviation", code)[0]) for code in (language, default)}
        names = {
            folded(category.text_in(field, code)[0])
            for field in ("name", "nominative")
            for code in (language, default)
        }
        if latin != wanted and latin in abbreviations:
            terms.append(category.text_in("abbreviation", default)[0])
        if wanted in abbreviations or latin in abbreviations:
            terms.append(category.text_in("name", language)[0])
        if wanted in names:
            terms.append(category.text_in("abbreviation", language)[0])
    respelt = " ".join(OTHER_SPELLING.get(word, word) for word in wanted.split())
    if respelt != wanted:
        terms.append(respelt)
    # Words a language writes as one (call center: Callcenter).
    joined = "".join(wanted.split())
    if joined != wanted and (known := vocabulary(categories).get(joined)):
        terms.append(known)
    unique = {}
    for term in terms:
        unique.setdefault(folded(term), term)
    return list(unique.values())[:MAX_TERMS]


def vocabulary(categories):
    """
    {word in lower case: the word as written} of the categories' names in a
    sentence, abbreviations and names, as readers see them: a word keeps the
    spelling of a name in a sentence first (outsourcing, Callcenter).
    """
    language = get_language()
    words = {}
    for field in ("nominative", "abbreviation", "name"):
        for category in categories:
            for code in (language, settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
                for word in WORD.findall(category.text_in(field, code)[0]):
                    words.setdefault(word.casefold(), word)
    return words


def corrected(query, categories):
    """The query with each word the categories do not use replaced by the closest one they do, or None."""
    known = vocabulary(categories)
    words = folded(query).split()
    fixed = []
    for word in words:
        close = (
            [] if word in known or len(word) < 4 else difflib.get_close_matches(word, known, 1, TYPO_CUTOFF)
        )
        fixed.append(known[close[0]] if close else word)
    return " ".join(fixed) if [word.casefold() for word in fixed] != words else None
