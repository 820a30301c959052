"""
What a record knows about its own translations.

Each translated field is *missing*, *up to date* or *outdated* in each
language. A translation is outdated when the text in the record's original
language has changed since the translation was last saved. To tell, every
record keeps, per field and language, a fingerprint of the original text as it
was when that translation was saved (``translated_from``). The fingerprints
travel with the record through fixtures, so status survives export and import.

Whether a translation is outdated takes a fingerprint of the original to tell,
which the database cannot compute. So every save also writes down the answer
(``outdated_translations``), and the database finds and counts outdated
translations from it; content querysets ask in those terms
(``missing_in(language)``, ``outdated_in(language)``, see changes.py).

Beside its status, each text, in every language, the original's too, has
credits (``translation_credits``): where it came from (a person, a machine
translation, or one a person edited), who wrote it, and who reviewed it and
when. The write path keeps them: a new text is its writer's and unreviewed, a
review is someone else's, and a change of the original that makes a
translation outdated makes it unreviewed too. Which texts are unreviewed, and
of what origin, is written down on every save as well
(``unreviewed_translations``), for the database to find.
"""

import datetime
import functools
import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MISSING = "missing"
UP_TO_DATE = "up-to-date"
OUTDATED = "outdated"
STATUS_LABELS = {MISSING: _("missing"), UP_TO_DATE: _("up to date"), OUTDATED: _("outdated")}
# A translation's origin: written by a person, a machine's, a machine's a person
# edited; unknown for texts saved before origins were kept (an older backup).
HUMAN = "human"
MACHINE = "machine"
POST_EDITED = "post-edited"
UNKNOWN = "unknown"
ORIGIN_LABELS = {
    HUMAN: _("written by a person"),
    MACHINE: _("machine translation"),
    POST_EDITED: _("machine translation edited by a person"),
    UNKNOWN: _("origin unknown"),
}
# The counts of translationcoverage --reviewed: up to date and reviewed.
REVIEWED = "reviewed"
# A condition no record meets: what "any field missing" is for a record without texts.
NOTHING = models.Q(pk__in=[])


def fingerprint(text):
    return hashlib.blake2b((text or "").encode(), digest_size=8).hexdigest()


def with_one_line_ending(text):
    """Line breaks as every text is stored: LF (a browser sends a textarea's as CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def same_text(old, new):
    """Whether two texts say the same: empty is empty, and a line break is one however written."""
    return with_one_line_ending(old or "") == with_one_line_ending(new or "")


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def in_other_languages(language):
    """The codes of the languages but ``language``, in their order."""
    return [code for code in language_codes() if code != language]


def blank_q(column):
    """NULL or '': modeltranslation stores an empty translation either way."""
    return models.Q(**{f"{column}__isnull": True}) | models.Q(**{column: ""})


def in_every_language(*fields):
    """The columns modeltranslation adds for ``fields``: ["name_en", "name_uk", …]."""
    return [f"{field}_{code}" for field in fields for code in language_codes()]


@functools.cache
def registered_fields(model):
    """The model's fields registered with modeltranslation, in field order (asked for on every render)."""
    from modeltranslation.translator import translator

    registered = translator.get_options_for_model(model).fields
    return tuple(field.name for field in model._meta.fields if field.name in registered)


