"""Requests to the outside (qlibrary/outbound.py): only public http(s) addresses, checked at
every redirect, connected to the address that was checked, within a time and a size."""

import socket
import time

import httpx
import pytest
from werkzeug import Response

from qlibrary import outbound
from qlibrary.outbound import BlockedAddress, FetchFailed, FetchTimeout, TooLarge


@pytest.fixture
def loopback_allowed(settings, httpserver):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return httpserver


def test_fetch_returns_status_headers_and_body_and_names_the_site(loopback_allowed, settings):
    settings.OUTBOUND_USER_AGENT = "QLibrary/1.0 (+https://library.example.org)"
    loopback_allowed.expect_request(
        "/page", headers={"User-Agent": "QLibrary/1.0 (+https://library.example.org)"}
    ).respond_with_data("<p>café</p>", content_type="text/html; charset=utf-8")

    result = outbound.fetch(loopback_allowed.url_for("/page"))

    assert result.ok and result.status == 200
    assert result.content_type == "text/html"
    assert result.text == "<p>café</p>"
    assert result.url == loopback_allowed.url_for("/page")
    assert result.redirects == []


def test_user_agent_names_the_site_address_by_default(settings):
    from django.conf import settings as live

    assert "QLibrary" in live.OUTBOUND_USER_AGENT
    assert live.SITE_URL in live.OUTBOUND_USER_AGENT


def test_an_error_status_is_returned_not_raised(loopback_allowed):
    loopback_allowed.expect_request("/gone").respond_with_data("Not here", status=404)

    result = outbound.fetch(loopback_allowed.url_for("/gone"))

    assert result.status == 404 and not result.ok
    assert result.text == "Not here"


def test_redirects_are_followed_and_each_hop_recorded(loopback_allowed):
    server = loopback_allowed
    server.expect_request("/a").respond_with_data(
        "", status=301, headers={"Location": server.url_for("/b")}
    )
    server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/c"})
    server.expect_request("/c").respond_with_data("arrived")

    result = outbound.fetch(server.url_for("/a"))

    assert result.text == "arrived"
    assert result.url == server.url_for("/c")
    assert [(hop.url, hop.status) for hop in result.redirects] == [
        (server.url_for("/a"), 301),
        (server.url_for("/b"), 302),
    ]


def test_redirects_are_not_followed_when_asked_not_to(loopback_allowed):
    loopback_allowed.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": "/b"}
    )

    result = outbound.fetch(loopback_allowed.url_for("/a"), follow_redirects=False)

    assert result.status == 302
    assert result.headers["location"] == "/b"


def test_too_many_redirects_fail(loopback_allowed):
    loopback_allowed.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )

    with pytest.raises(FetchFailed, match="Too many redirects"):
        outbound.fetch(loopback_allowed.url_for("/loop"), max_redirects=3)
    assert len(loopback_allowed.log) == 4


def test_loopback_is_refused_without_the_allowance(httpserver, settings):
    assert settings.OUTBOUND_ALLOWED_NETWORKS == []
    httpserver.expect_request("/").respond_with_data("secret")

    with pytest.raises(BlockedAddress, match="private or local network"):
        outbound.fetch(httpserver.url_for("/"))
    assert httpserver.log == [], "a request reached the refused address"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/admin",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://2130706433/",
    ],
)
def test_private_and_local_addresses_are_refused(url):
    with pytest.raises(BlockedAddress):
        outbound.fetch(url)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"],
)
def test_other_schemes_are_refused(url):
    with pytest.raises(BlockedAddress, match="Only http:// and https://"):
        outbound.fetch(url)


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/",
        "http://[::1]:{port}/",
        "http://[fe80::1]:{port}/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_private_address_or_other_scheme_is_refused(loopback_allowed, target):
    server = loopback_allowed
    target = target.format(port=server.port)
    server.expect_request("/jump").respond_with_data("", status=302, headers={"Location": target})

    with pytest.raises(BlockedAddress):
        outbound.fetch(server.url_for("/jump"))
    assert [entry[0].path for entry in server.log] == ["/jump"]


