"""Fixtures that stand in for the outside world (imported into conftest.py).

Tests never reach the internet: the DOI resolver, E-utilities, Open Library and the web pages
members link to are served by pytest-httpserver on 127.0.0.1, and outbound requests are allowed
to reach that one loopback address only (the site refuses every private or local address
otherwise).
"""

import pytest

LOOPBACK = "127.0.0.1"


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """Serve on the IPv4 loopback address: "localhost" may resolve to ::1 first."""
    return (LOOPBACK, 0)


@pytest.fixture
def outside(httpserver, settings):
    """The local HTTP server, reachable by outbound requests, with the services' base URLs
    pointing at it (each under its own path, as the real hosts are separate)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = [f"{LOOPBACK}/32"]
    settings.DOI_RESOLVER = httpserver.url_for("/doi").rstrip("/")
    settings.EUTILS_BASE = httpserver.url_for("/eutils").rstrip("/")
    settings.OPENLIBRARY_BASE = httpserver.url_for("/openlibrary").rstrip("/")
    return httpserver
