from django import forms

from sources.perspectives import Perspective
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
        self.fields["perspective"].choices = [("", "Prefer not to say"), *Perspective.choices]
        if not is_moderator:
            del self.fields["notify_new_proposals"]


class CloseAccountForm(CleanTextMixin, forms.Form):
    """Closing an account: the member's password, and whether their comments' text should go."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="So that nobody else can close your account from a device you left signed in.",
        error_messages={"required": "Enter your password to close your account."},
    )
    remove_comments = forms.BooleanField(
        label="Also remove the text of my comments",
        required=False,
        help_text="Without this, your comments stay in the discussions, signed “a former member”. "
        "With it, each one is replaced by “This comment was deleted by its author”, and replies "
        "to it stay.",
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
