"""
Preview: a public page as it will be once a record's draft is published (or
an unpublished record, once it is), for signed-in staff. The page is the
public view's own response, rendered in a sub-request with the draft applied
inside a transaction that is rolled back, and cached nowhere.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, path, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext

from .. import changes, drafts, page_cache
from ..models import (
    AttributeValue,
    Category,
    Comparison,
    ComparisonRow,
    Draft,
    canonical_order,
    generated_address,
)
from ..phrases import VERSUS
from ..snapshots import NoLongerFits, restored_for_now

# Pages listed in a preview besides the record's own: enough to check a change, not a site map.
PREVIEW_PAGES = 12


def broken_message(broken):
    return gettext(
        "This draft no longer fits the published records (%(error)s). Discard it and make its changes again."
    ) % {"error": broken}


@dataclass
class Preview:
    """What a preview page shows besides the page: for templates/includes/preview_banner.html."""

    record: str
    draft: object
    published: bool
    edit_url: str
    pages: list = field(default_factory=list)
    # The preview of a public page in a language: address(code, path) (see kb.language_urls).
    address: Callable = None


def pair_page(first, second):
    """(label, path) of a pair's page, in the order of its one address (the other redirects)."""
    first, second = canonical_order([first, second])
    return VERSUS.text(first=first, second=second), generated_address([first, second])


def preview_pages(record):
    """
    (label, path) of public pages that show the record, in the active
    language, its own first: a category's page and its pairs with the other
    categories (generated from its attribute values where nobody wrote
    them); for an attribute, the glossary and the tables that show it.
    """
    if isinstance(record, Comparison):
        return [(str(record), record.get_absolute_url())]
    if isinstance(record, Category):
        others = Category.objects.exclude(pk=record.pk)[:PREVIEW_PAGES]
        return [(str(record), record.get_absolute_url()), *(pair_page(record, other) for other in others)]
    with_values = Category.objects.filter(
        pk__in=AttributeValue.objects.filter(attribute=record).values("category")
    )
    categories = list(with_values[:5])
    written = Comparison.objects.published().with_categories()
    written = written.filter(pk__in=ComparisonRow.objects.filter(attribute=record).values("comparison"))
    pages = {}
    for label, address in [
        *(pair_page(a, b) for index, a in enumerate(categories) for b in categories[index + 1 :]),
        *((str(comparison), comparison.get_absolute_url()) for comparison in written[:PREVIEW_PAGES]),
    ]:
        pages.setdefault(address, label)
    found = [(label, address) for address, label in pages.items()][: PREVIEW_PAGES - 1]
    return [(gettext("Glossary"), reverse("comparisons:glossary")), *found]


def public_page(request, page_path, language, preview):
    """The public page at ``page_path`` for ``request``'s user, marked as a preview, cached nowhere."""
    with translation.override(language):
        try:
            match = resolve(page_path)
        except Resolver404:
            raise Http404("No such page") from None
        if match.namespace != "comparisons":
            raise Http404("Not a public page")
        page_request = copy.copy(request)
        page_request.path = page_request.path_info = page_path
        page_request.META = {**request.META, "PATH_INFO": page_path, "QUERY_STRING": ""}
        page_request.GET = QueryDict()
        page_request.resolver_match = match
        page_request.LANGUAGE_CODE = language
        page_request.preview = preview
        with page_cache.bypassed():
            try:
                response = match.func(page_request, *match.args, **match.kwargs)
            except Http404:
                response = render(page_request, "comparisons/preview_missing.html", status=404)
    return response


class PreviewAdminMixin:
    """The preview of a record's pages, for the admins of records with pages."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_preview"
        view = self.admin_site.admin_view(self.preview_view)
        return [path("<path:object_id>/preview/<str:language>/", view, name=name), *super().get_urls()]

    def preview_urls(self, pk, page=""):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_preview"
        query = f"?{urlencode({'page': page})}" if page else ""
        return [
            (code, language, reverse(name, args=[quote(pk), code]) + query)
            for code, language in settings.LANGUAGES
        ]

    def preview_view(self, request, object_id, language):
        """The record's public page, or another that shows it, as it will be once published."""
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language")
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        pk = unquote(object_id)
        if not str(pk).isdecimal() or not self.model._default_manager.filter(pk=pk).exists():
            raise Http404("No such record")
        draft = Draft.objects.for_record(self.model, pk)
        try:
            return self.preview(request, pk, language, draft)
        except NoLongerFits as broken:
            messages.error(request, broken_message(broken))
            return redirect(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", quote(pk)
            )

    def preview(self, request, pk, language, draft):
        page = request.GET.get("page", "")
        with restored_for_now(drafts.snapshot_of(draft) if draft is not None else None):
            record = self.model._default_manager.get(pk=pk)
            published = getattr(record, "is_published", True)
            if not published:
                # As it will look once published; rolled back with the rest.
                with changes.acting_as(None), changes.change_set():
                    record.is_published = True
                    record.save()
            with translation.override(language):
                pages = preview_pages(record)
                page_path = page or pages[0][1]
                preview = Preview(
                    record=str(record),
                    draft=draft,
                    published=published,
                    edit_url=reverse(
                        f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                        args=[quote(pk)],
                    ),
                )
            preview.pages = [
                (label, self.preview_url(pk, language, url, default=pages[0][1])) for label, url in pages
            ]
            own_pages = {code: self.own_page(record, code) for code, _name in settings.LANGUAGES}
            preview.address = lambda code, path: self.preview_url(pk, code, path, default=own_pages[code])
            response = public_page(request, page_path, language, preview)
            if response.status_code in (301, 302) and response.get("Location", "").startswith(
                f"/{language}/"
            ):
                response = HttpResponseRedirect(self.preview_url(pk, language, response["Location"]))
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        for header in ("ETag", "xkey", "Surrogate-Key", "Cache-Tag"):
            if header in response:
                del response[header]
        return response

    def own_page(self, record, language):
        with translation.override(language):
            return preview_pages(record)[0][1]

    def preview_url(self, pk, language, page_path, default=None):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_preview"
        url = reverse(name, args=[quote(pk), language])
        return url if page_path == default else f"{url}?{urlencode({'page': page_path})}"
