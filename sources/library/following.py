"""Following: members follow a theme or a source, and its news (approvals in a followed theme,
retractions, expressions of concern and supersessions) reaches them on their "Following" page and
in a weekly digest e-mail through the outbox (which they can switch off in their profile)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from qlibrary.db import prepared_cursor
from qlibrary.outbox import mail
from sources.lists.digest import list_changes_for
from sources.models import Follow, ModerationEvent, Source

Action = ModerationEvent.Action
NEWS = (Action.APPROVE, Action.RETRACTION, Action.CONCERN, Action.SUPERSEDE)
DIGEST_EVERY = timedelta(days=7)
# How far back the "Following" page looks.
PAGE_WINDOW = timedelta(days=90)


def set_follow(*, member, follow, theme=None, source=None):
    """Follow or stop following a theme or a source; doing it twice is harmless."""
    target = {"theme": theme} if theme is not None else {"source": source}
    if not follow:
        Follow.objects.filter(member=member, **target).delete()
        return
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(member=member, **target)
    except IntegrityError:
        pass  # a double click raced us to it: followed either way


def is_following(member, *, theme=None, source=None):
    """Whether `member` follows `theme` (or `source`): asked on every member's theme and source
    page, so through a prepared statement (qlibrary/db.py), not a query built each time."""
    if not member.is_authenticated:
        return False
    sql, target = (FOLLOWS_THEME, theme) if theme is not None else (FOLLOWS_SOURCE, source)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [member.pk, target.pk])
        return cursor.fetchone() is not None


# The table of `Follow`; tests/test_following.py checks the name.
FOLLOWS_THEME = "SELECT 1 FROM sources_follow WHERE member_id = %s AND theme_id = %s"
FOLLOWS_SOURCE = "SELECT 1 FROM sources_follow WHERE member_id = %s AND source_id = %s"


def news_for(member, since):
    """Public events since `since` about the sources the member follows, or approvals of
    sources in the themes they follow; newest first."""
    follows = Follow.objects.filter(member=member)
    followed_sources = follows.filter(source__isnull=False).values("source")
    followed_themes = follows.filter(theme__isnull=False).values("theme")
    in_theme = Source.objects.filter(themes__in=followed_themes).values("pk")
    return (
        ModerationEvent.objects.filter(
            action__in=NEWS, created_at__gt=since, source__status=Source.Status.APPROVED
        )
        .filter(Q(source__in=followed_sources) | Q(source__in=in_theme))
        .select_related("source")
        .order_by("-created_at", "-pk")
    )


def send_digests(now=None):
    """Queue a digest for every member who wants one, follows something and had none for a
    week; returns how many were queued. Each member's window ends at `now`, recorded in the
    same transaction as the queued e-mail, so no news is sent twice or skipped."""
    now = now or timezone.now()
    members = (
        get_user_model()
        .objects.filter(is_active=True, weekly_digest=True)
        .filter(Q(follows__isnull=False) | Q(list_follows__isnull=False))
        .filter(Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - DIGEST_EVERY))
        .exclude(email="")
        .distinct()
    )
    queued = 0
    for member in members:
        with transaction.atomic():
            locked = get_user_model().objects.select_for_update().get(pk=member.pk)
            since = locked.digest_sent_at or (now - DIGEST_EVERY)
            if locked.digest_sent_at and locked.digest_sent_at > now - DIGEST_EVERY:
                continue  # another run got there first
            news = list(news_for(locked, since).filter(created_at__lte=now))
            # The reading lists they follow (sources/lists/digest.py).
            list_news = list(list_changes_for(locked, since, now))
            if news or list_news:
                _queue_digest(locked, news, list_news)
                queued += 1
            locked.digest_sent_at = now
            locked.save(update_fields=["digest_sent_at"])
    return queued


def _queue_digest(member, news, list_news=()):
    base = settings.SITE_URL.rstrip("/")
    context = {
        "member": member,
        "news": news,
        "list_news": list_news,
        "base": base,
        "following_url": base + "/me/following/",
        "profile_url": base + "/me/profile/",
    }
    mail.queue(
        kind="digest",
        subject=f"[Q Library] This week in what you follow: {len(news) + len(list_news)} update(s)",
        body=render_to_string("sources/email/digest.txt", context),
        to=[member.email],
    )
