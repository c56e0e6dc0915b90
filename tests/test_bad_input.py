"""No input produces a 500: over-long text, nonsense page numbers and filters, broken encodings,
NUL bytes and forged choices all get a clear form error, a 4xx or a normal page."""

import pytest
from django.urls import reverse

from comments import discussion
from comments.models import Comment
from qlibrary.models import User
from sources.models import Source

from .factories import MemberFactory, SourceFactory, proposal_form_data, review_form_data

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000


@pytest.fixture
def client(client):
    """A client that reports a server error as a 500 response instead of raising it."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def library(theme, proposer, other_member):
    source = SourceFactory(
        title="Approved evidence",
        slug="approved-evidence",
        proposer=proposer,
        themes=[theme],
        tags=["skills"],
        year=2019,
    )
    comment = discussion.post(author=other_member, target=source, body="A comment.")
    discussion.post(author=other_member, target=theme, body="A comment on the theme.")
    return {"theme": theme, "source": source, "comment": comment}


def refused(response, field=None, form="form"):
    """A 4xx answer, with the error on the named field when there is a form to show it."""
    assert 400 <= response.status_code < 500, response.status_code
    if field and response.context and form in response.context:
        errors = response.context[form].errors
        assert field in errors, errors
    return response


# Over-long input


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", LONG),
        ("summary", LONG),
        ("contributors", LONG),
        ("contributors", "\n".join(f"Author{n}, A." for n in range(300))),
        ("publisher", LONG),
        ("container_title", LONG),
        ("volume", LONG),
        ("isbn", LONG),
        ("pmid", "1" * 400),
        ("rationale", LONG),
        ("conflict_of_interest", LONG),
        ("doi", "10.1000/" + LONG),
        ("url", "https://example.org/" + LONG),
        ("year", "9" * 400),
        ("tags", "t" * 300),
        ("tags", ", ".join(f"tag{n}" for n in range(500))),
    ],
)
def test_over_long_proposal_fields_are_form_errors(signed_in, theme, field, value):
    response = signed_in.post(
        reverse("sources:propose"), proposal_form_data(theme, **{field: value})
    )

    refused(response, field)
    assert not Source.objects.exists()


def test_an_over_long_edit_is_a_form_error(client, proposer, theme):
    proposal = SourceFactory(status="proposed", proposer=proposer, themes=[theme])
    client.force_login(proposer)

    response = client.post(
        reverse("sources:edit", args=[proposal.slug]),
        proposal_form_data(theme, title=LONG, summary=LONG, url=proposal.url),
    )

    refused(response, "title")
    proposal.refresh_from_db()
    assert len(proposal.title) < 300


def test_an_over_long_review_is_a_form_error(client, moderator, proposer, theme):
    proposal = SourceFactory(status="proposed", proposer=proposer, themes=[theme])
    client.force_login(moderator)

    response = client.post(
        reverse("sources:review", args=[proposal.slug]),
        review_form_data(proposal, "decline", reason=LONG, title=LONG),
    )

    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_an_over_long_retirement_reason_is_refused(client, moderator, theme):
    source = SourceFactory(themes=[theme])
    client.force_login(moderator)

    response = client.post(reverse("sources:retire", args=[source.slug]), {"retire-reason": LONG})

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == "approved"


@pytest.mark.parametrize("field", ["display_name", "organisation", "bio"])
def test_over_long_profile_fields_are_form_errors(signed_in, member, field):
    response = signed_in.post(reverse("edit_profile"), {field: LONG})

    refused(response, field)
    member.refresh_from_db()
    assert getattr(member, field) != LONG


@pytest.mark.parametrize("where", ["theme", "source"])
def test_an_over_long_comment_is_a_form_error(signed_in, library, where):
    url = reverse(f"comments:post_on_{where}", args=[library[where].slug])

    response = signed_in.post(url, {"body": LONG})

    refused(response, "body")
    assert not Comment.objects.filter(author__username="member").exists()


def test_an_over_long_comment_edit_is_a_form_error(signed_in, member, library):
    comment = discussion.post(author=member, target=library["theme"], body="Short.")

    response = signed_in.post(reverse("comments:edit", args=[comment.pk]), {"body": LONG})

    refused(response, "body")
    comment.refresh_from_db()
    assert comment.body == "Short."


def test_an_over_long_flag_note_is_a_form_error(signed_in, library):
    response = signed_in.post(
        reverse("comments:flag", args=[library["comment"].pk]),
        {"reason": "other", "note": LONG},
    )

    refused(response, "note")
    assert not library["comment"].flags.exists()


@pytest.mark.parametrize("action", ["hide", "restore"])
def test_an_over_long_moderation_reason_never_errors(client, moderator, library, action):
    client.force_login(moderator)

    response = client.post(
        reverse(f"comments:{action}", args=[library["comment"].pk]), {"reason": LONG}
    )

    assert response.status_code < 500


@pytest.mark.parametrize(
    "url", ["/sources/", "/themes/{theme}/", "/tags/skills/", "/proposals/", "/moderation/"]
)
def test_an_over_long_search_or_filter_is_a_page_not_an_error(client, moderator, library, url):
    client.force_login(moderator)
    url = url.format(theme=library["theme"].slug)
    for name in ["q", "kind", "tag", "theme", "year", "sort", "order", "page", "comments"]:
        response = client.get(url, {name: LONG})

        assert response.status_code == 200, (url, name, response.status_code)


def test_an_over_long_search_is_ignored_with_a_note(client, library):
    response = client.get(reverse("sources:list"), {"q": LONG})

    assert response.status_code == 200
    assert "Search" in response.context["filters"].ignored


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("account_login", {"login": LONG, "password": LONG}),
        (
            "account_signup",
            {
                "username": LONG,
                "email": LONG + "@example.org",
                "password1": LONG,
                "password2": LONG,
            },
        ),
        ("account_reset_password", {"email": LONG + "@example.org"}),
    ],
)
def test_over_long_account_forms_are_form_errors(client, themes, url, data):
    response = client.post(reverse(url), data)

    assert response.status_code < 500
    assert response.status_code != 302 or url == "account_reset_password"
    assert User.objects.count() == 0


# Page numbers and listing parameters

BAD_PAGES = ["0", "-1", "99999", "abc", "1.5", "1e9", "", " ", "99999999999999999999999", "%00"]


@pytest.fixture
def listing_pages(library, member, moderator):
    theme, source = library["theme"], library["source"]
    return [
        (None, reverse("home")),
        (None, reverse("sources:list")),
        (None, theme.get_absolute_url()),
        (None, source.get_absolute_url()),
        (None, reverse("sources:tag", args=["skills"])),
        (None, reverse("sources:moderation_log")),
        (member, reverse("sources:proposals")),
        (member, reverse("sources:my_proposals")),
        (member, theme.get_absolute_url()),
        (member, source.get_absolute_url()),
        (moderator, reverse("sources:moderation")),
        (moderator, reverse("comments:flagged")),
    ]


def _get_as(client, user, url, params=None, **extra):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, params, **extra)


@pytest.mark.parametrize("parameter", ["page", "comments"])
def test_bad_page_numbers_give_a_page(client, listing_pages, parameter):
    failures = []
    for user, url in listing_pages:
        for value in BAD_PAGES:
            response = _get_as(client, user, url, {parameter: value})
            if response.status_code != 200:
                failures.append((user and user.username, url, value, response.status_code))
    assert not failures


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999", "1e9"])
def test_bad_comment_pages_show_the_discussion(client, library, value):
    for target in [library["theme"], library["source"]]:
        response = client.get(target.get_absolute_url(), {"comments": value})

        assert response.status_code == 200
        assert "A comment" in response.content.decode()


MALFORMED_QUERIES = [
    "kind[]=x",
    "kind=report&kind=book&kind=",
    "sort=%00",
    "q=%00",
    "q=%ff%fe",
    "q=%",
    "q=%zz",
    "q=a%00b",
    "tag=%00",
    "theme=%00",
    "theme=a%00b",
    "year=99999999999999999999",
    "year=-1",
    "year=1e3",
    "year=%00",
    "page=%00",
    "order=%00",
    "comments=%00",
    "page=1&page=2&page=abc",
    "q=one&q=two&sort=title&sort=newest",
    "&&&&==&=&",
    "=x",
    "q",
    "q=" + "%20" * 500,
    "q=" + "%22" * 50,
    "q=" + "'" * 50,
    "q=%5C",
    "q=*&q=%25&q=_",
    "q=%28%29%3A%26%21%7C",
    "q=!%20%26%20%7C",
    "q=a:*",
    "q=" + "a%20" * 300,
    "unknown=1&another[x]=2",
    "__proto__=x",
    "sort=-title",
    "sort=title%3Bdrop%20table",
]


def test_malformed_query_strings_never_error(client, listing_pages):
    failures = []
    for user, url in listing_pages:
        for query in MALFORMED_QUERIES:
            response = _get_as(client, user, url, QUERY_STRING=query)
            if response.status_code >= 500:
                failures.append((user and user.username, url, query, response.status_code))
    assert not failures


@pytest.mark.parametrize(
    "raw", [b"q=\xff\xfe", b"q=caf\xe9", b"tag=\xc3\x28", b"\xff=\xfe", b"theme=\xed\xa0\x80"]
)
def test_non_utf8_bytes_in_the_query_string_never_error(client, listing_pages, raw):
    failures = []
    for user, url in listing_pages:
        # WSGI servers hand the raw bytes over decoded as ISO-8859-1.
        response = _get_as(client, user, url, QUERY_STRING=raw.decode("iso-8859-1"))
        if response.status_code >= 500:
            failures.append((user and user.username, url, raw, response.status_code))
    assert not failures


@pytest.mark.parametrize(
    "path",
    [
        "/members/%00/",
        "/members/a%00b/",
        "/members/%ff%fe/",
        "/members/" + "x" * 500 + "/",
        "/sources/%ff/",
        "/themes/%00/",
        "/tags/%ff%fe/",
        "/sources/a%00/",
        "/moderation/%00/",
    ],
)
def test_odd_bytes_in_paths_are_not_found(client, themes, path):
    response = client.get(path)

    assert response.status_code == 404


# Non-UTF-8 and NUL bytes in POST bodies


@pytest.fixture
def write_urls(library, member, proposer, moderator):
    """(who, url) for every form a member or moderator can send."""
    proposal = SourceFactory(status="proposed", proposer=proposer, themes=[library["theme"]])
    mine = discussion.post(author=member, target=library["theme"], body="Mine.")
    return [
        (member, reverse("sources:propose")),
        (proposer, reverse("sources:edit", args=[proposal.slug])),
        (member, reverse("sources:endorse", args=[library["source"].slug])),
        (moderator, reverse("sources:review", args=[proposal.slug])),
        (moderator, reverse("sources:retire", args=[library["source"].slug])),
        (member, reverse("edit_profile")),
        (member, reverse("comments:post_on_theme", args=[library["theme"].slug])),
        (member, reverse("comments:post_on_source", args=[library["source"].slug])),
        (member, reverse("comments:edit", args=[mine.pk])),
        (member, reverse("comments:flag", args=[library["comment"].pk])),
        (moderator, reverse("comments:hide", args=[library["comment"].pk])),
        (None, reverse("account_login")),
        (None, reverse("account_signup")),
        (None, reverse("account_reset_password")),
    ]


BAD_BODIES = [
    b"title=\xff\xfe&summary=\xc3\x28",
    b"body=\xff\xfe\xfd",
    b"\xff\xfe=\xfd",
    b"body=%ff%fe&reason=%ff",
    b"login=\xff&password=\xfe",
    b"email=\xff@example.org",
    b"display_name=\xed\xa0\x80&bio=%ed%a0%80",
    b"%",
    b"&&&==",
    b"parent=\xff&body=x",
    b"themes=\xff&themes=%00",
]


def test_non_utf8_post_bodies_never_error(client, write_urls):
    failures = []
    for user, url in write_urls:
        for body in BAD_BODIES:
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.generic(
                "POST", url, body, content_type="application/x-www-form-urlencoded"
            )
            if response.status_code >= 500:
                failures.append((user and user.username, url, body, response.status_code))
    assert not failures


def test_a_declared_but_unknown_charset_never_errors(client, write_urls):
    failures = []
    for user, url in write_urls:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.generic(
            "POST",
            url,
            b"title=x&body=x",
            content_type="application/x-www-form-urlencoded; charset=no-such-charset",
        )
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert not failures


def test_a_broken_multipart_body_never_errors(client, write_urls):
    failures = []
    for user, url in write_urls:
        client.logout()
        if user is not None:
            client.force_login(user)
        for content_type, body in [
            ("multipart/form-data; boundary=xyz", b"--xyz\r\nnot a part\r\n--xyz--"),
            ("multipart/form-data", b"no boundary at all"),
            ("multipart/form-data; boundary=xyz", b"\xff\xfe" * 100),
        ]:
            response = client.generic("POST", url, body, content_type=content_type)
            if response.status_code >= 500:
                failures.append((url, content_type, response.status_code))
    assert not failures


NUL = "bad\x00value"


@pytest.mark.parametrize(
    "field",
    [
        "title",
        "contributors",
        "publisher",
        "container_title",
        "isbn",
        "summary",
        "rationale",
        "doi",
        "url",
        "tags",
    ],
)
def test_nul_bytes_in_proposal_fields_are_form_errors(signed_in, theme, field):
    response = signed_in.post(reverse("sources:propose"), proposal_form_data(theme, **{field: NUL}))

    refused(response, field)
    assert not Source.objects.exists()


@pytest.mark.parametrize("field", ["kind", "stance", "year"])
def test_nul_bytes_in_proposal_choices_are_form_errors(signed_in, theme, field):
    response = signed_in.post(reverse("sources:propose"), proposal_form_data(theme, **{field: NUL}))

    refused(response, field)
    assert not Source.objects.exists()


@pytest.mark.parametrize("field", ["display_name", "organisation", "bio", "perspective"])
def test_nul_bytes_in_profile_fields_are_form_errors(signed_in, field):
    response = signed_in.post(reverse("edit_profile"), {field: NUL})

    refused(response, field)


def test_nul_bytes_in_comments_are_form_errors(signed_in, member, library):
    theme_url = reverse("comments:post_on_theme", args=[library["theme"].slug])
    refused(signed_in.post(theme_url, {"body": NUL}), "body")
    refused(signed_in.post(theme_url, {"body": "fine", "parent": NUL}), "parent")

    mine = discussion.post(author=member, target=library["theme"], body="Mine.")
    refused(signed_in.post(reverse("comments:edit", args=[mine.pk]), {"body": NUL}), "body")
    flag_url = reverse("comments:flag", args=[library["comment"].pk])
    refused(signed_in.post(flag_url, {"reason": NUL}), "reason")
    refused(signed_in.post(flag_url, {"reason": "other", "note": NUL}), "note")
    assert not library["comment"].flags.exists()


def test_nul_bytes_in_moderators_forms_never_error(client, moderator, proposer, library):
    proposal = SourceFactory(status="proposed", proposer=proposer, themes=[library["theme"]])
    client.force_login(moderator)

    response = client.post(
        reverse("sources:review", args=[proposal.slug]),
        review_form_data(proposal, "decline", reason=NUL),
    )
    refused(response, "reason", form="decision_form")
    response = client.post(
        reverse("sources:review", args=[proposal.slug]),
        review_form_data(proposal, NUL),
    )
    refused(response, "decision", form="decision_form")
    for action in ["hide", "restore", "dismiss"]:
        response = client.post(
            reverse(f"comments:{action}", args=[library["comment"].pk]), {"reason": NUL}
        )
        assert response.status_code < 500, action
    response = client.post(
        reverse("sources:retire", args=[library["source"].slug]), {"retire-reason": NUL}
    )
    assert response.status_code < 500
    proposal.refresh_from_db()
    library["source"].refresh_from_db()
    assert proposal.status == "proposed"
    assert library["source"].status == "approved"
    assert "\x00" not in "".join(
        Comment.objects.values_list("moderation_reason", flat=True).order_by()
    )


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("account_login", {"login": NUL, "password": NUL}),
        ("account_login", {"login": "member", "password": "a-long\x00password"}),
        (
            "account_signup",
            {
                "username": NUL,
                "email": "a\x00@example.org",
                "password1": NUL + "-long-password",
                "password2": NUL + "-long-password",
            },
        ),
        ("account_reset_password", {"email": "member\x00@example.org"}),
    ],
)
def test_nul_bytes_in_account_forms_never_error(client, member, url, data):
    users = User.objects.count()

    response = client.post(reverse(url), data)

    assert response.status_code < 500
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users


# Forged choices and ids


@pytest.mark.parametrize(
    "theme_ids",
    [
        [999_999],
        ["abc"],
        ["-1"],
        ["1.5"],
        ["99999999999999999999999"],
        [""],
        list(range(100_000, 100_900)),
    ],
    ids=["unknown", "text", "negative", "decimal", "huge", "empty", "nine-hundred-unknown"],
)
def test_forged_theme_ids_are_form_errors(signed_in, theme, theme_ids):
    response = signed_in.post(
        reverse("sources:propose"), proposal_form_data(theme, themes=theme_ids)
    )

    refused(response, "themes")
    assert not Source.objects.exists()


def test_more_fields_than_django_accepts_is_a_400(signed_in, theme):
    data = proposal_form_data(theme, themes=[theme.pk] * 5000)

    response = signed_in.post(reverse("sources:propose"), data)

    assert response.status_code == 400
    assert not Source.objects.exists()


def test_a_body_over_the_upload_limit_is_a_400(signed_in, theme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    data = proposal_form_data(theme, summary="s" * 200_000)

    response = signed_in.post(reverse("sources:propose"), data)

    assert response.status_code == 400
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "parent", ["abc", "-1", "999999", "99999999999999999999999", "1.5", "1e3", " "]
)
def test_forged_reply_parents_never_error(signed_in, library, parent):
    url = reverse("comments:post_on_theme", args=[library["theme"].slug])

    response = signed_in.post(url, {"body": "A reply.", "parent": parent})

    assert response.status_code < 500


def test_a_reply_to_a_comment_elsewhere_does_not_cross_discussions(signed_in, library):
    """The parent belongs to the source's discussion; posting it on the theme must not link."""
    url = reverse("comments:post_on_theme", args=[library["theme"].slug])

    response = signed_in.post(url, {"body": "A reply.", "parent": library["comment"].pk})

    assert response.status_code < 500
    reply = Comment.objects.filter(body="A reply.").first()
    assert reply is None or reply.parent_id is None or reply.parent.theme_id is not None


