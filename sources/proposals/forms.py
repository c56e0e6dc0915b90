from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.html import format_html
from taggit.forms import TagField
from taggit.models import Tag

from sources.evidence import identifiers
from sources.evidence.contributors import as_lines, display_names, parse_lines
from sources.evidence.keys import is_valid_doi, normalize_doi, normalize_url
from sources.kinds import FIELD_LABELS, required_fields
from sources.models import MIN_YEAR, ModerationEvent, Source, Theme
from sources.proposals.duplicates import duplicate_field, live_duplicate, similar_titles
from sources.proposals.reviews import review_months
from sources.text import CleanTextMixin

MAX_TAGS = 8
MAX_TAG_LENGTH = 40
# What a duplicate's message calls the field it shares.
IDENTIFIER_NAMES = {"url": "URL", "doi": "DOI", "isbn": "ISBN", "pmid": "PMID", "pmcid": "PMCID"}


class ThemesField(forms.ModelMultipleChoiceField):
    """Theme choices where an id too big for a 64-bit integer is an invalid choice: SQLite
    raises OverflowError on it in the `IN` lookup that checks the choices (PostgreSQL copes)."""

    LARGEST_ID = 2**63 - 1

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # Django's own check says it is not a valid choice.
            if abs(number) > self.LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class WebAddressField(forms.URLField):
    """A web address: http or https only (no javascript:, data:, ftp: or file: links)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ContributorsField(forms.CharField):
    """The contributors as a text area, one a line (sources/evidence/contributors.py reads the
    lines): "Family, Given" for a person, "Organisation: ..." for a body, "Editor: " before an
    editor and a last line "et al." when only the first are listed. Where JavaScript runs,
    static/js/contributors.js offers a row of boxes per contributor that writes these lines."""

    widget = forms.Textarea(attrs={"rows": 4, "data-contributors": "", "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return as_lines(value)
        return value


PUBLICATION_FIELDS = [
    "container_title",
    "volume",
    "issue",
    "page_first",
    "page_last",
    "publisher",
    "publisher_place",
    "edition",
    "report_number",
    "year",
    "issued_month",
    "issued_day",
    "isbn",
    "issn",
    "pmid",
    "pmcid",
    "language",
]


def a_kind(kind):
    """The kind's name after "A" or "An", as a sentence begins: "A report", "An evaluation"."""
    label = Source.Kind(kind).label.lower()
    return f"{'An' if label[0] in 'aeiou' else 'A'} {label}"


