from django import forms

from sources.lists.models import ReadingList
from sources.models import Source, Theme
from sources.text import CleanTextMixin


class ListForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ReadingList
        fields = ["title", "introduction", "visibility"]
        widgets = {
            "visibility": forms.RadioSelect,
            "introduction": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "introduction": "Who the list is for and how to read it. Markdown: *emphasis*, "
            "**strong**, [links](https://example.org), lists.",
        }


class NoteForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why read this one, in a sentence or two.",
    )


class AddSourceForm(CleanTextMixin, forms.Form):
    source = forms.CharField(
        label="Source to add",
        max_length=1000,
        help_text="Its address in the library (…/sources/its-name/) or its name in that address.",
    )

    def clean_source(self):
        value = self.cleaned_data["source"].strip().rstrip("/")
        slug = value.rsplit("/sources/", 1)[-1].split("/")[0].split("?")[0]
        source = Source.objects.filter(slug=slug[:120]).first()
        if source is None:
            raise forms.ValidationError("No source in the library has that address.")
        return source


class HideForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), help_text="Shown in the log."
    )


class RestoreForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; shown in the log.",
    )


class FeatureForm(CleanTextMixin, forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), empty_label=None)
    note = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why start here, if you like; shown in the log.",
    )
