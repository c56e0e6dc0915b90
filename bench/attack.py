"""Try Q Library as an attacker would, under gunicorn with DEBUG off, and report every server
error, every slow answer and every traceback in the server's log.

    .venv/bin/python bench/attack.py                    # a fresh SQLite database in a temp dir
    .venv/bin/python bench/attack.py --database-url postgres://postgres@127.0.0.1:5432/qlib_attack

On a fresh database it runs `migrate`, `createcachetable` and `seed_library`, makes a member and
a moderator, starts gunicorn on a loopback port and then, as a reader, the member and the
moderator:

1. sends hostile values (control characters, bidi overrides, NUL, line breaks, very long text,
   other scripts, emoji, punctuation, Markdown floods, HTML) through every form: proposal, edit,
   review, retirement, comment, reply, comment edit, flag, hide and restore, profile, sign-up,
   log-in and password reset;
2. puts the same values in every query parameter of the listings, and odd values in request
   headers (Host, cookies, conditional requests, languages);
3. then crawls every page the site links to, and the feeds, to find a stored record that
   breaks a page.

Nothing leaves 127.0.0.1. The exit status is 1 when anything answered 5xx, took longer than
--slow seconds, or left a traceback in the log.
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.load import Browser, free_port, request  # noqa: E402

HOSTILE = {
    "c0-controls": "Care\x01 and\x07 quality\x1b",
    "c1-controls": "Care\x85 and\x9b quality",
    "bidi": "Care \u202eand\u202c quality \u2066too\u2069",
    "line-breaks": "Care\r\nBcc: x@example.org\rquality\u2028too",
    "nul": "Care\x00quality",
    "non-characters": "Care\ufffe\uffff",
    "arabic": "تحسين الجودة",
    "emoji": "🩺💉",
    "punctuation": "!!! ... ???",
    "html": '"><script>alert(1)</script><img src=x onerror=alert(1)>',
    "bracket-flood": "[" * 5000,
    "link-flood": "[a](" * 1250,
    "image-flood": "![" * 2500,
    "nested-lists": "1. " * 1666,
    "deep-quotes": ">" * 5000,
    "emphasis-flood": "*a" * 2500,
    "very-long": "x" * 20_000,
    "surrogate-escape": "\\ud800 %ud800",
    "percent": "%00 %ff %",
    "sql": "' OR 1=1 --",
}
QUERY_PARAMETERS = [
    *("q", "theme", "stance", "kind", "tag", "year", "sort", "page", "comments", "order"),
    *("cursor", "limit", "by"),
]
ODD_HEADERS = [
    {"Host": "evil.example"},
    {"Host": "127.0.0.1:1\x01"},
    {"Cookie": "sessionid=" + "a" * 4000},
    {"Cookie": "sessionid=\x01; csrftoken=\x7f"},
    {"Cookie": "messages=garbage; sessionid=x"},
    {"If-Modified-Since": "not a date"},
    {"If-Modified-Since": "Mon, 01 Jan 9999 00:00:00 GMT"},
    {"If-None-Match": '"' + "x" * 2000 + '"'},
    {"Accept-Language": "ar;q=0.9,*;q=x,\x01"},
    {"Accept-Language": "x" * 5000},
    {"Accept": "application/json;q=NaN"},
    {"Range": "bytes=9999999999-"},
    {"X-Forwarded-For": "not an address, 999.1.1.1"},
    {"X-Forwarded-Proto": "gopher"},
    {"User-Agent": "\x01\x02" * 100},
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in {"a", "link"} and href:
            self.links.append(href)


class Attack:
    def __init__(self, port, slow):
        self.port = port
        self.slow = slow
        self.count = 0
        self.problems = []

    def check(self, label, response):
        self.count += 1
        if response.status >= 500:
            self.problems.append(f"{response.status} {label}")
        if response.seconds > self.slow:
            self.problems.append(f"slow ({response.seconds:.2f} s) {label}")
        return response

    def get(self, browser, path, headers=None):
        return self.check(f"GET {path[:120]!r}", browser.get(path, headers=headers))

    def post(self, browser, path, data):
        form_page = (
            browser.get(path.split("?")[0]) if not browser.cookies.get("csrftoken") else None
        )
        if form_page is not None:
            self.check(f"GET {path}", form_page)
        label = f"POST {path} {str(data)[:100]!r}"
        return self.check(label, browser.post(path, data))


def log_in(port, username, password):
    browser = Browser(port)
    browser.get("/accounts/login/")
    response = browser._keep(
        browser.post("/accounts/login/", {"login": username, "password": password})
    )
    if response.status != 302:
        raise RuntimeError(f"could not log in as {username}: {response.status}")
    return browser


def prepare(env, workdir):
    """A migrated, seeded database with a member and a moderator; static files collected."""
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--no-input", "-v", "0"], ["createcachetable"], ["seed_library"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run(
        [*manage, "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    script = """
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from qlibrary.models import User
for name in ["attacker", "moderator"]:
    user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.org"})
    user.set_password("a-long-attack-password")
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
User.objects.get(username="moderator").groups.add(Group.objects.get(name="Moderators"))
"""
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, timeout=120)


def start_gunicorn(env, workdir, workers):
    port = free_port()
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "qlibrary.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            if request(port, "GET", "/healthz", timeout=2).status == 200:
                return process, port, log
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz")


def run(attack, port):
    reader = Browser(port)
    member = log_in(port, "attacker", "a-long-attack-password")
    moderator = log_in(port, "moderator", "a-long-attack-password")
    home = attack.get(reader, "/").body.decode()
    themes = sorted(set(re.findall(r'href="(/themes/[^/"]+/)"', home)))
    theme_id = re.search(
        r'name="themes" value="(\d+)"', member.get("/sources/propose/").body.decode()
    )
    theme_id = theme_id.group(1) if theme_id else "1"

    # 1. Every form.
    for number, value in enumerate(HOSTILE.values()):
        base = {
            "title": f"Attack source {number}",
            "url": f"https://example.org/attack-{number}",
            "kind": "report",
            "themes": theme_id,
            "summary": "A summary.",
            "stance": "refines",
            "tags": "attack",
            "confirm_not_duplicate": "on",
        }
        for field in ["title", "authors", "organisation", "summary", "tags", "url", "doi"]:
            attack.post(member, "/sources/propose/", {**base, field: value})
        for theme in themes:
            attack.post(member, f"{theme}comments/", {"body": value})
        for field in ["display_name", "organisation", "bio"]:
            attack.post(member, "/me/profile/", {field: value})
        attack.post(
            reader,
            "/accounts/signup/",
            {
                "username": value[:150],
                "email": f"{value[:50]}@example.org",
                "password1": value,
                "password2": value,
            },
        )
        attack.post(reader, "/accounts/login/", {"login": value, "password": value})
        attack.post(reader, "/accounts/password/reset/", {"email": value})

    # Comments to reply to, edit, flag, hide and restore, and proposals to review.
    mine = re.findall(r"/comments/(\d+)/edit/", member.get(themes[0]).body.decode())
    theirs_page = moderator.get(themes[0]).body.decode()
    comment_ids = sorted(set(re.findall(r'id="comment-(\d+)"', theirs_page)))
    proposals = sorted(
        set(
            re.findall(r'href="/moderation/([^/"]+)/"', moderator.get("/moderation/").body.decode())
        )
    )
    for value in HOSTILE.values():
        for pk in mine[:3]:
            attack.post(member, f"/comments/{pk}/edit/", {"body": value})
        for pk in comment_ids[:3]:
            attack.post(member, f"{themes[0]}comments/", {"body": value, "parent": pk})
            attack.post(moderator, f"/comments/{pk}/flag/", {"reason": "other", "note": value})
            attack.post(moderator, f"/moderation/comments/{pk}/hide/", {"reason": value})
            attack.post(member, f"{themes[0]}comments/", {"body": "Reply", "parent": pk})
            attack.post(member, f"/comments/{pk}/delete/", {})
            attack.post(moderator, f"/moderation/comments/{pk}/restore/", {"reason": value})
        for slug in proposals[:3]:
            attack.post(
                moderator,
                f"/moderation/{slug}/",
                {
                    "decision-decision": "request_changes",
                    "decision-reason": value,
                    "source-title": value,
                    "source-kind": "report",
                    "source-stance": "refines",
                    "source-summary": value,
                    "source-themes": theme_id,
                    "source-tags": value,
                },
            )
            attack.post(moderator, f"/moderation/{slug}/retire/", {"retire-reason": value})
    for slug in proposals[3:6]:
        attack.post(
            moderator,
            f"/moderation/{slug}/",
            {
                "decision-decision": "approve",
                **{
                    f"source-{k}": v
                    for k, v in parse_form(
                        moderator.get(f"/moderation/{slug}/").body.decode()
                    ).items()
                },
            },
        )

    # 2. Query strings and headers.
    listings = [
        "/",
        "/sources/",
        "/proposals/",
        "/moderation/",
        "/moderation/log/",
        "/map/",
        "/api/sources/",
        "/api/tags/",
        "/api/moderation-log/",
        *themes,
    ]
    for path in listings:
        for value in HOSTILE.values():
            query = urlencode(dict.fromkeys(QUERY_PARAMETERS, value[:2000]))
            attack.get(moderator, f"{path}?{query}")
            attack.get(reader, f"{path}?{query}")
    for value in HOSTILE.values():
        slug = quote(value[:200], safe="")
        for path in [f"/api/sources/{slug}/", f"/api/themes/{slug}/", f"/tags/{slug}/"]:
            attack.get(reader, path)
    for headers in ODD_HEADERS:
        for path in ["/", "/sources/", "/feeds/sources/", themes[0]]:
            label = f"GET {path} with {str(headers)[:80]}"
            attack.check(label, request(port, "GET", path, headers=headers))

    # 3. Every page the site links to, as each visitor, and the feeds.
    for browser in (reader, member, moderator):
        crawl(attack, browser, ["/", "/sources/", "/feeds/sources/", "/proposals/", "/moderation/"])


def parse_form(html):
    """The current values of the review form's source fields (inputs and textareas)."""
    values = dict(re.findall(r'name="source-(\w+)"[^>]*value="([^"]*)"', html))
    values.update(re.findall(r'name="source-(\w+)"[^>]*>([^<]*)</textarea>', html))
    values["themes"] = (
        re.findall(r'name="source-themes" value="(\d+)"[^>]*checked', html)[:1] or "1"
    )
    values["kind"] = "report"
    values["stance"] = "refines"
    values["confirm_not_duplicate"] = "on"
    return values


