from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(using, **kwargs):
    """Create every database cache table in CACHES after each `migrate`, so a database that was
    only migrated serves at once. Existing tables are left alone."""
    call_command("createcachetable", database=using, verbosity=0)


class QLibraryConfig(AppConfig):
    name = "qlibrary"
    verbose_name = "Q Library"

    def ready(self):
        post_migrate.connect(create_cache_tables, sender=self)
