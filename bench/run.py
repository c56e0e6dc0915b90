"""Benchmark Q Library as production runs it, and write the results into docs/performance.md.

    .venv/bin/python bench/run.py                 # full size: 10k sources, 100k comments
    .venv/bin/python bench/run.py --scale 0.1     # a tenth of that, for a quick look
    .venv/bin/python bench/run.py --reuse         # keep the data of the last run
    .venv/bin/python bench/run.py --runs cached,afresh   # only some of the runs

It fills a PostgreSQL database (qlibrary_bench) with the starter library and generated data,
starts its own Redis for the page cache (as production's `redis-pages`: no persistence, 256 MB,
least recently used evicted first; `redis-server` must be installed), then runs gunicorn with
settings from the environment (DEBUG off, Redis as the shared cache) and drives it with wrk from
the loopback address at 8 connections. One invocation makes every run below, one after the
other, each on a freshly started gunicorn with an empty page cache (`--runs` picks some of them):

cached
    Every page, each for `--duration` seconds after a warm-up, with the page cache on
    (PAGE_CACHE=true, production's setting): readers' pages come from the cache. Target: readers'
    pages at least half the baseline's throughput (`/ping`, a view that returns two bytes); the
    other pages a median under 25 ms and a p95 under 60 ms.
afresh
    The same pages with the page cache off (PAGE_CACHE=false), so every request renders its page,
    as the first reader after a write does. Target: a median under 25 ms and a p95 under 60 ms,
    for searches under 50 ms and 120 ms.
mixed
    The readers' pages with the page cache on while members write at a steady rate
    (`--writes-per-second`, 2 by default) over HTTP to the same gunicorn: they post comments and
    toggle endorsements, alternately, on random approved sources. The writers are 40 members
    with verified e-mail addresses, each with a real session and CSRF token; each posts a comment
    every 40 s at 2 writes a second, far within the limit of 10 comments in 10 minutes.
    Writes are due on a fixed schedule and sent from a pool of threads, so a slow answer does not
    lower the rate (bench/writes.py). A comment must answer 302 and an endorsement 200 (JSON);
    anything else is a failed write. Targets: readers' pages at least 0.3 times the baseline
    (the cached run's baseline, or one measured before the writes start) with a p99 under
    100 ms; writes a median under 50 ms, none failed.
distinct
    Many different addresses, with the page cache on: wrk (bench/distinct.lua) asks for a random
    path of a list (`--distinct-paths`, 5,000 by default) on every request: half source pages
    picked among all approved sources, a fifth searches for words of source titles, the rest
    pages of the library listing and of the themes' listings, up to their last pages. The cache
    starts empty, so most requests are a page's first visit. Target: a median under 50 ms, a
    p95 under 120 ms, and no answer other than 2xx.

Each run's table goes into its own generated block of the report (`--out`) with the date, the
command, the data sizes and the configuration; the cached and afresh runs also draw a chart.
A line near the top of the report names the one command and date that produced the tables.
The results are also kept as JSON: bench/latest-<run>.json, or <out>-latest-<run>.json beside
the report when `--out` is given; the charts are written beside the report.
Nothing here leaves this machine.
"""

import argparse
import contextlib
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from writes import Writer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_OUT = ROOT / "docs" / "performance.md"
RUNS = ("cached", "afresh", "mixed", "distinct")
MARKS = {
    "command": ("<!-- bench-run:start -->", "<!-- bench-run:end -->"),
    "cached": ("<!-- bench:start -->", "<!-- bench:end -->"),
    # The afresh run keeps the block (and chart) names it had when it was called "raw".
    "afresh": ("<!-- bench-raw:start -->", "<!-- bench-raw:end -->"),
    "mixed": ("<!-- bench-mixed:start -->", "<!-- bench-mixed:end -->"),
    "distinct": ("<!-- bench-distinct:start -->", "<!-- bench-distinct:end -->"),
}
CHARTS = {"cached": "performance-chart.svg", "afresh": "performance-chart-raw.svg"}
READER_TARGET = 0.5  # cached run, readers' pages: at least half the baseline's throughput
MIXED_READER_TARGET = 0.3  # mixed run, readers' pages, with the p99 below
MIXED_P99_TARGET_MS = 100
WRITE_MEDIAN_TARGET_MS = 50
MEDIAN_TARGET_MS = 25
P95_TARGET_MS = 60
SEARCH_MEDIAN_TARGET_MS = 50  # afresh run, search pages
SEARCH_P95_TARGET_MS = 120
# Distinct run: first visits, most of them rendered afresh with an empty cache.
DISTINCT_MEDIAN_TARGET_MS = 50
DISTINCT_P95_TARGET_MS = 120
WRITERS = 40
SECRET_KEY = secrets.token_urlsafe(64)  # one for the whole invocation: sessions must stay valid
PAGES_REDIS = ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the generated data")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--database", default="qlibrary_bench")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--pages-redis-port", type=int, default=6390, help="port of the page cache's own Redis"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument(
        "--runs",
        default=",".join(RUNS),
        type=lambda value: [run.strip() for run in value.split(",") if run.strip()],
        help=f"which runs to make, in this order: {','.join(RUNS)} (default: all)",
    )
    parser.add_argument("--writes-per-second", type=float, default=2.0, help="mixed run")
    parser.add_argument(
        "--distinct-paths", type=int, default=5000, help="addresses of the distinct run"
    )
    args = parser.parse_args()
    unknown = [run for run in args.runs if run not in RUNS]
    if unknown or not args.runs:
        parser.error(f"--runs takes some of {','.join(RUNS)}, not {','.join(unknown) or 'none'}")
    args.runs = [run for run in RUNS if run in args.runs]
    return args


