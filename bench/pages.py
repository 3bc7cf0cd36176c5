"""Page latency and queries per page, on a small community and on a large one, in one run.

    .venv/bin/python bench/pages.py                       # SQLite file, scale 0.05
    .venv/bin/python bench/pages.py --scale 1 \\
        --database postgres://postgres@127.0.0.1:5432/soglasie_bench

Scale 1 is the design's target data (docs/performance.md): 1,000,000 members and acceptances,
100 agreements x 50 versions, 10,000 amendments, 200,000 comments, 50,000 news items. The small
community (the demo) is the baseline: the ratio large/small shows whether a page's cost grows
with the data. It also compares keyset pagination of the news with OFFSET pagination at the
same depth. The database given is dropped and recreated: never point it at real data.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import (  # noqa: E402 (the project's root is on the path only now)
    bench_database_name,
    configure,
    fresh_database,
    grow,
    page_paths,
)


def measure(client, path, repeats):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches, as a real server would be
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": len(queries),
    }


def news_pagination(repeats):
    """Keyset page at the end of the news against OFFSET at the same depth."""
    from django.test import Client

    from news.models import NewsItem
    from news.selectors import PAGE_SIZE, make_cursor

    total = NewsItem.objects.count()
    depth = max(total - PAGE_SIZE - 1, 0)
    anchor = NewsItem.objects.order_by("-published_at", "-id")[depth]
    client = Client()
    keyset = measure(client, f"/news/?before={make_cursor(anchor, 'published_at')}", repeats)

    def offset_page():
        return list(NewsItem.objects.order_by("-published_at", "-id")[depth : depth + PAGE_SIZE])

    offset_page()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        offset_page()
        timings.append((time.perf_counter() - start) * 1000)
    keyset_query = []
    for _ in range(repeats):
        start = time.perf_counter()
        list(
            NewsItem.objects.filter(published_at__lt=anchor.published_at).order_by(
                "-published_at", "-id"
            )[:PAGE_SIZE]
        )
        keyset_query.append((time.perf_counter() - start) * 1000)
    return total, depth, keyset, statistics.median(keyset_query), statistics.median(timings)


def report(title, small, large):
    print(f"\n{title}")
    print(f"{'page':<12} {'small p50':>10} {'large p50':>10} {'large p95':>10} {'ratio':>6} "
          f"{'queries':>9}")  # fmt: skip
    for name in small:
        s, b = small[name], large[name]
        queries = f"{s['queries']}→{b['queries']}"
        print(f"{name:<12} {s['p50']:>8.1f}ms {b['p50']:>8.1f}ms {b['p95']:>8.1f}ms "
              f"{b['p50'] / s['p50']:>6.2f} {queries:>9}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    if not args.database.startswith("sqlite:///"):
        bench_database_name(args.database)  # refuses any database not named for the bench
    fresh_database(args.database)
    configure(args.database)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    client = Client()
    paths = page_paths()
    small = {name: measure(client, path, args.repeats) for name, path in paths.items()}
    grow(args.scale)
    paths = page_paths()
    large = {name: measure(client, path, args.repeats) for name, path in paths.items()}
    report(
        f"Pages, demo community → scale {args.scale} ({args.database.split(':')[0]})", small, large
    )

    total, depth, keyset, keyset_query, offset = news_pagination(args.repeats)
    print(f"\nNews pagination at depth {depth:,} of {total:,} items:")
    print(f"  /news/?before=… (keyset, whole page)  p50 {keyset['p50']:.1f} ms, "
          f"{keyset['queries']} queries")  # fmt: skip
    print(f"  keyset query alone                    p50 {keyset_query:.2f} ms")
    print(f"  OFFSET query at the same depth        p50 {offset:.2f} ms "
          f"(ratio OFFSET/keyset {offset / keyset_query:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
