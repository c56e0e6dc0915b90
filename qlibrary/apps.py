from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_delete, post_migrate, post_save


def create_cache_tables(using, **kwargs):
    """Create every database cache table in CACHES after each `migrate`, so a database that was
    only migrated serves at once. Existing tables are left alone."""
    call_command("createcachetable", database=using, verbosity=0)


def _site_page_changed(sender, instance, **kwargs):
    from sources.page_cache import site_page_changed

    site_page_changed(instance)


class QLibraryConfig(AppConfig):
    name = "qlibrary"
    verbose_name = "Q Library"

    def ready(self):
        from .models import SitePage

        post_migrate.connect(create_cache_tables, sender=self)
        # A site page edited in the admin shows on its next read (sources/page_cache.py).
        post_save.connect(_site_page_changed, sender=SitePage, dispatch_uid="pages_site_saved")
        post_delete.connect(_site_page_changed, sender=SitePage, dispatch_uid="pages_site_deleted")