def environment(args, page_cache=True):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.postgres}/{args.database}",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=args.redis,
        PAGE_CACHE_REDIS_URL=f"redis://127.0.0.1:{args.pages_redis_port}/0",
        LOG_LEVEL="WARNING",
        PAGE_CACHE="true" if page_cache else "false",
        # One load generator on one address: the API's per-client limit would measure itself.
        API_RATE="1000000/s",
    )
    return env


def manage(env, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)


def prepare_database(args, env):
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if exists and args.reuse:
            print(f"Reusing the database {args.database}.")
            return
        if exists:
            connection.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{args.database}"')
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "seed_library")
    manage(env, "generate_demo_data", "--scale", str(args.scale), "--seed", "1", "--force")
    # The demo data is loaded in bulk: its citations are rendered as approving each source would.
    manage(env, "store_citations")
    # Storing the citations rewrote every source: settle the tables as autovacuum would in
    # production (the visibility map lets a listing read a page's ids from an index alone).
    with psycopg.connect(f"{args.postgres}/{args.database}", autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def inside_django(env, code):
    """Run a snippet with Django set up on the benchmark's settings; return its JSON output."""
    script = (
        "import django, json, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'qlibrary.settings')\n"
        "django.setup()\n" + code
    )
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"A step inside Django failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


PAGES_CODE = """
from django.contrib.auth import get_user_model
from django.test import Client
from allauth.account.models import EmailAddress
from sources.models import Source, Theme
theme = Theme.objects.order_by("display_order").first()
source = Source.objects.approved().order_by("-comment_count").first()
member_id = EmailAddress.objects.filter(verified=True).values_list("user", flat=True).first()
client = Client()
client.force_login(get_user_model().objects.get(pk=member_id))
# The member's selection holds 200 sources of the library (issue 24's page of that size).
session = client.session
newest = Source.objects.approved().order_by("-pk")
session["selection"] = list(newest.values_list("pk", flat=True)[:200])
session.save()
from sources.lists import services
from sources.lists.models import ReadingList
reading_list = ReadingList.objects.filter(slug="benchmark-200-sources").first()
if reading_list is None:
    reading_list = services.create_list(
        owner=get_user_model().objects.get(pk=member_id),
        title="Benchmark 200 sources",
        visibility="public",
        sources=list(Source.objects.approved().order_by("pk")[:200]),
    )
print(json.dumps({
    "theme": theme.get_absolute_url(),
    "list": reading_list.get_absolute_url(),
    "source": source.get_absolute_url(),
    "source_comments": source.comment_count,
    "session": client.cookies["sessionid"].value,
    "counts": {
        "sources": Source.objects.count(),
        "comments": source.comments.model.objects.count(),
        "endorsements": Source.endorsements.rel.related_model.objects.count(),
        "members": get_user_model().objects.count(),
    },
}))
"""

QUERIES_CODE = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = json.loads(os.environ["BENCH_PAGES"])
readers, member = Client(), Client()
member.cookies["sessionid"] = os.environ["BENCH_SESSION"]
counts = {}
for name, page in pages.items():
    client = member if page["member"] else readers
    with CaptureQueriesContext(connection) as cold:
        client.get(page["path"])
    with CaptureQueriesContext(connection) as warm:
        response = client.get(page["path"])
    assert response.status_code == 200, (page, response.status_code)
    counts[name] = [len(cold.captured_queries), len(warm.captured_queries)]
print(json.dumps(counts))
"""

# The mixed run's writers: members with a verified address and a session each, who proposed
# none of the sources they write on (a member cannot endorse their own proposal).
WRITERS_CODE = """
import random
from django.contrib.auth import get_user_model
from django.test import Client
from allauth.account.models import EmailAddress
from sources.models import Source
wanted = int(os.environ["BENCH_WRITERS"])
sources = list(Source.objects.approved().order_by("?").values_list("slug", "proposer_id")[:500])
proposers = {proposer for _, proposer in sources if proposer}
verified = EmailAddress.objects.filter(verified=True, user__is_active=True)
members = sorted(set(verified.values_list("user", flat=True)) - proposers)
sessions = []
chosen = random.sample(members, min(wanted, len(members)))
for member in get_user_model().objects.filter(pk__in=chosen):
    client = Client()
    client.force_login(member)
    sessions.append(client.cookies["sessionid"].value)
print(json.dumps({"sessions": sessions, "slugs": [slug for slug, _ in sources]}))
"""

# The distinct run's addresses (bench/distinct_addresses.py), with how many of each kind.
DISTINCT_CODE = """
import sys
sys.path.insert(0, "bench")
from distinct_addresses import KINDS, distinct_addresses
addresses, drawn_from = distinct_addresses(int(os.environ["BENCH_PATHS"]))
paths = [path for _, path in addresses]
kinds = {kind: sum(made == kind for made, _ in addresses) for kind in KINDS}
print(json.dumps({"paths": paths, "kinds": kinds, "distinct": len(set(paths)), **drawn_from}))
"""


BIBLIOGRAPHY_STYLES = [
    ("APA", ""),
    ("Vancouver", "?style=vancouver"),
    ("Harvard", "?style=harvard"),
]


def pages(setup):
    """The pages to drive: (name, path, signed in?, reader's page?)."""
    return {
        "baseline (minimal view)": {"path": "/ping", "member": False, "reader": False},
        "home": {"path": "/", "member": False, "reader": True},
        "theme": {"path": setup["theme"], "member": False, "reader": True},
        f"source, {setup['source_comments']} comments": {
            "path": setup["source"],
            "member": False,
            "reader": True,
        },
        "browse": {"path": "/sources/", "member": False, "reader": True},
        "search “improvement” (reader)": {
            "path": "/sources/?q=improvement",
            "member": False,
            "reader": False,
        },
        "search “improvement” (member)": {
            "path": "/sources/?q=improvement",
            "member": True,
            "reader": False,
        },
        "theme, filtered (member)": {
            "path": setup["theme"] + "?kind=report&sort=endorsed",
            "member": True,
            "reader": False,
        },
        "open proposals (member)": {"path": "/proposals/", "member": True, "reader": False},
        "evidence map": {"path": "/map/", "member": False, "reader": True},
        "evidence map by kind": {"path": "/map/?by=kind", "member": False, "reader": True},
        "API: sources": {"path": "/api/sources/", "member": False, "reader": False},
        # A public reading list of 200 sources and the member's selection of 200, each with its
        # bibliography in every style (never cached whole: a list's page says who may edit it,
        # the selection is the reader's own).
        **{
            f"reading list, 200 sources, {label}": {
                "path": setup["list"] + query,
                "member": False,
                "reader": False,
            }
            for label, query in BIBLIOGRAPHY_STYLES
            if "list" in setup
        },
        **{
            f"selection, 200 sources, {label} (member)": {
                "path": "/basket/" + query,
                "member": True,
                "reader": False,
            }
            for label, query in BIBLIOGRAPHY_STYLES
        },
    }


# --- Servers -----------------------------------------------------------------------------------


def port_taken(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def redis_cli(port, *command):
    return subprocess.run(
        ["redis-cli", "-p", str(port), *command], capture_output=True, text=True, check=False
    ).stdout.strip()


@contextlib.contextmanager
def pages_redis(args):
    """The page cache's own Redis, configured as production's `redis-pages`, for the whole run."""
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        raise SystemExit(
            "redis-server is missing: install Debian's redis-server package (the benchmark "
            "starts its own Redis for the page cache, as production has one)"
        )
    port = args.pages_redis_port
    if port_taken(port):
        raise SystemExit(f"port {port} is taken: choose a free one with --pages-redis-port")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", *PAGES_REDIS],
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if redis_cli(port, "ping") == "PONG":
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"the page cache's redis-server did not answer on port {port}")
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def start_gunicorn(args, env):
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "qlibrary.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
            # Its control socket has one path for every gunicorn of the user: another run's.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer on /healthz")


@contextlib.contextmanager
def serving(args, page_cache):
    """A fresh gunicorn on an empty page cache; yields its base address."""
    if port_taken(args.port):
        raise SystemExit(f"port {args.port} is taken: choose a free one with --port")
    redis_cli(args.pages_redis_port, "flushall")
    server = start_gunicorn(args, environment(args, page_cache))
    try:
        yield f"http://127.0.0.1:{args.port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- Load --------------------------------------------------------------------------------------


def fetch(url, session=None, times=1):
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    for _ in range(times):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            response.read()


def drive(args, url, session=None, script="report.lua", script_args=()):
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--script",
        str(ROOT / "bench" / script),
        url,
    ]
    if session:
        command[1:1] = ["--header", f"Cookie: sessionid={session}"]
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def show(name, result):
    print(
        f"{name:40} {result['rps']:9.1f} req/s  median {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
        f"non-2xx {result['non_2xx']}"
    )


def drive_pages(args, base, to_drive, session, queries=None):
    """Warm every page, then drive each in turn; one row per page."""
    for page in to_drive.values():  # warm every worker's connections and the cache
        fetch(base + page["path"], session if page["member"] else None, times=20)
    rows = []
    for name, page in to_drive.items():
        result = drive(args, base + page["path"], session if page["member"] else None)
        row = {"name": name, **page, **result, "connections": args.connections}
        if queries:
            row["queries"] = queries[name]
        rows.append(row)
        show(name, result)
    return rows


# --- The runs ----------------------------------------------------------------------------------


def run_pages(args, context, page_cache):
    """The cached run (page_cache=True) or the afresh run: every page, one after the other."""
    to_drive = pages(context["setup"])
    env = dict(
        environment(args, page_cache),
        BENCH_PAGES=json.dumps(to_drive),
        BENCH_SESSION=context["setup"]["session"],
    )
    queries = inside_django(env, QUERIES_CODE)
    with serving(args, page_cache) as base:
        rows = drive_pages(args, base, to_drive, context["setup"]["session"], queries)
    return {"rows": rows, "baseline_rps": rows[0]["rps"]}


def run_cached(args, context):
    result = run_pages(args, context, page_cache=True)
    context["baseline_rps"] = result["baseline_rps"]
    return result


def run_afresh(args, context):
    return run_pages(args, context, page_cache=False)


def run_mixed(args, context):
    """Readers' pages from the page cache while members write at a steady rate."""
    env = dict(environment(args), BENCH_WRITERS=str(WRITERS))
    writers = inside_django(env, WRITERS_CODE)
    if not writers["sessions"] or not writers["slugs"]:
        raise SystemExit("the mixed run needs members with a verified e-mail and sources")
    readers = {name: page for name, page in pages(context["setup"]).items() if page["reader"]}
    with serving(args, page_cache=True) as base:
        baseline_rps = context.get("baseline_rps")
        if baseline_rps is None:
            baseline_rps = drive(args, base + "/ping")["rps"]
        writer = Writer(base, writers["sessions"], writers["slugs"], args.writes_per_second)
        writer.start()
        try:
            rows = drive_pages(args, base, readers, session=None)
        finally:
            writer.stop()
    writes = writer.summary()
    writes["members"] = len(writers["sessions"])
    writes["per_second"] = args.writes_per_second
    print(
        f"{'writes':40} {writes['writes']:9d} sent     median {writes['p50_ms']:6.1f} ms  "
        f"p95 {writes['p95_ms']:6.1f} ms  p99 {writes['p99_ms']:6.1f} ms  "
        f"failed {writes['failed']}"
    )
    if writes["first_failure"]:
        print(f"First failed write: {writes['first_failure']}")
    return {"rows": rows, "baseline_rps": baseline_rps, "writes": writes}


def run_distinct(args, context):
    """A random address of a long list on every request, with the page cache on."""
    env = dict(environment(args), BENCH_PATHS=str(args.distinct_paths))
    addresses = inside_django(env, DISTINCT_CODE)
    paths = addresses.pop("paths")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="bench-paths-") as listing:
        listing.write("\n".join(paths) + "\n")
        listing.flush()
        with serving(args, page_cache=True) as base:
            fetch(base + "/ping", times=20)
            result = drive(args, base + "/", script="distinct.lua", script_args=[listing.name])
    show("distinct addresses", result)
    if result["non_2xx"]:
        print(f"Warning: {result['non_2xx']} answers were not 2xx: some paths are not valid.")
    return {"result": result, "paths": len(paths), **addresses}


