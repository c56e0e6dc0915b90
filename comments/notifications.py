"""E-mails about discussions, queued in the outbox after the comment is committed; each can be
switched off in the member's profile."""

from django.conf import settings
from django.template.loader import render_to_string

from qlibrary.markdown import plain_text
from qlibrary.outbox import mail
from sources.text import one_line


def new_comment(comment):
    """Tell the author of the comment replied to, and the proposer of the source discussed."""
    url = settings.SITE_URL.rstrip("/") + comment.get_page_url()
    recipients = {}
    replied_to = comment.parent.author if comment.parent_id else None
    if replied_to is not None and replied_to.notify_replies:
        recipients[replied_to] = "reply"
    source = comment.source
    proposer = source.proposer if source is not None else None
    if proposer is not None and proposer.notify_source_comments and proposer not in recipients:
        recipients[proposer] = "source"
    for member, why in recipients.items():
        if member.pk == comment.author_id or not member.email:
            continue
        context = {
            "comment": comment,
            "member": member,
            "why": why,
            "url": url,
            "body": plain_text(comment.body_html, base_url=settings.SITE_URL),
        }
        # A header is one line: a name or title stored with a line break must not void the mail.
        subject = one_line(
            f"[Q Library] {comment.author.public_name} replied to you"
            if why == "reply"
            else f"[Q Library] New comment on “{source.title}”"
        )
        body = render_to_string("comments/email/new_comment.txt", context)
        mail.queue(kind=f"comment_{why}", subject=subject[:200], body=body, to=[member.email])
