from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from qlibrary.db import defer_all_but
from sources.models import Source, Theme

MAX_BODY_LENGTH = 5000


class CommentQuerySet(models.QuerySet):
    def on(self, target):
        """Comments on a theme or a source."""
        if isinstance(target, Theme):
            return self.filter(theme=target)
        return self.filter(source=target)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_open_flags(self):
        """Comments that some flag not yet dismissed points at (not those with no flags)."""
        open_flags = Flag.objects.filter(comment=OuterRef("pk"), dismissed_at__isnull=True)
        return self.filter(Exists(open_flags))

    def for_thread(self):
        """What a thread shows of each comment: its author's name and profile link, read in the
        same query (only those columns: a member's whole row cost more to build than the rest
        of the thread)."""
        shown = ("id", "username", "display_name")
        return self.select_related("author").defer(*defer_all_but(Comment, "author", shown))


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Held for review after flags"
    HIDDEN = "hidden", "Hidden by a moderator"
    DELETED = "deleted", "Deleted by its author"


class Comment(models.Model):
    Status = CommentStatus
    # Saved or deleted, it changes its source's or theme's pages (qlibrary/cache.py).
    touches = ["source", "theme"]

    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # Empty once the author has deleted their account: the comment stays, by "a former member".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(max_length=MAX_BODY_LENGTH)
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    moderation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(theme__isnull=False) & Q(source__isnull=True))
                | (Q(theme__isnull=True) & Q(source__isnull=False)),
                name="comment_has_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values),
                name="comment_status_known",
            ),
        ]
        indexes = [
            # The threads of a discussion in the order they are shown, either way: the latest
            # few are read backwards from the end (comments/discussion.py).
            models.Index(
                fields=["theme", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="comment_theme_threads",
            ),
            models.Index(
                fields=["source", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="comment_source_threads",
            ),
            models.Index(fields=["author", "created_at"], name="comment_author_recent"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author}"

    def get_absolute_url(self):
        return f"{self.target.get_absolute_url()}#comment-{self.pk}"

    def get_page_url(self):
        """The link to the comment where it is shown: on the target's own page while its thread
        is among the latest ones, otherwise on the page of the whole discussion that holds it
        (one query)."""
        thread_id = self.parent_id or self.pk
        around = (
            Comment.objects.on(self.target)
            .top_level()
            .aggregate(
                earlier=Count("pk", filter=Q(pk__lt=thread_id)),
                later=Count("pk", filter=Q(pk__gt=thread_id)),
            )
        )
        query = ""
        if around["later"] >= settings.LATEST_COMMENT_THREADS:
            query = f"?comments={around['earlier'] // settings.COMMENT_THREADS_PER_PAGE + 1}"
        return f"{self.target.get_absolute_url()}{query}#comment-{self.pk}"

    @property
    def target(self):
        return self.theme or self.source

    @property
    def author_name(self):
        return self.author.public_name if self.author else "a former member"

    @property
    def is_visible(self):
        return self.status == self.Status.VISIBLE

    @property
    def is_held(self):
        """Held back from readers by members' flags until a moderator looks."""
        return self.status == self.Status.HELD

    @property
    def is_hidden(self):
        """Hidden by a moderator."""
        return self.status == self.Status.HIDDEN

    @property
    def is_deleted(self):
        return self.status == self.Status.DELETED


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSIVE = "abusive", "Abusive or disrespectful"
        OFF_TOPIC = "off_topic", "Off-topic"
        PATIENT_DATA = "patient_data", "Patient-identifiable information"
        CLINICAL_SAFETY = "clinical_safety", "Clinical safety concern"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="one_flag_per_member"),
        ]
        indexes = [models.Index(fields=["dismissed_at", "comment"], name="flag_open")]

    def __str__(self):
        return f"{self.get_reason_display()} flag on comment {self.comment_id}"