RUNNERS = {"cached": run_cached, "afresh": run_afresh, "mixed": run_mixed, "distinct": run_distinct}


# --- Reporting ---------------------------------------------------------------------------------


def met(ok):
    return "met" if ok else "missed"


def page_target(run, row, baseline_rps):
    """What a page of the cached or afresh run must reach, and whether it did ("" for none)."""
    if row["name"].startswith("baseline"):
        return ""
    if run == "cached" and row["reader"]:
        return f"≥ {READER_TARGET:.1f}× baseline {met(row['rps'] >= READER_TARGET * baseline_rps)}"
    median, p95 = MEDIAN_TARGET_MS, P95_TARGET_MS
    if run == "afresh" and "search" in row["name"]:
        median, p95 = SEARCH_MEDIAN_TARGET_MS, SEARCH_P95_TARGET_MS
    ok = row["p50_ms"] < median and row["p95_ms"] < p95
    return f"median < {median}, p95 < {p95} {met(ok)}"


def pages_table(run, result):
    baseline_rps = result["baseline_rps"]
    lines = [
        "| page | req/s | median ms | p95 ms | SQL (cold / warm) | × baseline | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['name']} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries'][0]} / {row['queries'][1]} | {row['rps'] / baseline_rps:.2f} "
            f"| {page_target(run, row, baseline_rps)} |"
        )
    return "\n".join(lines)


