"""Members' writes for the benchmark's mixed run: comments and endorsement toggles over HTTP.

Writes are sent at a fixed rate on a fixed schedule (write i is due at start + i / rate), each
from a small pool of threads, so a slow answer delays no later write. Writes alternate between a
comment and an endorsement toggle, each member making one of each in turn, on a random source of
the list. Only the standard library is used.
"""

import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

IN_FLIGHT = 16  # writes that may be waiting for an answer at once


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a redirect as the answer: a posted comment answers 302."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def request(url, *, cookies, data=None, headers=None):
    """Send one request; return (status, body bytes, the response's Set-Cookie headers)."""
    headers = dict(headers or {})
    headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with OPENER.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as r:
            return r.status, r.read(), r.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get_all("Set-Cookie") or []


def csrf_token(base, session, page):
    """The member's CSRF token: the `csrftoken` cookie set by a page with a form."""
    status, _, set_cookies = request(base + page, cookies={"sessionid": session})
    for header in set_cookies:
        cookie = SimpleCookie(header)
        if "csrftoken" in cookie:
            return cookie["csrftoken"].value
    raise SystemExit(f"{page} answered {status} without a csrftoken cookie for a member")


class Writer:
    """Sends writes at `rate` a second from `start()` until `stop()`; keeps each one's outcome."""

    def __init__(self, base, sessions, slugs, rate):
        self.base, self.slugs, self.rate = base, slugs, rate
        self.members = [
            {"sessionid": session, "csrftoken": csrf_token(base, session, f"/sources/{slugs[0]}/")}
            for session in sessions
        ]
        self.endorsed = {}  # (member index, slug) -> endorsed by this run's last toggle
        self.results = []  # (kind, status, milliseconds, body snippet)
        self.random = random.Random(1)  # noqa: S311 - picks sources, no secret
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._schedule, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join()

    def _schedule(self):
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            index = 0
            while not self.stopping.is_set():
                due = start + index / self.rate
                if self.stopping.wait(max(0.0, due - time.monotonic())):
                    break
                pool.submit(self._write, index, self.random.choice(self.slugs))
                index += 1

    def _write(self, index, slug):
        member_index = (index // 2) % len(self.members)  # a comment, then an endorsement
        cookies = self.members[member_index]
        token = {"csrfmiddlewaretoken": cookies["csrftoken"]}
        began = time.perf_counter()
        if index % 2 == 0:
            kind, expected = "comment", 302
            body = f"Benchmark comment {index}: the method section answers my question."
            url, data, headers = f"/sources/{slug}/comments/", {"body": body, **token}, {}
        else:
            kind, expected = "endorsement", 200
            key = (member_index, slug)
            self.endorsed[key] = not self.endorsed.get(key, False)
            data = {"endorse": "1" if self.endorsed[key] else "0", **token}
            url, headers = f"/sources/{slug}/endorse/", {"Accept": "application/json"}
        try:
            status, answer, _ = request(
                self.base + url, cookies=cookies, data=data, headers=headers
            )
        except OSError as error:
            status, answer = 0, str(error).encode()
        milliseconds = (time.perf_counter() - began) * 1000
        snippet = "" if status == expected else answer[:300].decode(errors="replace")
        self.results.append((kind, status, expected, milliseconds, snippet))

    def summary(self):
        """Count, latency percentiles (ms) and failures of the writes sent so far."""
        times = sorted(result[3] for result in self.results)
        failures = [result for result in self.results if result[1] != result[2]]
        summary = {
            "writes": len(times),
            "comments": sum(result[0] == "comment" for result in self.results),
            "endorsements": sum(result[0] == "endorsement" for result in self.results),
            "failed": len(failures),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "first_failure": None,
        }
        if failures:
            kind, status, expected, _, snippet = failures[0]
            summary["first_failure"] = {
                "kind": kind,
                "status": status,
                "expected": expected,
                "body": " ".join(snippet.split())[:200],
            }
        return summary


def percentile(ordered, percent):
    """The nearest-rank percentile of a sorted list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, round(percent / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
