from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def unicode_case_on_sqlite(sender, connection, **kwargs):
    """
    SQLite's lower() and LIKE fold ASCII letters only, so "кпо" would not find
    "КПО". Python's str.lower follows Unicode, as PostgreSQL's lower() does.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, lambda s: s.lower() if s else s, deterministic=True)
        connection.connection.create_function("upper", 1, lambda s: s.upper() if s else s, deterministic=True)


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    verbose_name = _("Outsourcing knowledge base")

    def ready(self):
        from . import changes, checks, drafts, search_index  # noqa: F401 (checks registers itself)
        from .page_cache import refresh_pages

        connection_created.connect(unicode_case_on_sqlite)
        pre_migrate.connect(search_index.drop_search_triggers, sender=self)
        post_migrate.connect(search_index.make_search_indexes, sender=self)
        changes.connect()
        drafts.connect()
        changes.content_changed.connect(refresh_pages, dispatch_uid="page-cache")
