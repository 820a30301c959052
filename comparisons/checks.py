"""System checks of what the catalogues say about grammar (see phrases.py)."""

from django.conf import settings
from django.core import checks
from django.utils.translation import override

from .language_sentences import SENTENCES
from .phrases import CASES, PHRASES


@checks.register(checks.Tags.translation)
def check_phrase_cases(app_configs, **kwargs):
    """Every language's catalogue names a known case for each sentence, once or once per name."""
    errors = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            for phrase in PHRASES.values():
                if phrase.is_valid_case():
                    continue
                errors.append(
                    checks.Error(
                        f"The {code} catalogue gives “{' '.join(phrase.declared_cases())}” as the case "
                        f"of the names in “{phrase.sentence}”.",
                        hint=f"Translate the entry “case in: {phrase.sentence}” as one of {', '.join(CASES)} "
                        f"(one for all names or one per name: {len(phrase.slots)}).",
                        id="comparisons.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.translation)
def check_language_sentences(app_configs, **kwargs):
    """Every language of the settings has each sentence that names a language."""
    return [
        checks.Error(
            f"No “{kind}” sentence names the language {code}.",
            hint="Add it to comparisons/language_sentences.py.",
            id="comparisons.E002",
        )
        for kind, sentences in SENTENCES.items()
        for code, _name in settings.LANGUAGES
        if code not in sentences
    ]
