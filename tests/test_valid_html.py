"""Every template's HTML is valid, as the Nu HTML checker (vnu, the W3C's validator) judges it.

The pages are rendered here, as readers, members and moderators see them, empty and full, forms
with their errors, then checked in one run of the checker (Java is slow to start). The checker is
installed with `make validators` (into .validators/, as CI does); without Java or the checker the
test is skipped, unless REQUIRE_VALIDATORS=1 or REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse

from qlibrary.views import server_error
from sources.models import ImportRun, Source

from .factories import CommentFactory, proposal_form_data
from .test_crawl import same_site_links, should_follow, small_library  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or settings.BASE_DIR / ".validators/node_modules/vnu-jar/build/dist/vnu.jar"
)
# Pages of the same view share their template: a few of each are enough.
PAGES_PER_VIEW = 2


def vnu_command():
    """The command that runs the checker, or skip (fail where validators are required)."""
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-Xss2m", "-jar", str(VNU_JAR)]
    missing = "java" if not java else f"the Nu HTML checker at {VNU_JAR}"
    if os.environ.get("REQUIRE_VALIDATORS") == "1" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{missing} not found; REQUIRE_VALIDATORS=1 makes this a failure")
    pytest.skip(f"{missing} not found: run `make validators` (needs Java 17 and npm)")


def view_name(url):
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url


def html_pages(client, start_urls):
    """The HTML of the pages reachable from start_urls, a few per view, by URL."""
    pages = {}
    per_view = {}
    queue = list(start_urls)
    seen = set(queue)
    while queue:
        url = queue.pop(0)
        name = view_name(url)
        if per_view.get(name, 0) >= PAGES_PER_VIEW and url not in start_urls:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        per_view[name] = per_view.get(name, 0) + 1
        content = response.content.decode()
        pages[url] = content
        for link in same_site_links(content, url):
            path = urlsplit(link).path
            if link not in seen and should_follow(link, "visitor") and path != "/admin/":
                seen.add(link)
                queue.append(link)
    return pages


def pages_no_link_leads_to(client, request, library, theme):
    """Pages reached by a form, an error or an e-mail rather than a link, by name."""
    source = library["sources"][0]
    pages = {}

    def keep(name, response):
        assert response.status_code < 500 or name == "server error", name
        pages[name] = response.content.decode()

    client.logout()
    keep("not found", client.get("/no-such-page/"))
    keep("server error", server_error(RequestFactory().get("/")))
    for path in (
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/password/reset/key/1-not-a-key/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-key/",
        "/accounts/inactive/",
    ):
        keep(path, client.get(path))
    keep("add to the selection", client.get("/basket/add/", {"source": source.slug}))
    client.post("/basket/add/", {"source": source.slug})
    keep("/basket/ with a source", client.get("/basket/"))
    keep("the selection as a document", client.get("/basket/export/html/"))

    client.force_login(request.getfixturevalue("unverified"))
    keep("propose, unverified", client.get(reverse("sources:propose")))

    client.force_login(request.getfixturevalue("member"))
    keep("log-out", client.get("/accounts/logout/"))
    post_on_theme = reverse("comments:post_on_theme", args=[theme.slug])
    keep("comment preview", client.post(post_on_theme, {"body": "*Hello*", "preview": "1"}))
    keep("comment refused", client.post(post_on_theme, {"body": ""}))
    answered = CommentFactory(theme=theme, body="Who has tried this in primary care?")
    keep("reply", client.get(reverse("comments:reply", args=[answered.pk])))
    made = client.post(
        "/lists/mine/",
        {"title": "For the team", "introduction": "Why we read these.", "visibility": "public"},
        follow=True,
    )
    keep("new list", made)
    edit_url = made.redirect_chain[-1][0]
    client.post(edit_url.replace("/edit/", "/add/"), {"source": source.get_absolute_url()})
    keep("list edit", client.get(edit_url))
    keep("list", client.get(edit_url.replace("edit/", "")))
    keep("public lists", client.get("/lists/"))

    client.force_login(request.getfixturevalue("moderator"))
    ris = SimpleUploadedFile(
        "list.ris",
        b"TY  - RPRT\nTI  - A new report\nER  - \n",
        "application/x-research-info-systems",
    )
    data = {"import-file": ris, "import-themes": [theme.pk], "import-stance": "refines"}
    keep("import preview", client.post(reverse("sources:import"), data))
    run = ImportRun.objects.latest("pk")
    keep("import progress", client.get(reverse("sources:import_run", args=[run.pk])))
    reviewed = library["sources"][1]
    keep(
        "record review, successor search",
        client.get(
            reverse("sources:record_review", args=[reviewed.slug]), {"successor_q": "learning"}
        ),
    )
    client.logout()
    return pages


def test_every_page_is_valid_html(client, request, themes, tmp_path):
    command = vnu_command()
    documents = {}

    def keep(who, url, html):
        documents[f"{who} {url}"] = html

    # Empty states: a library with no sources yet, seen by a reader and a moderator.
    for url, html in html_pages(client, ["/", reverse("sources:map"), "/data/"]).items():
        keep("reader (empty library)", url, html)
    client.force_login(request.getfixturevalue("moderator"))
    empty_moderation = [
        reverse("sources:moderation"),
        reverse("sources:link_health"),
        reverse("sources:due_for_review"),
        reverse("comments:flagged"),
        reverse("sources:following"),
    ]
    for url in empty_moderation:
        keep("moderator (empty library)", url, client.get(url).content.decode())
    client.logout()

    library = request.getfixturevalue("small_library")
    source = library["sources"][0]
    CommentFactory(source=source, body="Edited once.", edited_at=source.approved_at)

    for url, html in html_pages(client, ["/", "/accounts/signup/", "/accounts/login/"]).items():
        keep("reader", url, html)
    keep("reader", "/api/docs", client.get("/api/docs").content.decode())
    # Forms with their errors.
    signup = client.post("/accounts/signup/", {"username": "", "email": "nope", "password1": "1"})
    assert 'aria-invalid="true"' in signup.content.decode()
    keep("reader", "sign-up with errors", signup.content.decode())
    login = client.post("/accounts/login/", {"login": "nobody", "password": "wrong"})
    keep("reader", "log-in with errors", login.content.decode())

    for persona in ("member", "proposer", "moderator"):
        user = request.getfixturevalue(persona)
        client.force_login(user)
        start = ["/", reverse("sources:propose"), reverse("sources:following")]
        start.append(user.get_absolute_url())
        if persona == "moderator":
            start += [*empty_moderation, reverse("sources:import")]
        for url, html in html_pages(client, start).items():
            keep(persona, url, html)
        client.logout()

    client.force_login(request.getfixturevalue("member"))
    theme = themes[0]
    # Values a browser lets through its url and number fields, which the form refuses.
    bad_proposal = proposal_form_data(theme, title="", url="ftp://example.org/x", year="1700")
    response = client.post(reverse("sources:propose"), bad_proposal)
    assert 'aria-invalid="true"' in response.content.decode()
    keep("member", "proposal with errors", response.content.decode())
    client.force_login(request.getfixturevalue("moderator"))
    proposal = library["proposal"]
    response = client.post(
        reverse("sources:review", args=[proposal.slug]),
        {"decision-decision": "decline", "decision-reason": ""},
    )
    assert 'aria-invalid="true"' in response.content.decode()
    keep("moderator", "review with errors", response.content.decode())

    for name, html in pages_no_link_leads_to(client, request, library, themes[0]).items():
        keep("explicit", name, html)

    assert Source.objects.exists()
    # Every kind of page was rendered (a sign that the crawl went where it should).
    views = {view_name(name.split(" ", 1)[1]) for name in documents}
    for expected in ("sources:detail", "sources:review", "sources:theme", "account_signup"):
        assert expected in views, sorted(views)

    names = {}
    for number, (name, html) in enumerate(sorted(documents.items())):
        path = tmp_path / f"page-{number:03}.html"
        path.write_text(html, encoding="utf-8")
        names[str(path)] = name
    result = subprocess.run(  # noqa: S603  (the checker, on files this test wrote)
        [*command, "--errors-only", "--format", "json", *names],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{names.get(urlsplit(m.get('url', '')).path, m.get('url'))}, line {m.get('lastLine')}: "
        f"{m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, f"{len(errors)} HTML errors in {len(documents)} pages:\n" + "\n".join(errors)
