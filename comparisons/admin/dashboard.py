"""The translators' dashboard: what is missing or outdated, per language."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..changes import translation_languages
from ..translation_status import MISSING, OUTDATED, STATUS_LABELS


def translation_work(languages):
    """
    {language: {"missing": n, "outdated": n, "records": [...]}} over every
    translated field of every content record: the database counts and picks
    the records with work, two queries per model whatever their number.
    """
    work = {code: {MISSING: 0, OUTDATED: 0, "records": []} for code in languages}
    for model in apps.get_app_config("comparisons").get_models():
        records = model._default_manager.all()
        for code, counts in records.translation_counts(languages).items():
            work[code][MISSING] += counts[MISSING]
            work[code][OUTDATED] += counts[OUTDATED]
        with_work = records.none()
        for code in languages:
            with_work |= records.missing_in(code) | records.outdated_in(code)
        # The records' own keys, which their names are made of (a comparison's categories).
        keys = [field.name for field in model._meta.concrete_fields if field.many_to_one]
        if keys:
            with_work = with_work.select_related(*keys)
        for obj in with_work:
            for code in languages:
                fields = [
                    (field, state)
                    for field in model.translated_fields()
                    if (state := obj.translation_status(field, code)) in (MISSING, OUTDATED)
                ]
                if fields:
                    work[code]["records"].append(todo(obj, code, fields))
    return work


def todo(obj, language, fields):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return {
        "model": obj._meta.verbose_name,
        "record": str(obj),
        "fields": [
            {
                "label": obj._meta.get_field(field).verbose_name,
                "status": state,
                "status_label": STATUS_LABELS[state],
                "url": f"{url}?translate={field}_{language}",
            }
            for field, state in fields
        ],
    }


def translation_dashboard(request):
    languages = translation_languages(request.user)
    if not languages:
        raise PermissionDenied
    names = dict(settings.LANGUAGES)
    work = translation_work(languages)
    context = {
        **admin.site.each_context(request),
        "title": _("Translation work"),
        "languages": [(code, names[code], work[code]) for code in languages],
    }
    return render(request, "admin/comparisons/translation_dashboard.html", context)
