"""Benchmark Q Library as production runs it, and write the results into docs/performance.md.

    .venv/bin/python bench/run.py                 # full size: 10k sources, 100k comments
    .venv/bin/python bench/run.py --scale 0.1     # a tenth of that, for a quick look
    .venv/bin/python bench/run.py --reuse         # keep the data of the last run

It fills a PostgreSQL database (qlibrary_bench) with the starter library and generated data,
starts gunicorn with settings from the environment (DEBUG off, Redis as the shared cache), warms
it, then drives each page with wrk from the loopback address for a bounded time at 8 connections.
Nothing here leaves this machine.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MARKS = {
    "cached": ("<!-- bench:start -->", "<!-- bench:end -->"),
    "raw": ("<!-- bench-raw:start -->", "<!-- bench-raw:end -->"),
}
READER_TARGET = 0.5  # readers' pages: at least half the baseline's throughput
MEDIAN_TARGET_MS = 25
P95_TARGET_MS = 60


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
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every page afresh (PAGE_CACHE=false), to measure the pages themselves",
    )
    return parser.parse_args()


def environment(args):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.postgres}/{args.database}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=args.redis,
        LOG_LEVEL="WARNING",
        PAGE_CACHE="false" if args.no_page_cache else "true",
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


def inside_django(env, code):
    """Run a snippet with Django set up on the benchmark's settings; return its JSON output."""
    script = (
        "import django, json, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'qlibrary.settings')\n"
        "django.setup()\n" + code
    )
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
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
print(json.dumps({
    "theme": theme.get_absolute_url(),
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
    }


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


def fetch(url, session=None, times=1):
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    for _ in range(times):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            response.read()


def drive(args, url, session=None):
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--script",
        str(ROOT / "bench" / "report.lua"),
        url,
    ]
    if session:
        command[1:1] = ["--header", f"Cookie: sessionid={session}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def verdict(row, baseline_rps):
    if row["reader"]:
        ok = row["rps"] >= READER_TARGET * baseline_rps
        return "met" if ok else "missed"
    if row["name"].startswith("baseline"):
        return ""
    ok = row["p50_ms"] < MEDIAN_TARGET_MS and row["p95_ms"] < P95_TARGET_MS
    return "met" if ok else "missed"


def table(rows, baseline_rps):
    lines = [
        "| page | req/s | median ms | p95 ms | SQL (cold / warm) | × baseline | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        target = (
            f"≥ {READER_TARGET:.1f}× baseline"
            if row["reader"]
            else ""
            if row["name"].startswith("baseline")
            else f"median < {MEDIAN_TARGET_MS}, p95 < {P95_TARGET_MS}"
        )
        lines.append(
            f"| {row['name']} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries'][0]} / {row['queries'][1]} | {row['rps'] / baseline_rps:.2f} "
            f"| {target} {verdict(row, baseline_rps)} |"
        )
    return "\n".join(lines)


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


def write_results(args, rows, baseline_rps, setup, command):
    out = Path(args.out)
    kind = "raw" if args.no_page_cache else "cached"
    mark_start, mark_end = MARKS[kind]
    chart_name = f"performance-chart{'-raw' if args.no_page_cache else ''}.svg"
    chart(rows, baseline_rps, out.with_name(chart_name))
    counts = setup["counts"]
    block = "\n".join(
        [
            mark_start,
            f"Run on {time.strftime('%Y-%m-%d %H:%M %Z')} with `{command}`: "
            f"{counts['sources']:,} sources, {counts['comments']:,} comments, "
            f"{counts['endorsements']:,} endorsements, {counts['members']:,} members; gunicorn "
            f"with {args.workers} sync workers, wrk with {args.connections} connections for "
            f"{args.duration} s per page, from 127.0.0.1.",
            "",
            table(rows, baseline_rps),
            "",
            f"![Throughput per page]({chart_name})",
            mark_end,
        ]
    )
    text = out.read_text() if out.exists() else "# Performance\n"
    if mark_start not in text:
        text += f"\n{mark_start}\n{mark_end}\n"
    before, _, rest = text.partition(mark_start)
    _, _, after = rest.partition(mark_end)
    out.write_text(before + block + after)
    (ROOT / "bench" / f"latest-{kind}.json").write_text(json.dumps(rows, indent=2) + "\n")


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: install Debian's wrk package")
    env = environment(args)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    prepare_database(args, env)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    subprocess.run(["redis-cli", "-n", args.redis.rsplit("/", 1)[-1], "flushdb"], check=False)
    setup = inside_django(env, PAGES_CODE)
    to_drive = pages(setup)
    env_queries = dict(env, BENCH_PAGES=json.dumps(to_drive), BENCH_SESSION=setup["session"])
    queries = inside_django(env_queries, QUERIES_CODE)
    server = start_gunicorn(args, env)
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        for page in to_drive.values():  # warm every worker's connections and the cache
            fetch(base + page["path"], setup["session"] if page["member"] else None, times=20)
        for name, page in to_drive.items():
            session = setup["session"] if page["member"] else None
            result = drive(args, base + page["path"], session)
            row = {"name": name, **page, **result, "queries": queries[name]}
            row["connections"] = args.connections
            rows.append(row)
            print(
                f"{name:40} {result['rps']:9.1f} req/s  median {result['p50_ms']:6.1f} ms  "
                f"p95 {result['p95_ms']:6.1f} ms  non-2xx {result['non_2xx']}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline_rps = rows[0]["rps"]
    write_results(args, rows, baseline_rps, setup, command)
    print()
    print(table(rows, baseline_rps))


if __name__ == "__main__":
    main()
