"""How many comments a member may post in ten minutes, counted from the comments themselves.

`discussion.post` counts and writes in one transaction with the member's row locked, so posts
sent in parallel cannot pass the limit together, and no cache eviction can reset the count.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Comment

WINDOW = timedelta(minutes=10)


def comments_left(member):
    """How many more comments the member may post now (their comments of any status count)."""
    made = Comment.objects.filter(author=member, created_at__gte=timezone.now() - WINDOW).count()
    return max(settings.COMMENTS_PER_10_MINUTES - made, 0)
