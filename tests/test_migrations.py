"""
The slug migrations (0019-0021) on a database with content, back and forth,
in processes of their own: each migration is then a transaction of its own,
as in a deployment (inside a test's transaction PostgreSQL would keep the
checks of rows written earlier pending, and refuse to alter the table).
"""

import json
import os

import pytest

from tests.postgres import server_binaries
from tests.servers import manage, prepare_site, prepared_postgres, site_environment

pytestmark = pytest.mark.servers

# KPO renamed in every language (German its own way), as the site stands before migrating back.
RENAME = """
from comparisons.models import Category
kpo = Category.objects.get(slug_en="kpo")
kpo.slug_en = kpo.slug_uk = "knowledge"
kpo.slug_de = "wissen"
kpo.save()
"""

READ = """
import json
from django.utils import translation
from comparisons.models import Category, FormerSlug
kpo = Category.objects.get(name_en__startswith="Knowledge")
with translation.override("de"):
    named = Category.objects.published().named("kpo")["kpo"].get_absolute_url()
print(json.dumps({
    "slugs": [kpo.slug_en, kpo.slug_uk, kpo.slug_de],
    "former": sorted([former.language, former.slug] for former in FormerSlug.objects.all()),
    "named": named,
}))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    if request.param == "sqlite":
        env = site_environment(tmp_path)
        prepare_site(env)
        yield env
        return
    if server_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server binaries")
        pytest.skip("PostgreSQL server binaries are not installed")
    database = prepared_postgres()
    env = site_environment(tmp_path, DATABASE_URL=database.url)
    prepare_site(env)
    yield env
    database.remove()


def test_the_slug_migrations_go_back_and_forth_with_renamed_categories(site):
    manage(site, "shell", "-c", RENAME)
    manage(site, "migrate", "comparisons", "0018", "-v0")
    # Back to one slug: the English one; the German one, and every former one, lead to it still.
    manage(site, "migrate", "-v0")
    state = json.loads(manage(site, "shell", "-c", READ).stdout.splitlines()[-1])
    assert state["slugs"] == ["knowledge"] * 3
    assert state["former"] == [[code, slug] for code in ("de", "en", "uk") for slug in ("kpo", "wissen")]
    assert state["named"] == "/de/kategorien/knowledge/"
