"""What each kind of source is called in the formats the library speaks, in one table.

A kind (Source.Kind) maps to exactly one type in each vocabulary:
- `csl`: the CSL-JSON `type` (the CSL 1.0.2 specification, "Appendix III - Types"), which the
  citation styles read;
- `ris`: the RIS `TY` that reference managers import as the same type;
- `biblatex`: the biblatex entry type (the exports fit biblatex's data model);
- `zotero`: the item type Zotero saves it as, which the page's `citation_*` / Dublin Core tags
  must lead its "Embedded Metadata" translator to (a `citation_journal_title` makes a journal
  article, `citation_technical_report_institution` a report, `citation_isbn` without a journal a
  book; a web page or blog post carries no journal title).

`required` names the record's fields a kind cannot be cited without, beyond a title: the forms
ask for them (a journal article needs its journal, a book its publisher). `web` marks the kinds
read on the web rather than published once: their citations give the date the library last saw
the page answer (Source.accessed_on).
"""

from dataclasses import dataclass

from sources.models import Source

Kind = Source.Kind


@dataclass(frozen=True)
class KindFormat:
    csl: str
    ris: str
    biblatex: str
    zotero: str
    required: tuple = ()
    web: bool = False


KINDS = {
    Kind.REPORT: KindFormat("report", "RPRT", "report", "report", required=("publisher",)),
    Kind.JOURNAL_ARTICLE: KindFormat(
        "article-journal", "JOUR", "article", "journalArticle", required=("container_title",)
    ),
    Kind.SYSTEMATIC_REVIEW: KindFormat(
        "article-journal", "JOUR", "article", "journalArticle", required=("container_title",)
    ),
    Kind.EVALUATION: KindFormat("report", "RPRT", "report", "report", required=("publisher",)),
    Kind.CASE_STUDY: KindFormat("report", "RPRT", "report", "report", required=("publisher",)),
    Kind.BOOK: KindFormat("book", "BOOK", "book", "book", required=("publisher",)),
    Kind.METHODOLOGY: KindFormat("report", "RPRT", "report", "report", required=("publisher",)),
    Kind.PROGRAMME: KindFormat("webpage", "ELEC", "online", "webpage", web=True),
    Kind.WEBSITE: KindFormat("webpage", "ELEC", "online", "webpage", web=True),
    Kind.BLOG_POST: KindFormat("post-weblog", "BLOG", "online", "blogPost", web=True),
    Kind.VIDEO: KindFormat("motion_picture", "VIDEO", "online", "videoRecording", web=True),
    Kind.EVENT: KindFormat("speech", "GEN", "misc", "presentation", web=True),
    Kind.OTHER: KindFormat("document", "GEN", "misc", "document"),
}

# What the record's fields are called where a form says one is missing.
FIELD_LABELS = {
    "container_title": "journal",
    "publisher": "publisher",
}


def kind_format(kind):
    """The formats of a kind (Kind.OTHER's for a value no longer in the list)."""
    return KINDS.get(kind, KINDS[Kind.OTHER])


def required_fields(kind):
    """The record's fields a source of this kind must fill, beyond its title."""
    return kind_format(kind).required


def is_web_kind(kind):
    return kind_format(kind).web


def kind_from_csl(csl_type):
    """The first kind whose CSL type is this one, or None."""
    return next((kind for kind, format_ in KINDS.items() if format_.csl == csl_type), None)


def kind_from_ris(ris_type):
    """The first kind whose RIS type is this one, or None."""
    return next((kind for kind, format_ in KINDS.items() if format_.ris == ris_type), None)


def kind_from_biblatex(entry_type):
    """The first kind whose biblatex entry type is this one, or None."""
    entry_type = (entry_type or "").lower()
    return next((kind for kind, format_ in KINDS.items() if format_.biblatex == entry_type), None)