class SourceForm(CleanTextMixin, forms.ModelForm):
    """A proposal, or the edit of one: every field a member describes a source with."""

    # Whether the fields a source's kind cannot be cited without (sources/kinds.py) must be filled.
    requires_kind_fields = True

    url = WebAddressField(
        label="URL",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="Optional (books often have none). Must start with http:// or https://.",
        error_messages={"invalid": "Enter a web address starting with http:// or https://."},
    )
    doi = forms.CharField(
        label="DOI",
        required=False,
        max_length=200,
        help_text="Optional, e.g. 10.1136/bmjqs-2015-004315 or a doi.org link.",
    )
    contributors = ContributorsField(
        label="Authors and editors",
        required=False,
        max_length=20000,
        help_text=(
            "One per line, in the order the source gives them. A person as “Family, Given” "
            "(Batalden, Paul or Dixon-Woods, M.); an organisation as “Organisation: ” and its "
            "name (Organisation: Sustainable Improvement Team, NHS England); “Editor: ” before "
            "an editor. End with a line “et al.” if you list only the first few."
        ),
    )
    # Room for the ways people paste identifiers ("ISBN 978-...", a PubMed link): each is
    # stored short, as sources/evidence/identifiers.py writes it.
    isbn = forms.CharField(label="ISBN", required=False, max_length=200)
    issn = forms.CharField(label="ISSN", required=False, max_length=200)
    pmid = forms.CharField(label="PubMed ID (PMID)", required=False, max_length=200)
    pmcid = forms.CharField(label="PubMed Central ID (PMCID)", required=False, max_length=200)
    themes = ThemesField(
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every theme it speaks to.",
        error_messages={"required": "Choose at least one theme."},
    )
    tags = TagField(
        required=False,
        help_text=f"Up to {MAX_TAGS} short tags, separated by commas, e.g. networks, spread.",
    )
    confirm_not_duplicate = forms.BooleanField(
        label="I have checked these, and mine is a different source.",
        required=False,
    )

    class Meta:
        model = Source
        fields = [
            "title",
            "url",
            "doi",
            "contributors",
            "kind",
            *PUBLICATION_FIELDS,
            "themes",
            "tags",
            "summary",
            "stance",
            "rationale",
            "conflict_of_interest",
        ]
        widgets = {
            "stance": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "conflict_of_interest": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "title": {"required": "Give the source's title."},
            "kind": {"required": "Choose what kind of source it is."},
            "stance": {"required": "Say whether it reinforces, refines or challenges."},
            "summary": {"required": "Write a few sentences on why it matters."},
        }
        labels = {
            "container_title": "Journal, book, website or series",
            "publisher_place": "Place of publication",
            "issued_month": "Month",
            "issued_day": "Day",
            "isbn": "ISBN",
            "issn": "ISSN",
            "pmid": "PubMed ID (PMID)",
            "pmcid": "PubMed Central ID (PMCID)",
        }
        help_texts = {
            "title": "As the source itself gives it.",
            "container_title": (
                "Where it was published: the journal of an article, the book of a chapter, the "
                "website of a page, the series of a report."
            ),
            "page_first": "A page number, or an article number such as k3617.",
            "page_last": "Leave empty for an article number or a single page.",
            "publisher": "Who published it: for a report, the body that issued it.",
            "report_number": "If the report carries a number of its own.",
            "year": "The year it was published, if known.",
            "issued_month": "1 to 12, if the source gives it.",
            "issued_day": "With the month, if the source gives it.",
            "isbn": "10 or 13 digits, with or without hyphens.",
            "issn": "The journal's or series' ISSN, e.g. 2044-5415.",
            "pmid": "The number of its PubMed record, e.g. 30305291.",
            "pmcid": "PMC and a number, e.g. PMC6180460.",
            "language": 'A language code such as "en" or "en-GB"; leave empty if unsure.',
            "summary": "Why it matters, in your own words (up to 2,000 characters).",
            "stance": "Does it reinforce, refine or challenge the library's current thinking?",
            "rationale": "Why it belongs in the library, and under these themes.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar = []
        self.fields["kind"].choices = [("", "Choose a kind")] + list(Source.Kind.choices)
        self.fields["year"].widget.attrs.update({"min": MIN_YEAR, "max": self.max_year()})
        self.fields["stance"].choices = list(Source.Stance.choices)
        for name in ("issued_month", "issued_day"):
            self.fields[name].widget.attrs.update({"min": 1, "max": 12 if "month" in name else 31})
        if self.instance.pk:
            self.initial["doi"] = self.instance.doi
        if isinstance(self.initial.get("contributors"), list):
            # The instance's own list (not lines passed in): shown with its "et al.".
            self.initial["contributors"] = as_lines(
                self.initial["contributors"], self.instance.et_al
            )
        self.et_al = self.instance.et_al

    @staticmethod
    def max_year():
        return timezone.now().year + 1

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_doi(self):
        doi = self.cleaned_data["doi"].strip()
        if doi and not is_valid_doi(doi):
            raise forms.ValidationError(
                "That does not look like a DOI. A DOI starts with 10. followed by a prefix, "
                "a slash and a suffix, e.g. 10.1136/bmjqs-2015-004315."
            )
        return normalize_doi(doi)

    def clean_contributors(self):
        names, self.et_al = parse_lines(self.cleaned_data["contributors"])
        return names

    def _clean_identifier(self, name):
        return identifiers.NORMALIZERS[name](self.cleaned_data[name])

    def clean_isbn(self):
        return self._clean_identifier("isbn")

    def clean_issn(self):
        return self._clean_identifier("issn")

    def clean_pmid(self):
        return self._clean_identifier("pmid")

    def clean_pmcid(self):
        return self._clean_identifier("pmcid")

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and not MIN_YEAR <= year <= self.max_year():
            raise forms.ValidationError(f"Enter a year between {MIN_YEAR} and {self.max_year()}.")
        return year

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
        if too_long:
            raise forms.ValidationError(f"Keep each tag under {MAX_TAG_LENGTH} characters.")
        # A tag's page lives at its slug, made of the letters and digits of its name (in any
        # script); a name of only symbols, emoji or punctuation would have no page.
        wordless = [tag for tag in tags if not any(c.isalnum() for c in Tag().slugify(tag))]
        if wordless:
            listed = ", ".join(f"“{tag}”" for tag in wordless)
            raise forms.ValidationError(
                f"Each tag needs at least one letter or digit, in any alphabet: {listed} "
                + ("has none." if len(wordless) == 1 else "have none.")
            )
        return [tag.lower() for tag in tags]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for name in required_fields(kind) if self.requires_kind_fields else ():
            if name in self.fields and not cleaned.get(name) and name not in self.errors:
                self.add_error(
                    name,
                    f"{a_kind(kind)} needs its {FIELD_LABELS.get(name, name)}: please give it.",
                )
        if "contributors" in cleaned:
            self.instance.set_contributors(cleaned["contributors"], et_al=self.et_al)
        keys = {
            "url_key": normalize_url(cleaned.get("url")),
            "doi_key": cleaned.get("doi") or "",
            **{name: cleaned.get(name) or "" for name in ("isbn", "pmid", "pmcid")},
        }
        duplicate = live_duplicate(**keys, exclude=self.instance)
        if duplicate:
            field = duplicate_field(duplicate, **keys)
            self.add_error(
                field,
                format_html(
                    'This {} is already in the library or the queue: <a href="{}">{}</a>.',
                    IDENTIFIER_NAMES[field],
                    duplicate.get_absolute_url(),
                    duplicate.title,
                ),
            )
        title = cleaned.get("title")
        if title and not self.instance.pk:
            self.similar = similar_titles(title, exclude=self.instance)
            if self.similar and not cleaned.get("confirm_not_duplicate"):
                self.add_error(
                    "confirm_not_duplicate",
                    "Some sources already here have similar titles: check them, then tick "
                    "the box if yours is a different source.",
                )
        return cleaned

    def source_fields(self):
        """The cleaned values that belong on the Source row itself (with the authors line
        derived from the contributors)."""
        many = {"themes", "tags"}
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in many}
        fields["et_al"] = self.et_al
        fields["authors"] = display_names(fields["contributors"], self.et_al)
        return fields


