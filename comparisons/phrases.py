"""
Sentences that name categories, grammatical in every language.

Ukrainian and German put a name in the case its sentence governs: "Різниця між
BPO і кол-центром", "Порівняння аутсорсингу і KPO". So each sentence here is
two catalogue entries: the sentence, and the case its translation puts the
names in (a word from CASES, context "case in: <sentence>"). A category keeps
its short name in every case a language uses (``Category.form``), and a phrase
puts those forms into the translated sentence as a whole: a sentence is never
put together from translated pieces.

Inside a sentence the names are written as they are mid-sentence ("call
centre", "кол-центр"); the sentence's first letter is capitalised, whichever
word it is.
"""

import functools
import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_noop, override, pgettext_lazy

CASES = ("nominative", "genitive", "dative", "accusative", "instrumental")


class Phrase:
    def __init__(self, sentence, case):
        self.sentence = sentence
        self.case = case
        self.slots = tuple(re.findall(r"%\((\w+)\)s", sentence))

    def __repr__(self):
        return f"<Phrase {self.sentence!r}>"

    def declared_cases(self):
        """The words the active language's catalogue gives for this sentence's case."""
        return str(self.case).split()

    def is_valid_case(self):
        words = self.declared_cases()
        return len(words) in (1, len(self.slots)) and all(word in CASES for word in words)

    def cases(self):
        """
        {slot: case} in the active language: the catalogue gives one case for
        all names or one per name, in the English sentence's order. A broken
        entry reads as nominative here; the system check (checks.py) names it.
        """
        if not self.is_valid_case():
            return dict.fromkeys(self.slots, "nominative")
        words = self.declared_cases()
        return dict(zip(self.slots, words * len(self.slots) if len(words) == 1 else words, strict=True))

    def forms(self, categories):
        language = get_language()
        if set(categories) != set(self.slots):
            raise TypeError(f"{self!r} names {', '.join(self.slots)}, not {', '.join(categories)}")
        return {slot: categories[slot].form(case, language) for slot, case in self.cases().items()}

    def text(self, **categories):
        """The sentence in the active language, as plain text."""
        return self.fill(gettext(self.sentence), self.forms(categories))

    def html(self, **categories):
        """The sentence in the active language with each name a link to its category's page."""
        forms = self.forms(categories)
        sentence = gettext(self.sentence)
        first = leading_slot(sentence, forms)
        links = {
            slot: format_html(
                '<a href="{}">{}</a>',
                categories[slot].get_absolute_url(),
                capfirst(form) if slot == first else form,
            )
            for slot, form in forms.items()
        }
        opening = sentence if first else capfirst(sentence)
        return mark_safe(conditional_escape(opening) % links)

    @staticmethod
    def fill(sentence, forms):
        first = leading_slot(sentence, forms)
        if first:
            forms = {**forms, first: capfirst(forms[first])}
            return sentence % forms
        return capfirst(sentence % forms)


def leading_slot(sentence, forms):
    """The name the sentence starts with, if it starts with one (its first letter is capitalised)."""
    return next((slot for slot in forms if sentence.startswith(f"%({slot})s")), None)


DIFFERENCE = Phrase(
    gettext_noop("Difference between %(first)s and %(second)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: Difference between %(first)s and %(second)s", "nominative"),
)
VERSUS = Phrase(
    gettext_noop("%(first)s vs %(second)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: %(first)s vs %(second)s", "nominative"),
)
COMPARED = Phrase(
    gettext_noop("%(first)s and %(second)s compared"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: %(first)s and %(second)s compared", "nominative"),
)
COMPARED_THREE = Phrase(
    gettext_noop("%(first)s, %(second)s and %(third)s compared"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: %(first)s, %(second)s and %(third)s compared", "nominative"),
)
COMPARED_FOUR = Phrase(
    gettext_noop("%(first)s, %(second)s, %(third)s and %(fourth)s compared"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: %(first)s, %(second)s, %(third)s and %(fourth)s compared", "nominative"),
)
KIND_OF = Phrase(
    gettext_noop("A kind of %(name)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: A kind of %(name)s", "nominative"),
)
INCLUDES = Phrase(
    gettext_noop("Includes %(name)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: Includes %(name)s", "nominative"),
)
ALL_COMPARISONS_WITH = Phrase(
    gettext_noop("All comparisons with %(name)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: All comparisons with %(name)s", "nominative"),
)
MORE_ABOUT = Phrase(
    gettext_noop("More about %(name)s"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: More about %(name)s", "nominative"),
)
COMPARE_WITH_ANOTHER = Phrase(
    gettext_noop("Compare %(name)s with another category"),
    # Translators: the case your sentence puts the names in, as one English word: nominative, genitive,
    # dative, accusative or instrumental (or one word per name, in the English order).
    pgettext_lazy("case in: Compare %(name)s with another category", "nominative"),
)

PHRASES = {
    "difference": DIFFERENCE,
    "versus": VERSUS,
    "compared": COMPARED,
    "compared_three": COMPARED_THREE,
    "compared_four": COMPARED_FOUR,
    "kind_of": KIND_OF,
    "includes": INCLUDES,
    "all_comparisons_with": ALL_COMPARISONS_WITH,
    "more_about": MORE_ABOUT,
    "compare_with_another": COMPARE_WITH_ANOTHER,
}


# The title of a comparison of two, three or four categories, and the names of its slots in order.
COMPARED_BY_COUNT = {2: COMPARED, 3: COMPARED_THREE, 4: COMPARED_FOUR}
SLOTS = ("first", "second", "third", "fourth")


def compared(categories):
    """ "BPO, KPO and ITO compared", in the active language: a whole sentence for each number of names."""
    return COMPARED_BY_COUNT[len(categories)].text(**dict(zip(SLOTS, categories, strict=False)))


@functools.cache
def cases_in(language):
    """
    The cases ``language`` puts category names in, nominative always: the word
    forms its translators keep for each category. (Catalogues are read once per
    process, so the answer holds for the process.)
    """
    with override(language):
        used = {"nominative", *(case for phrase in PHRASES.values() for case in phrase.cases().values())}
    return tuple(case for case in CASES if case in used)
