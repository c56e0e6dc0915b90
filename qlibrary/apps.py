from django.apps import AppConfig


class QLibraryConfig(AppConfig):
    name = "qlibrary"
    verbose_name = "Q Library"
