from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "qlibrary.outbox"
    label = "outbox"
    verbose_name = "Outgoing e-mail"
