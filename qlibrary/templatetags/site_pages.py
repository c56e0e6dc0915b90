"""Links to the community's rules from the moderators' reasons that cite them."""

import re

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# "the rules", "the guidelines", "our community guidelines", "the community rules", ...
CITES_RULES = re.compile(
    r"\b((?:the|our) (?:community )?(?:rules|guidelines)|community guidelines)\b", re.IGNORECASE
)


@register.filter
def cites_rules(text):
    """True when a reason refers to the community's rules."""
    return bool(CITES_RULES.search(text or ""))


@register.filter
def link_rules(text):
    """The reason, escaped, with each mention of the rules a link to the guidelines page."""
    url = reverse("pages:guidelines")
    escaped = conditional_escape(text or "")
    return mark_safe(  # noqa: S308  (the text is escaped above; only our link is added)
        CITES_RULES.sub(lambda match: format_html('<a href="{}">{}</a>', url, match[0]), escaped)
    )
