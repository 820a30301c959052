"""
Write outsourcing_kb/varnish/public_pages.vcl from what the views declare:
which addresses are public pages (those under a language prefix, and the
views outside them that say which query parameters they read), and every
query parameter some page reads (page_cache.reads_query()). site.vcl
includes it, so Varnish keys pages as the site does. ``--check`` fails when
the file is out of date (the test suite runs it).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comparisons.page_cache import public_routes

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


def public_pages_vcl():
    parameters, outside = public_routes()
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
