"""Requests from the server to addresses that people or outside records choose.

A member's URL, a DOI resolver's redirect or a link being checked can point anywhere, including
at the machine itself or the private network behind it. Every request the site makes to the
outside goes through `fetch()`, which:

- accepts only http and https;
- resolves the host name once, refuses it if *any* of its addresses is private, loopback,
  link-local, multicast, reserved or unspecified (unless a network in
  `settings.OUTBOUND_ALLOWED_NETWORKS` holds it: a mirror on the operator's network, or a test's
  local server), and then connects to the very address it checked, so a second DNS answer
  cannot swap in another one (DNS rebinding).
  HTTPS still verifies the certificate against the host name, sent as SNI;
- follows redirects itself, checking every hop the same way;
- caps the exchange at `timeout` seconds (the name lookup, each hop and the reading of the body
  share one deadline; a single slow read can overrun it by at most one read's time) and the body
  at `max_bytes` (counted after decompression), reading it as a stream;
- ignores proxy settings from the environment, which would connect to an unchecked address;
- sends `settings.OUTBOUND_USER_AGENT`, which names the site and its address.

Errors are `OutboundError`s with a message fit to show: `BlockedAddress`, `FetchTimeout`,
`TooLarge` and `FetchFailed`. An answer with an error status (404, 500) is not an error here: it
is returned, and the caller decides what it means.
"""

import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ResolveTimeout
from dataclasses import dataclass, field

import httpx
from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# getaddrinfo() cannot be given a timeout, so it runs here and the caller stops waiting for it.
RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")
DEFAULT_PORTS = {"http": 80, "https": 443}


class OutboundError(Exception):
    """A request to the outside that could not be made or completed."""


class BlockedAddress(OutboundError):
    """The address is not one the site may reach: a scheme other than http(s), or a host on a
    private, loopback, link-local or otherwise non-public network."""


class FetchTimeout(OutboundError):
    """The other end took longer than the time allowed."""


class TooLarge(OutboundError):
    """The answer was bigger than the size allowed."""


class FetchFailed(OutboundError):
    """The connection failed, or the answer was not valid HTTP, or there were too many
    redirects."""


@dataclass(frozen=True)
class Hop:
    """One redirect on the way: the address asked and the status that sent us on."""

    url: str
    status: int


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    encoding: str = "utf-8"
    redirects: list[Hop] = field(default_factory=list)

    @property
    def ok(self):
        return 200 <= self.status < 300

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self):
        try:
            return self.content.decode(self.encoding, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


def fetch(
    url,
    *,
    method="GET",
    headers=None,
    timeout=None,
    max_bytes=None,
    follow_redirects=True,
    max_redirects=5,
):
    """Fetch `url` safely (see the module's docstring) and return a FetchResult."""
    timeout = settings.OUTBOUND_TIMEOUT if timeout is None else timeout
    max_bytes = settings.OUTBOUND_MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + timeout
    hops = []
    current = _parse(url)
    # trust_env=False: a proxy from the environment would make the connection to an address we
    # did not check.
    with httpx.Client(trust_env=False, follow_redirects=False) as client:
        for _ in range(max_redirects + 1):
            response = _send(client, method, current, headers, deadline)
            try:
                location = response.headers.get("location")
                if follow_redirects and response.status_code in REDIRECT_STATUSES and location:
                    hops.append(Hop(str(current), response.status_code))
                    current = _parse(_join(current, location))
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method == "POST"
                    ):
                        method = "GET"
                    continue
                content = _read(response, max_bytes, deadline, current.host)
                return FetchResult(
                    url=str(current),
                    status=response.status_code,
                    headers=response.headers,
                    content=content,
                    encoding=response.charset_encoding or "utf-8",
                    redirects=hops,
                )
            finally:
                response.close()
    raise FetchFailed(f"Too many redirects (more than {max_redirects}).")


def _parse(url):
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchFailed("That is not a web address the library can fetch.") from None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise BlockedAddress("Only http:// and https:// addresses can be fetched.")
    return parsed


def _join(base, location):
    try:
        return str(base.join(location))
    except httpx.InvalidURL:
        raise FetchFailed("The site redirected to an address that is not valid.") from None


def _remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeout("The other end did not answer in time.")
    return left


def _send(client, method, url, headers, deadline):
    """Send the request to a checked address of the host (the next one if one refuses)."""
    addresses = checked_addresses(
        url.raw_host.decode("ascii"), url.port or DEFAULT_PORTS[url.scheme], deadline=deadline
    )
    all_headers = {
        "User-Agent": settings.OUTBOUND_USER_AGENT,
        **(headers or {}),
        "Host": url.netloc.decode("ascii"),
    }
    for number, address in enumerate(addresses, start=1):
        request = client.build_request(
            method,
            url.copy_with(host=str(address)),
            headers=all_headers,
            timeout=httpx.Timeout(_remaining(deadline)),
        )
        if url.scheme == "https":
            request.extensions["sni_hostname"] = url.host
        try:
            return client.send(request, stream=True)
        except httpx.TimeoutException:
            raise FetchTimeout(f"{url.host} did not answer in time.") from None
        except httpx.ConnectError as error:
            if number == len(addresses):
                raise FetchFailed(f"Could not connect to {url.host} ({error}).") from None
        except httpx.HTTPError as error:
            raise FetchFailed(f"Could not fetch from {url.host} ({error}).") from None
    raise FetchFailed(f"Could not connect to {url.host}.")  # no address: checked_addresses raises


def checked_addresses(host, port, *, deadline):
    """Resolve `host` once and return its addresses (in the resolver's order of preference) if
    every one of them may be reached; raise BlockedAddress otherwise."""
    answer = RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = answer.result(timeout=_remaining(deadline))
    except ResolveTimeout:
        raise FetchTimeout(f"The address of {host} could not be found in time.") from None
    except (OSError, UnicodeError):
        raise FetchFailed(f"{host} does not exist (no address found for it).") from None
    addresses = list(
        dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
    )
    if not addresses:
        raise FetchFailed(f"{host} does not exist (no address found for it).")
    for address in addresses:
        if not is_public(address):
            raise BlockedAddress(
                f"{host} is on a private or local network, which the library does not fetch from."
            )
    return addresses


def is_public(address):
    """Whether the site may connect to `address` (an ipaddress object)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    allowed = [ipaddress.ip_network(net) for net in settings.OUTBOUND_ALLOWED_NETWORKS]
    if any(address in network for network in allowed if network.version == address.version):
        return True
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _read(response, max_bytes, deadline, host):
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"The answer from {host} is larger than {max_bytes:,} bytes.")
    chunks = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"The answer from {host} is larger than {max_bytes:,} bytes.")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchTimeout(f"{host} did not answer in time.")
    except httpx.TimeoutException:
        raise FetchTimeout(f"{host} did not answer in time.") from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"The answer from {host} broke off ({error}).") from None
    return b"".join(chunks)
