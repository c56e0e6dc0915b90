"""The work each page does, counted in process on the benchmark's database.

    .venv/bin/python bench/page_work.py                  # the pages, rendered again
    .venv/bin/python bench/page_work.py --after-writes   # the next read after a write
    .venv/bin/python bench/page_work.py --first-visits   # pages read for the first time

For each page of the benchmark, rendered afresh (page cache off) with its parts kept: the
Python calls of one request (cProfile's count), its SQL queries and its commands to Redis, and
the best mean time of two rounds of 60 requests. The counts do not move with the machine's
speed; the milliseconds do.

With --after-writes, the page cache is on, as in production: members post comments and toggle
endorsements on random approved sources through the test client, and after each write a reader
reads each page; prints the median and the longest of those next reads.

With --first-visits, the page cache is on too: 200 addresses made as the distinct run makes
them (bench/distinct_addresses.py, from --seed), each read once in that order, most for the
first time; prints the median time of each kind and where the time went (cProfile, the
project's own functions by cumulative time).

Run it after bench/run.py, which leaves the database `qlibrary_bench`, with Redis for the
pages as the benchmark has it (PAGE_CACHE_REDIS_URL; without it the pages' cache is a database
table and every round trip a query). The writes are real: the demo data gains comments and
endorsements.
"""

import argparse
import cProfile
import pstats
import random
import statistics
import time
from pathlib import Path

from distinct_addresses import distinct_addresses
from profile_page import setup_django
from run import pages as benchmark_pages

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after-writes", action="store_true", help="next reads after writes")
    parser.add_argument("--writes", type=int, default=30, help="writes of each kind")
    parser.add_argument("--first-visits", action="store_true", help="pages read the first time")
    parser.add_argument("--seed", type=int, default=7, help="picks the first visits' addresses")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/qlibrary_bench")
    args = parser.parse_args()

    setup_django(
        args.database,
        page_cache=args.after_writes or args.first_visits,
        # Members write faster here than the limit on comments allows a person.
        COMMENTS_PER_10_MINUTES="1000000",
    )
    if args.after_writes:
        after_writes(args.writes)
    elif args.first_visits:
        first_visits(args.seed)
    else:
        pages()


def members(count):
    """Test clients signed in as `count` verified members, each with their session warm."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.test import Client

    ids = EmailAddress.objects.filter(verified=True).values_list("user", flat=True)
    clients = []
    for member in get_user_model().objects.filter(pk__in=list(ids[:count])):
        client = Client()
        client.force_login(member)
        client.get("/ping")
        client.member = member
        clients.append(client)
    return clients


def pages():
    import redis.client
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sources.models import Source, Theme

    commands = [0]  # what is sent to Redis: each command, or a pipeline of them at once
    sending = ((redis.client.Redis, "execute_command"), (redis.client.Pipeline, "execute"))
    for cls, method in sending:
        original = getattr(cls, method)

        def counting(self, *args, _original=original, **kwargs):
            commands[0] += 1
            return _original(self, *args, **kwargs)

        setattr(cls, method, counting)

    theme = Theme.objects.order_by("display_order").first()
    source = Source.objects.approved().order_by("-comment_count").first()
    setup = {
        "theme": theme.get_absolute_url(),
        "source": source.get_absolute_url(),
        "source_comments": source.comment_count,
    }
    reader, member = Client(), members(1)[0]
    print("page\tcalls\tqueries\tround trips\tms")
    for name, page in benchmark_pages(setup).items():  # the benchmark's, in its order
        path = page["path"]
        client = member if page["member"] else reader
        for _ in range(3):  # its parts kept, in this process too
            client.get(path)
        commands[0] = 0
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as queries:
            profiler.enable()
            response = client.get(path)
            profiler.disable()
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        work = (pstats.Stats(profiler).total_calls, len(queries.captured_queries), commands[0])
        best = min(timed(client, path, 60) for _ in range(2))
        print(name, *work, f"{best:.2f}", sep="\t")


def timed(client, path, times):
    start = time.perf_counter()
    for _ in range(times):
        client.get(path)
    return (time.perf_counter() - start) / times * 1000


def after_writes(writes):
    from django.test import Client

    from sources.models import Endorsement, Source, Theme

    theme = Theme.objects.order_by("display_order", "pk").first().get_absolute_url()
    to_read = ["/", theme, "/sources/", "/map/", "/map/?by=kind"]
    slugs = list(Source.objects.approved().values_list("slug", flat=True))
    writers = members(writes)
    rng = random.Random()  # noqa: S311 - picks sources, no secret
    reader = Client()
    for kind in ("endorsement", "comment"):
        for path in to_read:
            reader.get(path)
        times = {path: [] for path in to_read}
        for index, writer in enumerate(writers):
            slug = rng.choice(slugs)
            if kind == "comment":
                url, data = f"/sources/{slug}/comments/", {"body": f"Next read {index}."}
                expected = 302
            else:
                endorsed = Endorsement.objects.filter(source__slug=slug, member=writer.member)
                url, data = f"/sources/{slug}/endorse/", {"endorse": "0" if endorsed else "1"}
                expected = 200
            answer = writer.post(url, data, headers={"accept": "application/json"})
            if answer.status_code != expected:
                raise SystemExit(f"a {kind} on {slug} answered {answer.status_code}")
            for path in to_read:
                times[path].append(timed(reader, path, 1))
        print(f"after {writes} {kind}s: the next read, median and longest (ms)")
        for path, taken in times.items():
            print(f"  {path:45} {statistics.median(taken):7.1f} {max(taken):7.1f}")


def first_visits(seed):
    import io

    from django.test import Client

    addresses, _ = distinct_addresses(200, seed)
    reader = Client()
    reader.get("/")  # the process warm
    times = {}
    profiler = cProfile.Profile()
    for kind, path in addresses:
        start = time.perf_counter()
        profiler.enable()
        response = reader.get(path)
        profiler.disable()
        times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    print("first visits: median ms (the profiler's overhead included)")
    for kind, taken in times.items():
        print(f"  {kind:14} {len(taken):4} {statistics.median(taken):7.1f}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(rf"{ROOT}/(sources|comments|qlibrary)/", 25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