class CorrectionsForm(SourceForm):
    """A proposal's details as a moderator corrects them on the review page. An imported proposal
    may have no summary yet, or lack the publisher or journal its kind needs: it can still be
    declined or sent back (asking for them), and is approved only once they are there (the
    moderation service refuses an approval without a summary; this form, `approving`, one
    without the kind's fields)."""

    def __init__(self, *args, approving=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].required = False
        self.requires_kind_fields = approving


class LookupForm(CleanTextMixin, forms.Form):
    """The identifier a member pastes to fill the proposal form from the published record."""

    identifier = forms.CharField(
        label="DOI, PubMed ID, ISBN or web address",
        required=False,
        max_length=1000,
        help_text="Paste one and press “Fill in”: the form below fills from the published "
        "record. Nothing is sent until you send the proposal, and you can change anything.",
    )


class DecisionForm(CleanTextMixin, forms.Form):
    """A moderator's decision on a proposal; every decision but approval needs a reason."""

    DECISIONS = [
        (ModerationEvent.Action.APPROVE, "Approve: add it to the library"),
        (ModerationEvent.Action.REQUEST_CHANGES, "Ask the proposer for changes"),
        (ModerationEvent.Action.DECLINE, "Decline"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text="Sent to the proposer and shown in the public log. Required unless approving.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") not in (None, ModerationEvent.Action.APPROVE)
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", "Give a reason: the proposer and the public log will see it.")
        return cleaned


class ReasonForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give a reason: it is shown in the public log."},
    )


