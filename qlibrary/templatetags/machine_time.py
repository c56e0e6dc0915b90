"""The value of a `<time datetime>` attribute, as HTML's date-and-time syntax allows it."""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attribute(moment):
    """A moment to the second with its offset ("2026-12-06T04:43:52+00:00"): HTML allows at most
    three digits of a second's fraction, where `date:'c'` writes the database's six."""
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.replace(microsecond=0).isoformat()
    if isinstance(moment, date):
        return moment.replace(microsecond=0).isoformat()
    return ""