class TranslationStatusQuerySet(models.QuerySet):
    """Records found by the status of their translations, in the database."""

    def missing_in(self, language):
        """Records with a translated field empty in ``language``."""
        return self.filter(self.model.missing_translation_q(language))

    def outdated_in(self, language):
        """Records with a translation in ``language`` made from an earlier original."""
        return self.filter(self.model.outdated_translation_q(language))

    def up_to_date_in(self, language):
        """Records with every translated field written and up to date in ``language``."""
        return self.exclude(self.model.missing_translation_q(language)).exclude(
            self.model.outdated_translation_q(language)
        )

    def unreviewed_in(self, language):
        """Records with a written translation in ``language`` that nobody has reviewed (outdated ones too)."""
        return self.filter(self.model.unreviewed_translation_q(language))

    def to_review_in(self, language, by_others_than=None):
        """
        Records with a text in ``language`` up to date and not reviewed: one to
        read now (with ``by_others_than``, a username: one that someone else wrote).
        """
        query = NOTHING
        for field in self.model.translated_fields_in(language):
            query |= self.model.field_to_review_q(field, language, by_others_than)
        return self.filter(query)

    def count_to_review(self, language, by_others_than=None):
        """How many texts in ``language`` these records have to review (to_review_in()), in one query."""
        counts = {
            field: models.Count("pk", filter=self.model.field_to_review_q(field, language, by_others_than))
            for field in self.model.translated_fields_in(language)
        }
        return sum(self.order_by().aggregate(**counts).values()) if counts else 0

    def machine_translated_in(self, language):
        """Records that show, in ``language``, a machine translation nobody has reviewed."""
        query = NOTHING
        for field in self.model.translated_fields_in(language):
            query |= models.Q(**{f"unreviewed_translations__{field}_{language}": MACHINE})
        return self.filter(query)

    def complete(self):
        """Records written and up to date in every language."""
        records = self
        for language in language_codes():
            records = records.up_to_date_in(language)
        return records

    def translation_counts(self, languages):
        """
        {language: {status: number of fields}} over the translated fields of
        these records, counted by the database in one query.
        """
        counts = {"records": models.Count("pk")}
        names = {language: self.model.translated_fields_in(language) for language in languages}
        for language in languages:
            for name in names[language]:
                column = f"{name}_{language}"
                missing = self.model.field_missing_q(name, language)
                outdated = self.model.field_outdated_q(name, language)
                counts[f"{column}_missing"] = models.Count("pk", filter=missing)
                counts[f"{column}_outdated"] = models.Count("pk", filter=outdated)
                unreviewed = self.model.field_unreviewed_q(name, language)
                counts[f"{column}_unreviewed"] = models.Count("pk", filter=unreviewed & ~outdated)
        counted = self.order_by().aggregate(**counts)
        result = {}
        for language in languages:
            missing = sum(counted[f"{name}_{language}_missing"] for name in names[language])
            outdated = sum(counted[f"{name}_{language}_outdated"] for name in names[language])
            unreviewed = sum(counted[f"{name}_{language}_unreviewed"] for name in names[language])
            up_to_date = counted["records"] * len(names[language]) - missing - outdated
            result[language] = {
                UP_TO_DATE: up_to_date,
                MISSING: missing,
                OUTDATED: outdated,
                # Of those up to date: the ones a second person has read.
                REVIEWED: up_to_date - unreviewed,
            }
        return result


