from django import forms

from sources.text import CleanTextMixin

from .models import MAX_BODY_LENGTH, Comment, Flag

MARKDOWN_HINT = (
    "Markdown works: *emphasis*, **strong**, lists, > quotes, `code` and [links](https://…). "
    "HTML is shown as plain text."
)


class CommentForm(CleanTextMixin, forms.ModelForm):
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        help_texts = {"body": MARKDOWN_HINT}
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_BODY_LENGTH})}
        error_messages = {
            "body": {
                "required": "Write something before posting.",
                "max_length": "Keep comments under %(limit_value)d characters "
                "(this one has %(show_value)d).",
            }
        }

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something before posting.")
        return body


class FlagForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Flag
        fields = ["reason", "note"]
        labels = {"reason": "Why should a moderator look at this?", "note": "Anything to add?"}
        help_texts = {
            "note": "Required for “something else”. Don't repeat personal details here.",
        }
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = list(Flag.Reason.choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Tell the moderators what is wrong.")
        return cleaned


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the public log)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason: the public log shows it."},
    )
