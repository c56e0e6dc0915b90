from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Library"

    def ready(self):
        from .page_cache import watch_library_changes

        watch_library_changes(self)
