"""The translators' dashboard: what is missing, outdated or to review, per language."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from ..changes import translated_models, translation_languages
from ..drafts import snapshot_of
from ..models import Draft
from ..snapshots import name_of
from ..translation_status import MISSING, OUTDATED, STATUS_LABELS, UP_TO_DATE

# Records listed per model and language; the change list, filtered, has them all.
LISTED = 50


def translation_work(languages, user=None):
    """
    {language: {"missing": n, "outdated": n, "to_review": n, "records": [...],
    "more": [...], "reviews": [...], "more_reviews": [...]}} over every
    translated field of every content record: the database counts and picks
    the records with work, a fixed number of queries whatever their number.
    At most LISTED records per model and language are listed; "more" links
    the change lists that hold the rest. "reviews" are the translations up to
    date that nobody has reviewed, but ``user``'s own (another reviews those).
    """
    work = {
        code: {MISSING: 0, OUTDATED: 0, "to_review": 0, "records": [], "more": [], "drafts": []}
        | {"reviews": [], "more_reviews": []}
        for code in languages
    }
    name = user.get_username() if user is not None else None
    for model in translated_models():
        records = model._default_manager.all()
        for code, counts in records.translation_counts(languages).items():
            work[code][MISSING] += counts[MISSING]
            work[code][OUTDATED] += counts[OUTDATED]

        # The records' own keys, which their names are made of (a comparison's categories).
        keys = [field.name for field in model._meta.concrete_fields if field.many_to_one]
        for code in languages:
            with_work = records.missing_in(code) | records.outdated_in(code)
            if keys:
                with_work = with_work.select_related(*keys)
            found = list(with_work[: LISTED + 1])
            for obj in found[:LISTED]:
                fields = [
                    (field, state)
                    for field in model.translated_fields_in(code)
                    if (state := obj.translation_status(field, code)) in (MISSING, OUTDATED)
                ]
                work[code]["records"].append(todo(obj, code, fields))
            if len(found) > LISTED:
                work[code]["more"].append(more(model, code))
            work[code]["to_review"] += records.count_to_review(code, by_others_than=name)
            to_review = records.to_review_in(code, by_others_than=name)
            if keys:
                to_review = to_review.select_related(*keys)
            found = list(to_review[: LISTED + 1])
            for obj in found[:LISTED]:
                fields = [
                    (field, "to-review")
                    for field in model.translated_fields_in(code)
                    if obj.needs_review(field, code)
                    and obj.translation_status(field, code) == UP_TO_DATE
                    and obj.credit(field, code)["author"] != name
                ]
                if fields:
                    work[code]["reviews"].append(todo(obj, code, fields, parameter="review"))
            if len(found) > LISTED:
                work[code]["more_reviews"].append(more(model, code))
    for code, entries in drafted_work(languages).items():
        work[code]["drafts"] = entries
    return work


def drafted_work(languages):
    """
    {language: [...]}: the fields of drafts (drafts.py) missing or outdated in
    each language, so that a new text can be published in every language at
    once. Each links the change form of the drafted record, where a
    translator's change goes into the draft.
    """
    work = {code: [] for code in languages}
    for draft in Draft.objects.select_related("content_type").order_by("started_at"):
        objects = snapshot_of(draft).objects
        url = reverse(
            f"admin:{draft.content_type.app_label}_{draft.content_type.model}_change", args=[draft.object_id]
        )
        record = objects[0]
        for code in languages:
            for obj in objects:
                fields = [
                    (field, state)
                    for field in type(obj).translated_fields_in(code)
                    if (state := obj.translation_status(field, code)) in (MISSING, OUTDATED)
                ]
                if fields:
                    entry = todo(obj, code, fields, url=url, highlight=obj is record)
                    entry["draft_of"] = str(record)
                    work[code].append(entry)
    return work


def more(model, language):
    """The change list of a model's records with work in a language, filtered both ways."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return {
        "model": model._meta.verbose_name_plural,
        "missing_url": f"{url}?translation=missing-{language}",
        "outdated_url": f"{url}?translation=outdated-{language}",
        "review_url": f"{url}?translation=review-{language}",
    }


def todo(obj, language, fields, url=None, highlight=True, parameter="translate"):
    """
    A record's fields to translate (or review: ``parameter``), each linking
    the form it is translated in (``url``: not its own), the field marked.
    """
    if url is None:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return {
        "model": obj._meta.verbose_name,
        "record": name_of(obj)["name"],  # a draft's row may name an attribute deleted since
        "fields": [
            {
                "label": obj._meta.get_field(field).verbose_name,
                "status": state,
                "status_label": STATUS_LABELS.get(state) or gettext("to review"),
                "url": f"{url}?{parameter}={field}_{language}" if highlight else url,
            }
            for field, state in fields
        ],
    }


def translation_dashboard(request):
    languages = translation_languages(request.user)
    if not languages:
        raise PermissionDenied
    names = dict(settings.LANGUAGES)
    work = translation_work(languages, request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("Translation work"),
        "languages": [(code, names[code], work[code]) for code in languages],
        "listed": LISTED,
    }
    return render(request, "admin/comparisons/translation_dashboard.html", context)
