"""What each persona should get from a URL, shared by the permission-matrix test files."""

from urllib.parse import quote

import pytest

LOGIN = "log in"
VERIFY = "verify e-mail"
FORBIDDEN = "403"
NOT_FOUND = "404"
REFUSED = "redirect back with a message"
OK = "200"
DONE = "done"

VERIFY_PAGE = "Verify your e-mail address first"


@pytest.fixture
def client_as(client, db, request):
    """The test client signed in as the named persona ("anonymous" stays signed out).

    It asks for `db` itself: personas are looked up by name, which pytest-django cannot see
    when it orders database tests before transactional ones.
    """

    def sign_in(persona):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in


def table_for(personas):
    """A decorator maker: parametrize a test over `personas`, each with its expected outcome."""

    def table(**expected):
        assert set(expected) == set(personas)
        return pytest.mark.parametrize(("persona", "expected"), list(expected.items()))

    return table


def check(response, expected, url, *, refused_to=None):
    """Assert the response is what the persona should see; DONE is checked by the caller."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={quote(url)}"
    elif expected == VERIFY:
        assert response.status_code == 403
        assert VERIFY_PAGE in response.content.decode()
    elif expected == FORBIDDEN:
        assert response.status_code == 403
        assert VERIFY_PAGE not in response.content.decode()
    elif expected == NOT_FOUND:
        assert response.status_code == 404
    elif expected == REFUSED:
        assert response.status_code == 302
        assert response.url == refused_to
    elif expected == OK:
        assert response.status_code == 200
    elif expected == DONE:
        assert response.status_code == 302
        assert not response.url.startswith("/accounts/login/")
    else:  # pragma: no cover - a typo in a table
        raise AssertionError(expected)
