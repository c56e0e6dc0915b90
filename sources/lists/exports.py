"""A selection's or a list's sources as files: reference-manager formats written by
sources/evidence/citations.py, and the bibliography as a document (HTML or plain text)."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from sources.evidence.citations import FORMATS, reference_file
from sources.lists import bibliography

DOCUMENTS = {"html": ("text/html", "html"), "text": ("text/plain", "txt")}
ALL_FORMATS = [*FORMATS, *DOCUMENTS]


def _headers(content_type, name, extension):
    return {
        "Content-Type": f"{content_type}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}.{extension}"',
    }


def export_urls(url_name, *args, style, key=""):
    """format -> URL of each download, for a template (CSL-JSON under `csl_json`)."""
    query = {"style": style, **({"key": key} if key else {})}
    return {
        format.replace("-", "_"): reverse(url_name, args=[*args, format]) + "?" + urlencode(query)
        for format in ALL_FORMATS
    }


def export_response(format, sources, *, name, title, style):
    """The file asked for: a reference-manager file, or the bibliography in `style`."""
    if format in FORMATS:
        content_type, extension = FORMATS[format]
        return HttpResponse(
            reference_file(format, sources), headers=_headers(content_type, name, extension)
        )
    entries = bibliography.entries(sources, style)
    if format == "text":
        body = f"{title}\n\n" + bibliography.as_text(entries, style)
    else:
        body = render_to_string(
            "lists/bibliography_document.html",
            {
                "title": title,
                "entries": entries,
                "numbered": bibliography.is_numbered(style),
                "style_label": dict(bibliography.style_choices())[style],
            },
        )
    content_type, extension = DOCUMENTS[format]
    return HttpResponse(body, headers=_headers(content_type, f"{name}-{style}", extension))