@pytest.mark.parametrize("reason", ["not-a-reason", "", "spam\x00", "SPAM"])
def test_forged_flag_reasons_are_form_errors(signed_in, library, reason):
    response = signed_in.post(
        reverse("comments:flag", args=[library["comment"].pk]), {"reason": reason}
    )

    refused(response, "reason")
    assert not library["comment"].flags.exists()


@pytest.mark.parametrize("perspective", ["astronaut", "CLINICIAN", "\x00"])
def test_forged_perspectives_are_form_errors(signed_in, perspective):
    refused(signed_in.post(reverse("edit_profile"), {"perspective": perspective}), "perspective")


@pytest.mark.parametrize("endorse", ["", "abc", "\x00", "2", "-1"])
def test_odd_endorse_values_never_error(signed_in, library, endorse):
    url = reverse("sources:endorse", args=[library["source"].slug])

    response = signed_in.post(url, {"endorse": endorse})
    assert response.status_code < 500
    response = signed_in.post(url, {"endorse": endorse}, headers={"accept": "application/json"})
    assert response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/comments/abc/edit/",
        "/comments/abc/delete/",
        "/comments/abc/flag/",
        "/comments/1.5/flag/",
        "/comments/-1/flag/",
        "/comments/%00/edit/",
        "/comments/99999999999999999999999/edit/",
        "/comments/99999999999999999999999/delete/",
        "/comments/99999999999999999999999/flag/",
        "/moderation/comments/abc/hide/",
        "/moderation/comments/99999999999999999999999/hide/",
        "/moderation/comments/99999999999999999999999/restore/",
    ],
)
def test_bad_comment_ids_in_urls_are_not_found(client, moderator, path):
    client.force_login(moderator)

    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {"reason": "x"}).status_code == 404


def test_someone_elses_comment_id_is_not_found_for_edit_or_delete(signed_in, library):
    comment = library["comment"]
    for name in ["edit", "delete"]:
        url = reverse(f"comments:{name}", args=[comment.pk])
        assert signed_in.get(url).status_code == 404
        assert signed_in.post(url, {"body": "Hijacked."}).status_code == 404
    comment.refresh_from_db()
    assert comment.body == "A comment."
    assert comment.status == "visible"


def test_methods_other_than_get_and_post_never_error(client, listing_pages, write_urls):
    failures = []
    urls = {url for _, url in listing_pages} | {url for _, url in write_urls}
    member = MemberFactory(username="method-tester")
    client.force_login(member)
    for url in sorted(urls):
        for method in ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD"]:
            response = client.generic(method, url)
            if response.status_code >= 500:
                failures.append((method, url, response.status_code))
    assert not failures
