from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt

from sources.perspectives import Perspective

# Staff-written pages: CommonMark with raw HTML escaped (markdown-it refuses javascript: links).
_PAGE_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def _heading_ids(state):
    """Give each heading an id from its words, so other pages can link to a section."""
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open":
            token.attrSet("id", slugify(state.tokens[index + 1].content))


_PAGE_MARKDOWN.core.ruler.push("heading_ids", _heading_ids)


class User(AbstractUser):
    display_name = models.CharField(
        max_length=80, blank=True, help_text="How your name appears to others."
    )
    organisation = models.CharField(max_length=150, blank=True)
    bio = models.TextField("short bio", max_length=1000, blank=True)
    perspective = models.CharField(
        "perspective you bring", max_length=20, choices=Perspective.choices, blank=True
    )
    notify_new_proposals = models.BooleanField(
        "e-mail me about new proposals (moderators)", default=True
    )
    notify_replies = models.BooleanField("e-mail me when someone replies to me", default=True)
    notify_source_comments = models.BooleanField(
        "e-mail me when someone comments on a source I proposed", default=True
    )
    weekly_digest = models.BooleanField(
        "e-mail me a weekly digest of news about the themes and sources I follow", default=True
    )
    # When the last digest was sent: the next one covers what happened since
    # (sources/library/following.py).
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("profile", kwargs={"username": self.username})


class SitePage(models.Model):
    """A page in the site's own words (guidelines, about, privacy, contact); staff edit its text
    in the admin, so the community's rules change without a deploy."""

    class Slug(models.TextChoices):
        GUIDELINES = "guidelines", "Community guidelines"
        ABOUT = "about", "About the library"
        PRIVACY = "privacy", "Privacy"
        CONTACT = "contact", "Contact"

    slug = models.SlugField(max_length=40, unique=True, choices=Slug.choices)
    title = models.CharField(max_length=150)
    lead = models.CharField(max_length=300, blank=True, help_text="One sentence under the title.")
    body = models.TextField(
        help_text="Markdown: ## headings, paragraphs, - lists, **strong**, [links](https://…)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"pages:{self.slug}")

    def body_html(self):
        """The body as HTML: raw HTML in the text is shown as text, links only http(s)/mailto."""
        return mark_safe(_PAGE_MARKDOWN.render(self.body))  # noqa: S308  (html off: escaped)


class CacheGeneration(models.Model):
    """The cache's generation, one row: part of every cache key, moved by the few changes that
    no row's `updated_at` shows (qlibrary/cache.py)."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"generation {self.number}"
