from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "sources.outbox"
    label = "outbox"
    verbose_name = "Outgoing e-mail"
