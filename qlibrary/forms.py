from django import forms

from sources.text import CleanTextMixin

from .models import User


class ProfileForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "organisation",
            "perspective",
            "bio",
            "notify_replies",
            "notify_source_comments",
            "notify_new_proposals",
            "weekly_digest",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "perspective": "Shown beside your endorsements, so readers see whose views back a "
            "source.",
            "bio": "A few lines about you and your work (up to 1,000 characters).",
        }

    def __init__(self, *args, is_moderator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_moderator:
            del self.fields["notify_new_proposals"]
