"""How many comments a member may post in a window, counted in the shared cache (the database
cache, or Redis when REDIS_URL is set), so every worker process sees the same count."""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 600


def _key(member):
    window = int(time.time()) // WINDOW_SECONDS
    return f"comment-limit:{member.pk}:{window}"


def comments_left(member):
    return max(settings.COMMENTS_PER_10_MINUTES - cache.get(_key(member), 0), 0)


def count_comment(member):
    """Count one more comment in the current window."""
    key = _key(member)
    if not cache.add(key, 1, WINDOW_SECONDS):
        cache.incr(key)
