"""Profile one page rendered afresh, in process, against the benchmark's database.

    .venv/bin/python bench/profile_page.py /sources/                # a reader's page
    .venv/bin/python bench/profile_page.py /proposals/ --member     # signed in
    .venv/bin/python bench/profile_page.py /sources/?q=care --top 40

Prints the mean time a request takes, the share spent waiting for SQL, and the functions that
cost most (cProfile, sorted by their own time and by cumulative time). The page cache is off,
so what is measured is the page itself; fragment caches stay as they are (warm after one request).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--member", action="store_true", help="signed in as a verified member")
    parser.add_argument("--times", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--time-only", action="store_true", help="no profile: the time alone")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/qlibrary_bench")
    args = parser.parse_args()

    setup_django(args.database, page_cache=False)
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    if args.member:
        member = EmailAddress.objects.filter(verified=True).values_list("user", flat=True)[0]
        client.force_login(get_user_model().objects.get(pk=member))
    response = client.get(args.path)  # warm imports, templates and fragment caches
    if response.status_code != 200:
        raise SystemExit(f"{args.path} answered {response.status_code}")

    sql = []

    def timed(execute, query, params, many, context):
        start = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(time.perf_counter() - start)

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        start = time.perf_counter()
        if not args.time_only:
            profiler.enable()
        for _ in range(args.times):
            client.get(args.path)
        profiler.disable()
        elapsed = time.perf_counter() - start
    per_request = elapsed / args.times * 1000
    print(
        f"{args.path}: {per_request:.1f} ms a request ({len(response.content) / 1024:.0f} KB), "
        f"{len(sql) / args.times:.0f} queries, SQL {sum(sql) / args.times * 1000:.1f} ms "
        + ("" if args.time_only else " (times include the profiler's overhead)")
    )
    if args.time_only:
        return
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


def setup_django(database, *, page_cache, **settings):
    """Django on the benchmark's database as production runs it (the test client's host
    allowed), with the page cache on or off; `settings` are more environment variables."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="qlibrary.settings",
        DATABASE_URL=database,
        DEBUG="false",
        PAGE_CACHE="true" if page_cache else "false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        **settings,
    )
    os.environ.setdefault("SECRET_KEY", "profile-only")
    import django

    django.setup()


if __name__ == "__main__":
    main()