def fake_dns(monkeypatch, answers):
    """Make getaddrinfo answer `answers[host]` (a list of IPs) and count the questions."""
    asked = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_with_any_private_address_is_refused(monkeypatch):
    fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.1.2.3"]})

    with pytest.raises(BlockedAddress, match="mixed.example"):
        outbound.fetch("http://mixed.example/")


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    loopback_allowed, monkeypatch
):
    # The name is resolved once per hop, and the connection is made to that very address: a
    # second DNS answer (rebinding) is never asked for.
    asked = fake_dns(monkeypatch, {"journal.example": ["127.0.0.1"]})
    loopback_allowed.expect_request(
        "/article", headers={"Host": f"journal.example:{loopback_allowed.port}"}
    ).respond_with_data("the article")

    result = outbound.fetch(f"http://journal.example:{loopback_allowed.port}/article")

    assert result.text == "the article"
    assert result.url == f"http://journal.example:{loopback_allowed.port}/article"
    assert asked == ["journal.example"]


def test_a_slow_answer_times_out(loopback_allowed):
    def slow(request):
        time.sleep(1.5)
        return Response("late")

    loopback_allowed.expect_request("/slow").respond_with_handler(slow)

    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="did not answer in time"):
        outbound.fetch(loopback_allowed.url_for("/slow"), timeout=0.5)
    assert time.monotonic() - started < 1.4


def test_a_trickling_answer_is_cut_at_the_overall_time_limit(loopback_allowed):
    def trickle():
        for _ in range(20):
            time.sleep(0.1)
            yield b"x" * 10

    loopback_allowed.expect_request("/trickle").respond_with_handler(
        lambda request: Response(trickle())
    )

    with pytest.raises(FetchTimeout):
        outbound.fetch(loopback_allowed.url_for("/trickle"), timeout=0.5)


def test_a_declared_large_body_is_refused(loopback_allowed):
    loopback_allowed.expect_request("/big").respond_with_data("x" * 5000)

    with pytest.raises(TooLarge, match="larger than 1,000 bytes"):
        outbound.fetch(loopback_allowed.url_for("/big"), max_bytes=1000)


def test_a_streamed_large_body_is_cut_off(loopback_allowed):
    def stream():
        for _ in range(50):
            yield b"y" * 100

    loopback_allowed.expect_request("/stream").respond_with_handler(
        lambda request: Response(stream())  # no Content-Length: chunked
    )

    with pytest.raises(TooLarge):
        outbound.fetch(loopback_allowed.url_for("/stream"), max_bytes=1000)


def test_a_closed_port_fails_clearly(loopback_allowed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchFailed, match="Could not connect to 127.0.0.1"):
        outbound.fetch(f"http://127.0.0.1:{port}/")


def test_a_name_that_does_not_resolve_fails_clearly(monkeypatch):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)

    with pytest.raises(FetchFailed, match="does not exist"):
        outbound.fetch("https://no-such-host.example/")


def test_a_slow_name_lookup_times_out(monkeypatch):
    def slow_dns(*args, **kwargs):
        time.sleep(2)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)

    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="The address of slow.example could not be found"):
        outbound.fetch("https://slow.example/", timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_https_connects_to_the_checked_address_and_verifies_the_name(monkeypatch, settings):
    # No TLS server here: the request handed to httpx shows where it would connect, which name
    # it would send as SNI (and so check the certificate against) and which Host header.
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    fake_dns(monkeypatch, {"secure.example": ["127.0.0.1"]})
    sent = []

    def send(client, request, **kwargs):
        sent.append(request)
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setattr(httpx.Client, "send", send)

    with pytest.raises(FetchFailed, match="Could not connect to secure.example"):
        outbound.fetch("https://secure.example/paper?id=1")
    [request] = sent
    assert str(request.url) == "https://127.0.0.1/paper?id=1"
    assert request.headers["Host"] == "secure.example"
    assert request.extensions["sni_hostname"] == "secure.example"
