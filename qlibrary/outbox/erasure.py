"""Forgetting a person in the outbox, when their account is deleted.

Messages to them are deleted, whether waiting or sent (or, on a message that also went to others,
their address is taken off). Messages to others that name them (a reply notification names its
author) keep their place in the outbox, with a stand-in ("a former member") where their names
and addresses were, and, when asked, their removed texts (the comment a notification quoted)
replaced too.
"""

import re
from email.utils import parseaddr
from functools import reduce
from html import escape
from operator import or_

from django.db.models import Q

from .models import OutgoingEmail

# Said instead of a removed text that a message quoted.
REMOVED_TEXT = "[removed by its author]"


def erase(*, addresses, names, stand_in, texts=()):
    """Forget the person with these e-mail `addresses` and `names` (username, display name) in
    every stored message; `texts` they asked to remove go from the messages that name them.
    Returns how many messages were deleted and how many rewritten."""
    addresses = {address.strip().lower() for address in addresses if address.strip()}
    names = {name.strip() for name in names if name.strip()}
    deleted = _delete_messages_to(addresses)
    terms = [*addresses, *names]
    if not terms:
        return deleted, 0
    pattern = mention_pattern(terms)
    texts = [text for text in texts if text.strip()]
    rewritten = 0
    for email in OutgoingEmail.objects.filter(_mentioning(terms)):
        if _rewrite(email, pattern, stand_in, texts):
            email.save(update_fields=["subject", "body", "html_body", "headers"])
            rewritten += 1
    return deleted, rewritten


def _delete_messages_to(addresses):
    if not addresses:
        return 0
    candidates = OutgoingEmail.objects.filter(
        reduce(or_, (Q(to__icontains=address) for address in addresses))
    )
    deleted = 0
    for email in candidates:
        kept = [to for to in email.to if parseaddr(to)[1].lower() not in addresses]
        if kept == email.to:
            continue  # the address was only part of another one
        if kept:
            email.to = kept
            email.save(update_fields=["to"])
        else:
            email.delete()
            deleted += 1
    return deleted


def _mentioning(terms):
    """Messages whose text may hold one of `terms` (as typed, or escaped in the HTML part)."""
    forms = {form for term in terms for form in (term, escape(term))}
    return reduce(
        or_,
        (
            Q(subject__icontains=form)
            | Q(body__icontains=form)
            | Q(html_body__icontains=form)
            | Q(headers__icontains=form)
            for form in forms
        ),
    )


def mention_pattern(terms):
    """A regular expression for any of `terms` (names, addresses) as a whole, not as part of a
    longer word or address: "Ann" is not in "Annual", nor "pat" in "pat.smith@example.org".
    Addresses match in any case, names as written, each also HTML-escaped."""
    terms = {term.strip() for term in terms if term and term.strip()}
    if not terms:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = []
    # Longest first, so that a name inside an address is never replaced before the address.
    for term in sorted(terms, key=len, reverse=True):
        flags = "(?i:{})" if "@" in term else "{}"
        for form in dict.fromkeys((term, escape(term))):
            alternatives.append(flags.format(re.escape(form)))
    return re.compile(r"(?<![\w@.+-])(?:" + "|".join(alternatives) + r")(?![\w@+-]|\.\w)")


def _rewrite(email, pattern, stand_in, texts):
    """Put the stand-in in place of every mention in `email`; True if anything changed."""
    changed = False
    fields = {"subject": email.subject, "body": email.body, "html_body": email.html_body}
    for field, value in fields.items():
        new = pattern.sub(stand_in, value)
        for text in texts:
            new = new.replace(text, REMOVED_TEXT).replace(escape(text), REMOVED_TEXT)
        if new != value:
            setattr(email, field, new)
            changed = True
    headers = {name: pattern.sub(stand_in, str(value)) for name, value in email.headers.items()}
    if headers != email.headers:
        email.headers = headers
        changed = True
    email.subject = email.subject[:300]  # the stand-in may be longer than the name
    return changed