def crawl(attack, browser, start, limit=400):
    seen, queue = set(), list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = attack.get(browser, path)
        if response.status != 200 or "html" not in (response.header("Content-Type") or ""):
            continue
        parser = Links()
        parser.feed(response.body.decode(errors="replace"))
        for href in parser.links:
            target = urljoin(path, href.split("#")[0])
            parts = urlsplit(target)
            if parts.netloc or parts.scheme or not target.startswith("/"):
                continue
            if any(part in target for part in ("/logout", "/delete/", "/static/", "/admin/")):
                continue
            queue.append(target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow", type=float, default=1.0, help="seconds that count as a stall")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qlibrary-attack-") as directory:
        workdir = Path(directory)
        (workdir / "attack_settings.py").write_text(
            "from qlibrary.settings import *  # noqa: F403\n\n"
            f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
        )
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
            "DJANGO_SETTINGS_MODULE": "attack_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'attack.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        prepare(env, workdir)
        process, port, log = start_gunicorn(env, workdir, args.workers)
        started = time.monotonic()
        try:
            attack = Attack(port, args.slow)
            run(attack, port)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        server_log = (workdir / "gunicorn.log").read_text(errors="replace")

    errors = [
        line
        for line in server_log.splitlines()
        if "Internal Server Error" in line or re.search(r"\[(ERROR|CRITICAL)\]", line)
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{attack.count} requests in {time.monotonic() - started:.0f} s (load average {load})")
    print(f"server errors and slow answers: {len(attack.problems)}")
    for problem in attack.problems[:50]:
        print("  " + problem[:200])
    print(f"errors in the server log: {len(errors)}")
    for line in errors[:20]:
        print("  " + line[:200])
    # Django logs each refused request (403, 404...) as a warning, with the traceback of the
    # PermissionDenied or Http404 that made it: reported, but not an error.
    # Django logs a refused request (403, 404...) as a warning, some with the traceback of the
    # PermissionDenied or Http404 behind it: listed by exception, not counted as errors.
    raised = re.findall(r"^Traceback.*?\n(?!\s)([^\n]+)", server_log, re.MULTILINE | re.DOTALL)
    print(f"tracebacks in the log: {len(raised)}")
    for exception in sorted(set(raised)):
        print(f"  {raised.count(exception)} x {exception[:160]}")
    return 1 if attack.problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
