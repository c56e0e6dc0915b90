from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A source's themes or tags changed without a save of the source: its record changed (or,
    from the theme's or tag's side, the records of the sources named)."""
    from sources.models import Source

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        changed = [instance.pk]
    elif pk_set:
        changed = pk_set
    else:
        changed = instance.sources.values_list("pk", flat=True)
    # The queryset sets `updated_at` too.
    Source.objects.filter(pk__in=changed).update(record_updated_at=timezone.now())


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Library"

    def ready(self):
        from taggit.models import Tag

        from qlibrary.cache import new_generation_on_change

        # What no `updated_at` of the pages' rows shows starts a new cache generation
        # (qlibrary/cache.py): a theme or a tag saved (their names are on cards everywhere;
        # a theme's counters are written with update(), which moves its own `updated_at`), and
        # a source, theme or tag deleted (its links go with it, without a save).
        for model in (self.get_model("Theme"), Tag):
            post_save.connect(new_generation_on_change, sender=model, dispatch_uid=f"cache:{model}")
        source = self.get_model("Source")
        for links in (source.themes.through, self.get_model("TaggedSource")):
            m2m_changed.connect(_links_changed, sender=links, dispatch_uid=f"cache_links:{links}")
        for model in (source, self.get_model("Theme"), Tag):
            post_delete.connect(
                new_generation_on_change, sender=model, dispatch_uid=f"cache_gone:{model}"
            )
