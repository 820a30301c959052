"""
Write outsourcing_kb/varnish/public_pages.vcl from what the views declare:
which addresses are public pages (those under a language prefix, and the
views outside them that say which query parameters they read), and every
query parameter some page reads (page_cache.reads_query()). site.vcl
includes it, so Varnish keys pages as the site does. ``--check`` fails when
the file is out of date (the test suite runs it).
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

VCL = Path(settings.BASE_DIR) / "outsourcing_kb" / "varnish" / "public_pages.vcl"

TEMPLATE = """\
# Written by `manage.py varnishvcl` from the views' declarations
# (comparisons/page_cache.py): do not edit; run the command again.

# A public page: the same for everyone, so no cookie splits the cache.
sub public_page {{
    if ((req.method == "GET" || req.method == "HEAD")
        && (req.url ~ "^/({languages})/" || req.url ~ "^/({outside})(\\?|$)")) {{
        set req.http.X-Public-Page = "1";
    }} else {{
        unset req.http.X-Public-Page;
    }}
}}

# Only the query parameters some page reads, in one order.
sub page_parameters {{
    set req.url = regsuball(req.url, "([?&])(?!(?:{parameters})=)[^&]*", "\\1");
}}
"""


def views(patterns, under_language=False):
    """(view, its route as a regular expression or None, whether it is under a language prefix)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            language = under_language or isinstance(pattern.pattern, LocalePrefixPattern)
            yield from views(pattern.url_patterns, language)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield view, pattern.pattern.regex.pattern, under_language


def public_pages_vcl():
    found = list(views(get_resolver().url_patterns))
    parameters = sorted(
        {name for view, _route, _language in found for name in getattr(view, "query_parameters", ())}
    )
    # Routes outside the language prefixes, as regular expressions from the start of the path.
    outside = sorted(
        re.sub(r"\(\?P<\w+>", "(?:", route.removeprefix("^").removesuffix(r"\Z"))
        for view, route, language in found
        if not language and hasattr(view, "query_parameters")
    )
    return TEMPLATE.format(
        languages="|".join(code for code, _name in settings.LANGUAGES),
        outside="|".join(outside),
        parameters="|".join(parameters),
    )


class Command(BaseCommand):
    help = "Write outsourcing_kb/varnish/public_pages.vcl from the views' declarations."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is out of date.")

    def handle(self, *args, check=False, **options):
        text = public_pages_vcl()
        if check:
            if not VCL.exists() or VCL.read_text() != text:
                raise CommandError(f"{VCL.name} is out of date: run `manage.py varnishvcl`.")
            return
        VCL.write_text(text)
        self.stdout.write(f"Wrote {VCL}")