def mixed_table(result):
    baseline_rps, writes = result["baseline_rps"], result["writes"]
    lines = [
        f"Baseline: {baseline_rps:,.0f} req/s.",
        "",
        "| page | req/s | median ms | p95 ms | p99 ms | × baseline | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["rows"]:
        ratio = row["rps"] / baseline_rps
        ok = ratio >= MIXED_READER_TARGET and row["p99_ms"] < MIXED_P99_TARGET_MS
        lines.append(
            f"| {row['name']} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {ratio:.2f} | ≥ {MIXED_READER_TARGET:.1f}× baseline, "
            f"p99 < {MIXED_P99_TARGET_MS} {met(ok)} |"
        )
    ok = writes["p50_ms"] < WRITE_MEDIAN_TARGET_MS and not writes["failed"]
    lines += [
        "",
        "| writes | sent | median ms | p95 ms | p99 ms | failed | target |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| {writes['comments']:,} comments and {writes['endorsements']:,} endorsement toggles "
        f"by {writes['members']} members | {writes['writes']:,} | {writes['p50_ms']:.1f} "
        f"| {writes['p95_ms']:.1f} | {writes['p99_ms']:.1f} | {writes['failed']:,} "
        f"| median < {WRITE_MEDIAN_TARGET_MS}, none failed {met(ok)} |",
    ]
    failure = writes["first_failure"]
    if failure:
        lines += [
            "",
            f"First failed write: a {failure['kind']} answered {failure['status']} "
            f"(expected {failure['expected']}): `{failure['body'].replace('`', '')}`",
        ]
    return "\n".join(lines)


def distinct_table(result):
    row = result["result"]
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in result["kinds"].items())
    median, p95 = DISTINCT_MEDIAN_TARGET_MS, DISTINCT_P95_TARGET_MS
    ok = row["p50_ms"] < median and row["p95_ms"] < p95 and not row["non_2xx"]
    return "\n".join(
        [
            f"The list: {result['paths']:,} paths ({kinds}), {result['distinct']:,} of them "
            f"different; searches for {result['words']:,} words of titles, {result['themes']} "
            f"themes, {result['library_pages']:,} pages of the library listing.",
            "",
            "| addresses | requests | req/s | median ms | p95 ms | p99 ms | non-2xx | target |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            f"| a random path of the list per request | {row['requests']:,} | {row['rps']:,.0f} "
            f"| {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['non_2xx']:,} | median < {median}, p95 < {p95}, all 2xx {met(ok)} |",
        ]
    )


