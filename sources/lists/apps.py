from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "sources.lists"
    label = "lists"
    verbose_name = "Reading lists"
