"""The `citation_*` (Highwire) and Dublin Core <meta> tags of a source's page, written for the
rules reference managers read them by: Zotero's "Embedded Metadata" translator (zotero/translators).

How that translator picks the item type, in order:
1. a Highwire tag that names one: `citation_journal_title` makes a journal article,
   `citation_technical_report_institution` a report, `citation_conference_title` a conference
   paper, `citation_book_title` a book section, `citation_dissertation_institution` a thesis;
   so a journal's title is written for journal articles only, a report's institution for reports
   only, and neither for anything else;
2. then the Dublin Core and Open Graph tags through its RDF rules: `og:type` "website" makes a
   web page, "book" a book, "video.other" a video, while "article" is only a guess; `DC.type`
   holding a Zotero item type ("webpage", "blogPost", "report", "book", "presentation"...) makes
   that type; so each page says its kind's Zotero type (sources/kinds.py) in `DC.type`, and
   `og:type` agrees with it (`og_type()`);
3. only then its guesses (`citation_title` alone would make a journal article; `citation_isbn`
   a book).

Authors (`citation_author`, and `citation_editor` for editors) go through Zotero's
`cleanAuthor()`, which always makes a first and a last name: "Family, Given" is read as such.
An organisation has no such parts, and a lone `citation_author` holding a comma with words on
both sides is even split into two people. So an organisation is written with a trailing comma
("The Health Foundation,"): Zotero then strips the comma and keeps the whole name as one last
name with no first name, which reads and cites as the organisation. A name with a comma of its
own ("Sustainable Improvement Team, NHS England") also ends in ";": the translator then does not
split it into two people, and keeps it as one creator (whose name Zotero has to hold in two
parts, "Sustainable Improvement Team" and "NHS England": no tag can make it a single field).
"""

from sources.kinds import kind_format

# og:type for each Zotero item type: the value that leads the translator to it (or does not lead
# it away from the DC.type).
OG_TYPES = {"webpage": "website", "book": "book", "videoRecording": "video.other"}


def og_type(kind):
    """The page's Open Graph type for a source of this kind."""
    return OG_TYPES.get(kind_format(kind).zotero, "article")


def name_as_meta(name):
    """A CSL name as `citation_author` / `DC.creator` content (see the module's note)."""
    if name.get("literal"):
        literal = name["literal"]
        return f"{literal},;" if "," in literal else f"{literal},"
    text = name.get("family", "")
    if name.get("given"):
        text += f", {name['given']}"
    return text


def _date(parts, separator):
    return separator.join(f"{part:02d}" if index else str(part) for index, part in enumerate(parts))


def meta_tags(source, item):
    """[(name, content)] for the source's page, from its CSL-JSON item."""
    zotero_type = kind_format(source.kind).zotero
    tags = [("citation_title", item["title"]), ("DC.title", item["title"])]
    for name in item.get("author", []):
        text = name_as_meta(name)
        tags += [("citation_author", text), ("DC.creator", text)]
    for name in item.get("editor", []):
        tags.append(("citation_editor", name_as_meta(name)))
    if item.get("issued"):
        parts = item["issued"]["date-parts"][0]
        tags += [
            ("citation_publication_date", _date(parts, "/")),
            ("DC.date", _date(parts, "-")),
        ]
    container = item.get("container-title")
    if zotero_type == "journalArticle":
        if container:
            tags.append(("citation_journal_title", container))
        for key, name in (("volume", "citation_volume"), ("issue", "citation_issue")):
            if item.get(key):
                tags.append((name, item[key]))
        if item.get("page"):
            first, _, last = item["page"].partition("-")
            tags.append(("citation_firstpage", first))
            if last:
                tags.append(("citation_lastpage", last))
    elif container:
        tags.append(("DC.source", container))
    if zotero_type == "report" and item.get("publisher"):
        tags.append(("citation_technical_report_institution", item["publisher"]))
        if item.get("number"):
            tags.append(("citation_technical_report_number", item["number"]))
    if item.get("publisher"):
        tags += [("citation_publisher", item["publisher"]), ("DC.publisher", item["publisher"])]
    if item.get("ISBN") and zotero_type in ("book", "report"):
        tags.append(("citation_isbn", item["ISBN"]))
    if item.get("ISSN"):
        tags.append(("citation_issn", item["ISSN"]))
    if item.get("PMID"):
        tags.append(("citation_pmid", item["PMID"]))
    if item.get("DOI"):
        tags += [("citation_doi", item["DOI"]), ("DC.identifier", f"doi:{item['DOI']}")]
    if item.get("URL"):
        tags += [("citation_public_url", item["URL"]), ("DC.identifier", item["URL"])]
    if item.get("language"):
        tags += [("citation_language", item["language"]), ("DC.language", item["language"])]
    tags.append(("DC.type", zotero_type))
    return tags