def chart(rows, baseline_rps, path):
    """A horizontal bar chart of throughput against the baseline, as plain SVG."""
    bar, gap, left, width = 22, 10, 260, 420
    height = len(rows) * (bar + gap) + 60
    top = max(row["rps"] for row in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        'font-family="sans-serif" font-size="13">',
        f'<rect width="100%" height="100%" fill="#ffffff"/><text x="10" y="20" font-size="15" '
        f'font-weight="bold">Requests per second at {rows[0]["connections"]} connections</text>',
    ]
    half = left + width * (READER_TARGET * baseline_rps) / top
    for index, row in enumerate(rows):
        y = 40 + index * (bar + gap)
        length = width * row["rps"] / top
        colour = (
            "#0b5560" if row["reader"] else "#6b7280" if row["name"].startswith("b") else "#b45309"
        )
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{row["name"]}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>'
        )
        parts.append(f'<text x="{left + length + 6:.1f}" y="{y + 15}">{row["rps"]:,.0f}</text>')
    parts.append(
        f'<line x1="{half:.1f}" y1="30" x2="{half:.1f}" y2="{height - 10}" stroke="#111" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{half + 4:.1f}" y="{height - 14}">half the baseline</text></svg>'
    )
    path.write_text("\n".join(parts) + "\n")


