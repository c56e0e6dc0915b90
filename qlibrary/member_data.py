"""A member's own data: all the library holds about them, as JSON; and closing their account.

Closing an account keeps what others built on: sources the member proposed stay (without their
name) and their comments stay under "a former member", unless they ask for the comments' text to
go. Their endorsements are taken back, and every count moves with them in one transaction.
Everything else about them is forgotten: their account, e-mail addresses and confirmation keys,
follows, flags and every other row of theirs (the database deletes these with the account), the
e-mails to them, their name and address in e-mails to others and in the admin's history, their
sessions on every device, and the cached pages that showed their name. The privacy page says the
same.
"""

from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction

from comments import discussion
from comments.models import Comment, Flag
from qlibrary.outbox import erasure
from sources.lists.own_data import own_lists_data
from sources.models import Endorsement, Follow, Source
from sources.proposals.endorsements import remove_all_endorsements

from . import cache

# Who a deleted account's remaining traces are attributed to.
FORMER_MEMBER = "a former member"


def _time(value):
    return value.isoformat() if value else None


def export(member, *, site_url):
    """Everything stored about `member` (profile and e-mail choices, proposals, comments,
    endorsements, what they follow, flags), as a dict ready for JSON. Links are absolute,
    starting with `site_url`."""
    site_url = site_url.rstrip("/")
    emails = EmailAddress.objects.filter(user=member).order_by("-primary", "email")
    proposals = (
        Source.objects.filter(proposer=member).prefetch_related("themes", "tags").order_by("pk")
    )
    comments = Comment.objects.filter(author=member).select_related("theme", "source")
    endorsements = Endorsement.objects.filter(member=member).select_related("source")
    flags = Flag.objects.filter(member=member).order_by("pk")
    follows = Follow.objects.filter(member=member).select_related("theme", "source").order_by("pk")
    return {
        "profile": {
            "username": member.username,
            "display_name": member.display_name,
            "organisation": member.organisation,
            "bio": member.bio,
            "perspective": member.perspective,
            "joined": _time(member.date_joined),
            "last_login": _time(member.last_login),
            "email_addresses": [
                {"email": email.email, "verified": email.verified, "primary": email.primary}
                for email in emails
            ],
            "notifications": {
                "replies": member.notify_replies,
                "comments_on_my_proposals": member.notify_source_comments,
                "new_proposals": member.notify_new_proposals,
                "weekly_digest": member.weekly_digest,
            },
        },
        "proposals": [
            {
                "title": source.title,
                "page": site_url + source.get_absolute_url(),
                "status": source.status,
                "url": source.url,
                "doi": source.doi,
                "authors": source.authors,
                "organisation": source.organisation,
                "year": source.year,
                "kind": source.kind,
                "stance": source.stance,
                "themes": [theme.title for theme in source.themes.all()],
                "tags": [tag.name for tag in source.tag_list],
                "summary": source.summary,
                "rationale": source.rationale,
                "conflict_of_interest": source.conflict_of_interest,
                "proposed": _time(source.created_at),
                "decided": _time(source.decided_at),
                "decision_reason": source.decision_reason,
            }
            for source in proposals
        ],
        "comments": [
            {
                "on": comment.target.title,
                "page": site_url + comment.get_absolute_url(),
                "reply_to": comment.parent_id,
                "id": comment.pk,
                "status": comment.status,
                "body": comment.body,
                "posted": _time(comment.created_at),
                "edited": _time(comment.edited_at),
            }
            for comment in comments
        ],
        "endorsements": [
            {
                "source": endorsement.source.title,
                "page": site_url + endorsement.source.get_absolute_url(),
                "endorsed": _time(endorsement.created_at),
            }
            for endorsement in endorsements
        ],
        "following": [
            {
                "theme" if follow.theme_id else "source": (follow.theme or follow.source).title,
                "page": site_url + (follow.theme or follow.source).get_absolute_url(),
                "since": _time(follow.created_at),
            }
            for follow in follows
        ],
        "flags": [
            {
                "comment": flag.comment_id,
                "reason": flag.reason,
                "note": flag.note,
                "flagged": _time(flag.created_at),
            }
            for flag in flags
        ],
        "reading_lists": own_lists_data(member, site_url=site_url),
    }


def close_account(*, member, remove_comments):
    """Delete `member`'s account and forget them. Their endorsements go (counts follow); their
    comments stay, attributed to "a former member", or lose their text first when
    `remove_comments`."""
    addresses = [
        member.email,
        *EmailAddress.objects.filter(user=member).values_list("email", flat=True),
    ]
    names = [member.username, member.display_name]
    with transaction.atomic():
        remove_all_endorsements(member=member)
        removed_texts = []
        if remove_comments:
            for comment in Comment.objects.filter(author=member).exclude(
                status=Comment.Status.DELETED
            ):
                removed_texts.append(comment.body)
                discussion.delete(comment=comment, author=member)
        erasure.erase(addresses=addresses, names=names, stand_in=FORMER_MEMBER, texts=removed_texts)
        _forget_in_admin_history(member, terms=[*addresses, *names])
        _end_sessions(member)
        member.delete()
        transaction.on_commit(_forget_cached_pages)


def _forget_in_admin_history(member, *, terms):
    """The admin's history of changes to the member's account and addresses stays, about "a
    former member"; its messages name the objects changed (an address added)."""
    pattern = erasure.mention_pattern(terms)
    user_type = ContentType.objects.get_for_model(member)
    address_type = ContentType.objects.get_for_model(EmailAddress)
    address_ids = [
        str(pk) for pk in EmailAddress.objects.filter(user=member).values_list("pk", flat=True)
    ]
    entries = LogEntry.objects.filter(
        content_type=user_type, object_id=str(member.pk)
    ) | LogEntry.objects.filter(content_type=address_type, object_id__in=address_ids)
    for entry in entries:
        entry.object_repr = FORMER_MEMBER
        entry.change_message = pattern.sub(FORMER_MEMBER, entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


def _end_sessions(member):
    """Log the member out everywhere: each session of theirs goes from the database and from the
    cache that holds sessions. A session names its member only inside its encoded data, so each
    is decoded; this runs once per deleted account."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    member_id = str(member.pk)
    sessions = Session.objects.only("session_key", "session_data").iterator(chunk_size=1000)
    keys = [s.session_key for s in sessions if s.get_decoded().get(SESSION_KEY) == member_id]
    for key in keys:
        store(session_key=key).delete()


def _forget_cached_pages():
    """Cached pages and fragments that showed the member's name or profile. Deleting an account
    already starts a new cache generation (qlibrary/cache.py), so no key of theirs is read
    again; emptying the cache removes the entries too, and sessions' cached copies, which are
    read again from the database."""
    cache.clear()
