"""Reading lists: a member's named, ordered list of sources with an introduction and a note per
item, private, shared by link or public (sources/lists/services.py changes them)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from qlibrary.cache import TouchingQuerySet
from sources.models import Source, Theme


def new_share_key():
    return secrets.token_urlsafe(18)


class ReadingListQuerySet(TouchingQuerySet):
    def public(self):
        """Lists anyone may find: public and not hidden by a moderator."""
        return self.filter(visibility=ReadingList.Visibility.PUBLIC, hidden_at__isnull=True)

    def newest(self):
        return self.order_by("-created_at", "-pk")

    def most_followed(self):
        return self.order_by("-follower_count", "-created_at", "-pk")


class ReadingList(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: only you"
        LINK = "link", "Shared by link: anyone with the link"
        PUBLIC = "public", "Public: listed for everyone"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_lists"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    introduction = models.TextField(max_length=5000, blank=True)
    # The introduction as safe HTML, rendered once when written (qlibrary/markdown.py).
    introduction_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # A list shared by link opens only with this key in its address (?key=...).
    share_key = models.CharField(max_length=40, default=new_share_key, editable=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    item_count = models.PositiveIntegerField(default=0, editable=False)
    follower_count = models.PositiveIntegerField(default=0, editable=False)
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.TextField(blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadingListQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["private", "link", "public"]),
                name="reading_list_visibility_known",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "-created_at"], name="reading_list_newest"),
            models.Index(fields=["visibility", "-follower_count"], name="reading_list_followed"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lists:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC and self.hidden_at is None

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def share_url(self):
        """The address to give out: with the key while the list is shared by link."""
        if self.visibility == self.Visibility.LINK:
            return f"{self.get_absolute_url()}?key={self.share_key}"
        return self.get_absolute_url()


class ListItem(models.Model):
    touches = ["reading_list"]  # qlibrary/cache.py

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    # Kept when the source itself is deleted: the item then says it is no longer in the library.
    source = models.ForeignKey(
        Source, null=True, on_delete=models.SET_NULL, related_name="list_items"
    )
    source_title = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    note = models.TextField(max_length=1000, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "source"], name="list_item_source_once"
            ),
        ]

    def __str__(self):
        return f"{self.source_title} in {self.reading_list}"


class ListFollow(models.Model):
    """A member following a public list: its changes join their weekly digest."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_follows"
    )
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "reading_list"], name="list_follow_once")
        ]

    def __str__(self):
        return f"{self.member} follows {self.reading_list}"


class ListChange(models.Model):
    """Something a list's followers hear about in their digest: a source added or removed."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_title = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="list_change_created")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.source_title}"


class OwnerAlert(models.Model):
    """What a list's owner was told about a source in their lists, so they are told once."""

    class What(models.TextChoices):
        RETRACTED = "retraction", "Retracted"
        CONCERN = "expression_of_concern", "Expression of concern"
        SUPERSEDED = "superseded", "Superseded"
        BROKEN_LINK = "broken_link", "Broken link"
        LEFT = "left", "No longer in the library"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_alerts"
    )
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=24, choices=What.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "source", "what"], name="owner_alert_once")
        ]

    def __str__(self):
        return f"{self.owner} told: {self.get_what_display()}"


class FeaturedList(models.Model):
    """A public list a moderator features on a theme's page ("Start here")."""

    touches = ["theme"]  # qlibrary/cache.py

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="featured_lists")
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="features")
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "reading_list"], name="featured_list_once")
        ]

    def __str__(self):
        return f"{self.reading_list} on {self.theme}"
