from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_delete, post_migrate, post_save


def create_cache_tables(using, **kwargs):
    """Create every database cache table in CACHES after each `migrate`, so a database that was
    only migrated serves at once. Existing tables are left alone."""
    call_command("createcachetable", database=using, verbosity=0)


def _member_saved(sender, instance, created, update_fields=None, **kwargs):
    """A member's name is on their comments, sources and lists: a change to it, which no
    `updated_at` shows, starts a new cache generation. Signing in stamps last_login, and a digest
    digest_sent_at, which no page shows; a new member shows nowhere yet."""
    from .cache import new_generation

    if created or (update_fields is not None and set(update_fields) <= SILENT_MEMBER_FIELDS):
        return
    new_generation()


SILENT_MEMBER_FIELDS = {"last_login", "digest_sent_at"}


class QLibraryConfig(AppConfig):
    name = "qlibrary"
    verbose_name = "Q Library"

    def ready(self):
        from .cache import connect_touches, new_generation_after_migrate, new_generation_on_change

        post_migrate.connect(create_cache_tables, sender=self)
        post_migrate.connect(new_generation_after_migrate, sender=self)
        user = self.get_model("User")
        post_save.connect(_member_saved, sender=user, dispatch_uid="cache_member_saved")
        post_delete.connect(new_generation_on_change, sender=user, dispatch_uid="cache_member_gone")
        connect_touches()
