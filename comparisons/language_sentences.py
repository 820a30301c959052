"""
Sentences that name a language, each written whole for each language.

A language's name inside a sentence takes a case and a form of its own
("написано німецькою", "auf Deutsch"), so these are not a name put into a
pattern: each is one catalogue entry per language. The system check
(checks.py) names a language of the settings that has no sentence here.
"""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "originally_written_in": {
        "en": _("Originally written in English."),
        "uk": _("Originally written in Ukrainian."),
        "de": _("Originally written in German."),
    },
    "article_in": {
        "en": _("article in English"),
        "uk": _("article in Ukrainian"),
        "de": _("article in German"),
    },
    "original_in": {
        "en": _("Original in English:"),
        "uk": _("Original in Ukrainian:"),
        "de": _("Original in German:"),
    },
    "missing_in": {
        "en": _("missing in English"),
        "uk": _("missing in Ukrainian"),
        "de": _("missing in German"),
    },
    "outdated_in": {
        "en": _("outdated in English"),
        "uk": _("outdated in Ukrainian"),
        "de": _("outdated in German"),
    },
    "read_the_original_in": {
        "en": _("Read the original in English."),
        "uk": _("Read the original in Ukrainian."),
        "de": _("Read the original in German."),
    },
    "to_review_in": {
        "en": _("to review in English"),
        "uk": _("to review in Ukrainian"),
        "de": _("to review in German"),
    },
    "machine_translated_in": {
        "en": _("unreviewed machine translation in English"),
        "uk": _("unreviewed machine translation in Ukrainian"),
        "de": _("unreviewed machine translation in German"),
    },
    "mark_reviewed_in": {
        "en": _("Mark the selected records’ English translations reviewed"),
        "uk": _("Mark the selected records’ Ukrainian translations reviewed"),
        "de": _("Mark the selected records’ German translations reviewed"),
    },
}


def language_sentence(kind, code):
    """The sentence of this kind that names the language ``code``, in the active language."""
    return str(SENTENCES[kind][code])
