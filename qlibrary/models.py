from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from sources.perspectives import Perspective


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
    # When the last digest was sent: the next one covers what happened since (sources/following.py).
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("profile", kwargs={"username": self.username})