class TranslatedFields(models.Model):
    translated_from = models.JSONField(
        _("translated from"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Fingerprint of the original text each translation was made from."),
    )
    # {"<field>_<language>": true} for each outdated translation. Derived from the
    # texts and translated_from on every write, fixtures' included: exportcontent
    # leaves it out, and whatever a file says, a load works it out again. An
    # object, not a list: SQLite can ask an object for a key (has_key), but cannot
    # look inside a list (contains).
    outdated_translations = models.JSONField(
        _("outdated translations"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The translations made from an earlier version of the original text."),
    )
    # {"<field>_<language>": {"origin": …, "author": username, "reviewer": username,
    # "reviewed_at": ISO time}} for each text (the original's too); "" is the operator
    # (a command). The write path keeps it (changes.py); a review is the one part a
    # person writes, through a form or an action, and never of their own text.
    translation_credits = models.JSONField(
        _("translation credits"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Each text's origin, who wrote it, and who reviewed it and when."),
    )
    # {"<field>_<language>": origin} for each text with no review,
    # derived like outdated_translations.
    unreviewed_translations = models.JSONField(
        _("unreviewed translations"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The texts nobody but their author has read, with their origin."),
    )

    class Meta:
        abstract = True

    # Fields that may stay empty in every language: missing in a language only
    # where another language has a text (or, for patterned ones, the original).
    optional_translated_fields = ()
    # Of those, the ones whose empty text shows no other language's (a title's
    # pattern stands in): a page is whole in a language without them.
    patterned_fields = ()
    # Fields whose value in each language is that language's own, not a translation
    # of the original (a category's slug, a concept's terms): no translation status,
    # origin or translator's right.
    language_own_fields = ()

    @classmethod
    def translated_fields(cls):
        """Every field with a column per language (modeltranslation's), texts and addresses."""
        return registered_fields(cls)

    @classmethod
    def text_fields(cls):
        """The translated fields that are texts: what translators write and statuses are kept of."""
        return tuple(field for field in cls.translated_fields() if field not in cls.language_own_fields)

    @classmethod
    def translated_fields_in(cls, language):
        """The texts a record has in ``language`` (all of them, unless a model says otherwise)."""
        return cls.text_fields()

    @classmethod
    def missing_translation_q(cls, language, *, optional=True):
        """
        Records with at least one translated field empty (NULL or '') in
        ``language``; with ``optional=False``, leaving out the fields a page
        shows a pattern for (a page is whole without them).
        """
        query = NOTHING
        for field in cls.translated_fields_in(language):
            if optional or field not in cls.patterned_fields:
                query |= cls.field_missing_q(field, language)
        return query

    @classmethod
    def field_missing_q(cls, field, language):
        query = blank_q(f"{field}_{language}")
        if field in cls.optional_translated_fields:
            written = models.Q()
            for code in language_codes():
                written |= models.Q(original_language=code) & ~blank_q(f"{field}_{code}")
            if field not in cls.patterned_fields:
                for code in language_codes():
                    written |= ~blank_q(f"{field}_{code}")
            query &= written
        return query

    @classmethod
    def outdated_translation_q(cls, language):
        """Records with at least one translated field outdated in ``language``."""
        query = NOTHING
        for field in cls.translated_fields_in(language):
            query |= cls.field_outdated_q(field, language)
        return query

    @classmethod
    def field_outdated_q(cls, field, language):
        return models.Q(outdated_translations__has_key=f"{field}_{language}")

    @classmethod
    def unreviewed_translation_q(cls, language):
        """Records with at least one written translation in ``language`` that nobody has reviewed."""
        query = NOTHING
        for field in cls.translated_fields_in(language):
            query |= cls.field_unreviewed_q(field, language)
        return query

    @classmethod
    def field_to_review_q(cls, field, language, by_others_than=None):
        column = f"{field}_{language}"
        query = cls.field_unreviewed_q(field, language) & ~cls.field_outdated_q(field, language)
        if by_others_than is not None:
            # A text without credits (a record not saved since they began) is nobody's: a key
            # path that is missing compares as NULL, which a negation would leave out.
            by_them = models.Q(**{f"translation_credits__{column}__author": by_others_than})
            query &= ~by_them | ~models.Q(translation_credits__has_key=column)
        return query

    @classmethod
    def field_unreviewed_q(cls, field, language):
        return models.Q(unreviewed_translations__has_key=f"{field}_{language}")

    def original_text(self, field):
        """The text that the field's translations are made from."""
        return getattr(self, f"{field}_{self.original_language}")

    def made_from_original(self, field, language):
        """Whether this text is made from the original (and turns outdated when the original changes)."""
        return language != self.original_language

    def missing_translations(self, language):
        """Names of the translated fields that have no text in ``language``."""
        return [field for field in self.translated_fields_in(language) if self.is_missing(field, language)]

    def is_missing(self, field, language):
        """Whether the field has no text in ``language`` where it needs one (without the fingerprints)."""
        if getattr(self, f"{field}_{language}"):
            return False
        if field not in self.optional_translated_fields or self.original_text(field):
            return True
        # Unless a pattern stands in, a text written in any language is one to translate.
        return field not in self.patterned_fields and any(
            getattr(self, f"{field}_{code}") for code in language_codes()
        )

    def translation_status(self, field, language):
        if not getattr(self, f"{field}_{language}"):
            return MISSING if self.is_missing(field, language) else UP_TO_DATE
        if not self.made_from_original(field, language):
            return UP_TO_DATE
        base = self.translated_from.get(field, {}).get(language)
        return UP_TO_DATE if base == fingerprint(self.original_text(field)) else OUTDATED

    def translation_statuses(self):
        """{(field, language): status} for every translated field of every language."""
        return {
            (field, language): self.translation_status(field, language)
            for language in language_codes()
            for field in self.translated_fields_in(language)
        }

    def record_translation_bases(self, stored):
        """
        A translation saved with new text is up to date with the original as it
        stands now; one left alone keeps the fingerprint it had, so a change of
        the original makes it outdated. ``stored`` holds the columns as they are
        in the database ({} for a new record); comparisons/changes.py calls this
        on every save.
        """
        bases = {field: dict(self.translated_from.get(field, {})) for field in self.text_fields()}
        for field in self.text_fields():
            original = self.original_text(field)
            for language in language_codes():
                if not self.made_from_original(field, language):
                    continue
                text = getattr(self, f"{field}_{language}")
                if not text:
                    bases[field].pop(language, None)
                elif not same_text(text, stored.get(f"{field}_{language}")):
                    bases[field][language] = fingerprint(original)
        self.translated_from = {field: langs for field, langs in bases.items() if langs}

    def rewrite_texts(self, texts):
        """
        Write ``texts`` ({column: text}), a change of form and not of content
        (line breaks): a translation made from the original as it was is made
        from it as it is, so no status changes.
        """
        bases = self.translated_from
        readable = (
            self.original_language in language_codes()
            and isinstance(bases, dict)
            and all(isinstance(languages, dict) for languages in bases.values())
        )
        # An unreadable record is only written: validation says what is wrong with it.
        fields = [field for field in self.text_fields() if field in bases] if readable else []
        before = {field: fingerprint(self.original_text(field)) for field in fields}
        for column, text in texts.items():
            setattr(self, column, text)
        after = {field: fingerprint(self.original_text(field)) for field in fields}
        if fields:
            self.translated_from = {
                field: {
                    language: after[field] if field in after and base == before[field] else base
                    for language, base in languages.items()
                }
                for field, languages in bases.items()
            }

    def find_outdated_translations(self):
        """Write down which translations are outdated, for the database to find (see the field)."""
        if self.original_language not in language_codes():
            # No original to compare with: validation refuses the record (an import names it).
            self.outdated_translations = {}
            return
        self.outdated_translations = {
            f"{field}_{language}": True
            for (field, language), status in self.translation_statuses().items()
            if status == OUTDATED
        }

    def credited_texts(self):
        """
        (field, language) of every text that has credits: each language's,
        the original's too (a seed's original may itself be a machine
        translation, and a person writes it as much as any other).
        """
        return [(field, language) for field in self.text_fields() for language in language_codes()]

    def credit(self, field, language):
        """A text's credits: origin, author, reviewer and reviewed_at (see the field)."""
        credit = self.translation_credits.get(f"{field}_{language}") if self.has_readable_credits() else None
        return {**UNKNOWN_CREDIT, **(credit or {})}

    def needs_review(self, field, language):
        """Whether the field holds a text in ``language`` that nobody but its writer has read."""
        return bool(getattr(self, f"{field}_{language}")) and not self.credit(field, language).get("reviewer")

    def is_machine_translated(self, field, language):
        """Whether the field's text in ``language`` is a machine translation nobody has reviewed."""
        return (self.unreviewed_translations or {}).get(f"{field}_{language}") == MACHINE

    def shows_machine_translation(self, language):
        """Whether its page shows, in ``language``, a machine translation nobody has reviewed."""
        return any(
            record.is_machine_translated(field, language)
            for record in self.translated_parts()
            for field in record.translated_fields_in(language)
        )

    def has_readable_credits(self):
        credits = self.translation_credits
        return isinstance(credits, dict) and all(isinstance(credit, dict) for credit in credits.values())

    def record_translation_credits(self, stored, author, origin=None, written=None):
        """
        A text saved anew is ``author``'s (a username; "" for
        the operator), of ``origin`` (None: a person's, or a machine
        translation a person edited where one was there), and unreviewed; one
        left alone keeps its credits, and a review where the save adds one
        (checked by the write path, changes.check_reviews()). ``stored`` holds
        the columns as they are in the database ({} for a new record),
        ``written`` those the save writes (None: every one).
        """
        if not self.has_readable_credits():
            return  # validation says what is wrong with it
        before = readable_credits(stored.get("translation_credits"))
        credits = {}
        for field, language in self.credited_texts():
            column = f"{field}_{language}"
            text = getattr(self, column)
            if not text:
                continue
            if same_text(text, stored.get(column)) or (written is not None and column not in written):
                credits[column] = dict(self.translation_credits.get(column) or before.get(column) or {})
                continue
            was = before.get(column, {}).get("origin") if stored.get(column) else None
            edited = POST_EDITED if was in (MACHINE, POST_EDITED) else HUMAN
            credits[column] = {"origin": origin or edited, "author": author}
        self.translation_credits = credits

    def find_unreviewed_translations(self):
        """
        Drop the credits of each text that is gone and the review of each
        translation that is outdated (its original changed since it was read),
        and write down which texts are unreviewed, for the database to find
        (see the field).
        """
        if not self.has_readable_credits():
            # Validation refuses them (credit_errors()); until then every text is one nobody has read.
            self.unreviewed_translations = {
                f"{field}_{language}": UNKNOWN
                for field, language in self.credited_texts()
                if getattr(self, f"{field}_{language}")
            }
            return
        credits, unreviewed = {}, {}
        for field, language in self.credited_texts():
            column = f"{field}_{language}"
            if not getattr(self, column):
                continue
            credit = {**UNKNOWN_CREDIT, **(self.translation_credits.get(column) or {})}
            readable = self.original_language in language_codes()
            if readable and self.translation_status(field, language) == OUTDATED:
                credit.pop("reviewer", None)
                credit.pop("reviewed_at", None)
            credits[column] = credit
            if not credit.get("reviewer"):
                unreviewed[column] = credit.get("origin", UNKNOWN)
        self.translation_credits = credits
        self.unreviewed_translations = unreviewed

    def credit_errors(self):
        """
        What is wrong with the credits, one message each: an origin that is
        none of ORIGIN_LABELS, names that are not text, credits of a text that
        is not there, a review without a time, or by its author.
        """
        if not self.has_readable_credits():
            return [_("The translation credits are an object of objects.")]
        texts = {f"{field}_{language}": (field, language) for field, language in self.credited_texts()}
        errors = []
        for column, credit in self.translation_credits.items():
            if column not in texts:
                errors.append(_("%(column)s: there is no text to credit.") % {"column": column})
                continue
            origin = credit.get("origin", UNKNOWN)
            names = [credit.get(key, "") for key in ("author", "reviewer", "reviewed_at")]
            if not isinstance(origin, str) or origin not in ORIGIN_LABELS:
                problem = _("the origin is none of those known.")
            elif not all(isinstance(name, str) for name in names) or set(credit) - CREDIT_KEYS:
                problem = _("the credits name the origin, the author, the reviewer and the time.")
            elif bool(credit.get("reviewer")) != bool(credit.get("reviewed_at")) or not is_time(
                credit.get("reviewed_at")
            ):
                problem = _("a review has a reviewer and a time.")
            elif credit.get("reviewer") and credit.get("reviewer") == credit.get("author"):
                problem = self_review_message()
            else:
                continue
            field, language = texts[column]
            label = self._meta.get_field(field).verbose_name
            errors.append(
                _("%(field)s (%(language)s): %(problem)s")
                % {"field": label, "language": language, "problem": problem}
            )
        return errors

    def translated_parts(self):
        """The records whose text makes up this one's page (for the languages it really has)."""
        return [self]

    def text_in(self, field, language):
        """
        The text of ``field`` a reader in ``language`` sees, and the language it
        is really in: English where ``language`` has none yet. (The search's
        SQL side of the same rule is models.shown_text.)
        """
        text = getattr(self, f"{field}_{language}", None)
        if text:
            return text, language
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        return getattr(self, f"{field}_{default}") or "", default

    def complete_languages(self):
        """Languages in which every text of the page is written, not fallen back to English."""
        return complete_languages(self.translated_parts())


CREDIT_KEYS = frozenset({"origin", "author", "reviewer", "reviewed_at"})
# The credits of a text nobody has said anything of.
UNKNOWN_CREDIT = {"origin": UNKNOWN, "author": ""}


def readable_credits(value):
    """Credits as stored, where they are an object of objects; {} (nothing said) otherwise."""
    if isinstance(value, dict) and all(isinstance(credit, dict) for credit in value.values()):
        return value
    return {}


def is_time(value):
    """Whether a review's time is none or an ISO date and time."""
    if not value:
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def self_review_message():
    return _("its author may not review it: another translator of the language does.")


def complete_languages(records, unshown=()):
    """
    Languages in which every text of these records is written (a page that shows
    them has them all), but for the ``unshown`` fields the page leaves out. A
    field with a pattern (patterned_fields) left empty shows no other language's
    text, so it does not count.
    """
    return [
        code
        for code in language_codes()
        if not any(
            set(record.missing_translations(code)) - {*record.patterned_fields, *unshown}
            for record in records
        )
    ]