def configuration(args, run, counts):
    """The sentence that opens each run's block: what ran, on what, how."""
    load = {
        "cached": f"wrk with {args.connections} connections for {args.duration} s per page",
        "afresh": f"wrk with {args.connections} connections for {args.duration} s per page",
        "mixed": f"wrk with {args.connections} connections for {args.duration} s per page while "
        f"members write {args.writes_per_second:g} times a second",
        "distinct": f"wrk with {args.connections} connections for {args.duration} s",
    }[run]
    cache = "page cache off (PAGE_CACHE=false)" if run == "afresh" else "page cache on"
    return (
        f"{counts['sources']:,} sources, {counts['comments']:,} comments, "
        f"{counts['endorsements']:,} endorsements, {counts['members']:,} members; gunicorn with "
        f"{args.workers} sync workers, {cache}, pages in their own Redis "
        f"({' '.join(PAGES_REDIS).replace('--', '')}); {load}, from 127.0.0.1."
    )


def block(args, run, result, context):
    """The Markdown that goes between the run's marks."""
    lines = [
        f"Run on {context['date']} with `{context['command']}`: "
        + configuration(args, run, context["setup"]["counts"]),
        "",
    ]
    if run in ("cached", "afresh"):
        lines += [pages_table(run, result), "", f"![Throughput per page]({CHARTS[run]})"]
    elif run == "mixed":
        lines.append(mixed_table(result))
    else:
        lines.append(distinct_table(result))
    return "\n".join(lines)


def replace_block(text, run, content):
    mark_start, mark_end = MARKS[run]
    if mark_start not in text:
        text += f"\n{mark_start}\n{mark_end}\n"
    before, _, rest = text.partition(mark_start)
    _, _, after = rest.partition(mark_end)
    return before + mark_start + "\n" + content + "\n" + mark_end + after


def json_path(args, run):
    out = Path(args.out)
    if out.resolve() == DEFAULT_OUT:
        return ROOT / "bench" / f"latest-{run}.json"
    return out.with_name(f"{out.stem}-latest-{run}.json")


def write_results(args, results, context):
    out = Path(args.out)
    text = out.read_text() if out.exists() else "# Performance\n"
    runs = ", ".join(results)
    text = replace_block(
        text,
        "command",
        f"The {runs} results below come from one run of `{context['command']}`, "
        f"started on {context['date']}.",
    )
    for run, result in results.items():
        text = replace_block(text, run, block(args, run, result, context))
        if run in CHARTS:
            chart(result["rows"], result["baseline_rps"], out.with_name(CHARTS[run]))
    out.write_text(text)


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: install Debian's wrk package")
    context = {
        "command": shlex.join(["python", "bench/run.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
    print(f"Benchmark: {context['command']} (runs: {', '.join(args.runs)})")
    results = {}
    with pages_redis(args):
        env = environment(args)
        prepare_database(args, env)
        manage(env, "collectstatic", "--no-input", "-v", "0")
        subprocess.run(["redis-cli", "-n", args.redis.rsplit("/", 1)[-1], "flushdb"], check=False)
        context["setup"] = inside_django(env, PAGES_CODE)
        for run in args.runs:
            print(f"\n== {run} run ==")
            results[run] = RUNNERS[run](args, context)
            json_path(args, run).write_text(json.dumps(results[run], indent=2) + "\n")
    write_results(args, results, context)
    print(f"\nBenchmark: {context['command']}\n")
    for run, result in results.items():
        print(f"== {run} ==\n{block(args, run, result, context)}\n")


if __name__ == "__main__":
    main()
