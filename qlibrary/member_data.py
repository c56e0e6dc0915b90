"""A member's own data: all the library holds about them, as JSON; and closing their account.

Closing an account keeps what others built on: sources the member proposed stay (without their
name) and their comments stay under "a former member", unless they ask for the comments' text to
go. Their endorsements are taken back, and every count moves with them in one transaction.
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from comments import discussion
from comments.models import Comment, Flag
from sources.endorsements import remove_all_endorsements
from sources.models import Endorsement, Source


def _time(value):
    return value.isoformat() if value else None


def export(member, *, site_url):
    """Everything stored about `member` (profile, proposals, comments, endorsements, flags), as
    a dict ready for JSON. Links are absolute, starting with `site_url`."""
    site_url = site_url.rstrip("/")
    emails = EmailAddress.objects.filter(user=member).order_by("-primary", "email")
    proposals = (
        Source.objects.filter(proposer=member).prefetch_related("themes", "tags").order_by("pk")
    )
    comments = Comment.objects.filter(author=member).select_related("theme", "source")
    endorsements = Endorsement.objects.filter(member=member).select_related("source")
    flags = Flag.objects.filter(member=member).order_by("pk")
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
        "flags": [
            {
                "comment": flag.comment_id,
                "reason": flag.reason,
                "note": flag.note,
                "flagged": _time(flag.created_at),
            }
            for flag in flags
        ],
    }


def close_account(*, member, remove_comments):
    """Delete `member`'s account. Their endorsements go (counts follow); their comments stay,
    attributed to "a former member", or lose their text first when `remove_comments`."""
    with transaction.atomic():
        remove_all_endorsements(member=member)
        if remove_comments:
            for comment in Comment.objects.filter(author=member).exclude(
                status=Comment.Status.DELETED
            ):
                discussion.delete(comment=comment, author=member)
        member.delete()