class ImportForm(CleanTextMixin, forms.Form):
    """A reading list to bring in: a RIS or BibTeX file, or DOIs pasted one a line."""

    file = forms.FileField(
        label="RIS or BibTeX file",
        required=False,
        help_text="Exported from Zotero, EndNote, Mendeley or another reference manager.",
    )
    dois = forms.CharField(
        label="Or paste DOIs, one a line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Each DOI becomes a proposal holding the DOI only: fill in its title, authors and "
            "year when you review it."
        ),
    )
    themes = ThemesField(
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every imported proposal is filed under these themes.",
        error_messages={"required": "Choose at least one theme."},
    )
    stance = forms.ChoiceField(
        choices=Source.Stance.choices,
        widget=forms.RadioSelect,
        help_text="Every imported proposal takes this stance; edit each one as you review it.",
        error_messages={"required": "Say whether they reinforce, refine or challenge."},
    )

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean(self):
        cleaned = super().clean()
        upload, dois = cleaned.get("file"), cleaned.get("dois", "").strip()
        if bool(upload) == bool(dois):
            raise forms.ValidationError("Upload a RIS or BibTeX file, or paste DOIs: one of them.")
        if dois:
            cleaned["text"], cleaned["label"], cleaned["name"] = dois, "pasted DOIs", ""
            return cleaned
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is larger than {self.max_bytes // (1024 * 1024)} MB: split it in parts."
            )
        try:
            cleaned["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text. Export it again from your reference manager with "
                "UTF-8 as its character set."
            ) from None
        cleaned["label"] = cleaned["name"] = upload.name
        return cleaned


class SourceReviewForm(CleanTextMixin, forms.Form):
    """A moderator's review of a source in the library: the note for the log, the next review
    date and, optionally, the newer source that replaces it."""

    note = forms.CharField(
        label="What you checked",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Shown in the public moderation log.",
        error_messages={"required": "Say what you checked: it is shown in the public log."},
    )
    next_review_by = forms.DateField(
        label="Next review by",
        # A date input takes and shows only ISO dates (2029-10-01): in the site's own format
        # (01/10/2029) the browser would show it empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, such as 2027-03-31."},
    )
    superseded_by = forms.CharField(
        label="Superseded by (optional)",
        required=False,
        max_length=1000,
        help_text="Find the newer source in this library by its title, then choose it.",
    )

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)
        months = review_months(source.kind)
        self.fields["next_review_by"].help_text = (
            f"Suggested: {months} months from today, the usual interval for a "
            f"{source.get_kind_display().lower()}."
        )

    def clean_next_review_by(self):
        value = self.cleaned_data["next_review_by"]
        if value <= timezone.localdate():
            raise forms.ValidationError("Choose a date in the future.")
        return value

    def clean_superseded_by(self):
        text = self.cleaned_data["superseded_by"].strip()
        if not text:
            return None
        slug = text.rstrip("/").rsplit("/", 1)[-1]
        successor = Source.objects.approved().filter(slug=slug).first()
        if successor is None:
            raise forms.ValidationError(
                "No source in the library has that address: find the newer source by its title "
                "and choose it."
            )
        if successor.pk == self.source.pk:
            raise forms.ValidationError("A source cannot be superseded by itself.")
        return successor
