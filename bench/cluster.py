"""Throughput through nginx with one app server and with two, reads on the replica or on the
primary: the nodes of tests/cluster/nodes.py on loopback, measured with wrk.

    .venv/bin/python bench/cluster.py                  # 3 rounds of 5 s per page and layout
    .venv/bin/python bench/cluster.py --rounds 5 --seconds 10 --workers 2

Needs what the multi-node test needs (root, PostgreSQL's server binaries, nginx, Redis) and wrk.
Four gunicorn servers run side by side (two reading from the replica, two from the primary,
each with --workers processes), behind four nginx ports, one per layout:

    one app server, reads on the replica      two app servers, reads on the replica
    one app server, reads on the primary      two app servers, reads on the primary

The layouts are measured in interleaved rounds (every layout once per round, pages in turn), so
a neighbour's load on this shared machine falls on all of them alike; each figure is the median
over the rounds. The community is the demo's (`seed_demo`), anonymous visitors, concurrency 8.
"""

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from tests.cluster.nodes import Cluster, missing_prerequisites, process_table  # noqa: E402

PAGES = ["/", "/agreements/tool-library/", "/amendments/", "/news/"]
NO_REPLICA = {"DATABASE_REPLICA_URLS": ""}
LAYOUTS = {
    # name: (app servers balanced, described)
    "one_replica": ([0], "1 app server, reads on the replica"),
    "two_replica": ([0, 1], "2 app servers, reads on the replica"),
    "one_primary": ([2], "1 app server, reads on the primary"),
    "two_primary": ([2, 3], "2 app servers, reads on the primary"),
    # As many workers as two servers have together, in one server: on one machine a second
    # server adds processes, not cores, and this layout shows how much of a gain that is.
    "one_double": ([4], "1 app server with twice the workers, reads on the replica"),
}


# --- wrk, as bench/run drives it (bench/load.py) ------------------------------------------


def measure(url, *, seconds, connections=8):
    """Requests per second and the 99th percentile latency (ms) of GET `url` under wrk."""
    parts = urlsplit(url)
    figures = load.wrk(
        load.loopback_base(f"{parts.scheme}://{parts.netloc}"),
        parts.path or "/",
        duration=seconds,
        connections=connections,
    )
    if figures["not_200"] or figures["socket_errors"]:
        raise RuntimeError(f"{url}: {figures['not_200']} answers not 200, "
                           f"{figures['socket_errors']} socket errors")  # fmt: skip
    return figures["rps"], figures["p99_ms"]


# --- the run -------------------------------------------------------------------------------


def run(*, rounds, seconds, workers, page_cache_seconds):
    cluster = Cluster(
        app_servers=5,
        # 0 (the default here): every request is rendered, so the app servers and the replica do
        # the work being compared; a kept page would cost one Redis round trip in every layout.
        env={"PAGE_CACHE_SECONDS": str(page_cache_seconds)},
        queue=False,
        app_env=[{}, {}, NO_REPLICA, NO_REPLICA, {}],
        app_workers=[workers] * 4 + [2 * workers],
        balancers={name: apps for name, (apps, _) in LAYOUTS.items()},
    )
    try:
        cluster.start(demo=True)
        cluster.wait_for_replica()
        print(f"started in {sum(cluster.timings.values()):.0f} s: {cluster.timings}", flush=True)
        for name in LAYOUTS:  # warm every process's connections and caches
            for page in PAGES:
                measure(cluster.urls[name] + page, seconds=1)
        figures = {(name, page): [] for name in LAYOUTS for page in PAGES}
        cpu_before, began = cpu_seconds(cluster), time.monotonic()
        for number in range(1, rounds + 1):
            for page in PAGES:
                for name in LAYOUTS:
                    figures[name, page].append(measure(cluster.urls[name] + page, seconds=seconds))
            print(f"round {number}/{rounds} done", flush=True)
        # A process that ended (a probe's connection) takes its CPU time with it: never below 0.
        cpu = {k: max(0.0, v - cpu_before.get(k, 0)) for k, v in cpu_seconds(cluster).items()}
        wall = time.monotonic() - began
        replica_reads = cluster.sql(
            "replica",
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ILIKE 'SELECT%'",
        )[0][0]
    finally:
        cluster.stop()
    report(figures, rounds=rounds, seconds=seconds, workers=workers)
    print(f"\nSELECT statements answered by the replica during the run: {replica_reads}")
    total = sum(cpu.values())
    print(
        f"\nCPU time used during the {wall:.0f} s of measurements: {total:.0f} s "
        f"({total / wall:.2f} of the machine's {os.cpu_count()} cores)"
    )
    for name, used in sorted(cpu.items(), key=lambda item: -item[1]):
        print(f"  {name}: {used:.0f} s ({100 * used / total:.0f} %)")


def cpu_seconds(cluster):
    """CPU time (user + system) used so far by each kind of node, and by wrk."""
    table = process_table()
    used = {}
    for name, process in cluster.processes.items():
        kind = "gunicorn" if name.startswith("app") else name
        used[kind] = used.get(kind, 0) + sum(table[pid][2] for pid in process.members(table))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["wrk"] = children.ru_utime + children.ru_stime
    return used


def report(figures, *, rounds, seconds, workers):
    print(
        f"\nThrough nginx, {workers} gunicorn workers per app server, wrk concurrency 8, "
        f"median of {rounds} rounds of {seconds} s (req/s, p99 ms):\n"
    )
    header = "| page | " + " | ".join(label for _, label in LAYOUTS.values()) + " |"
    print(header)
    print("| --- |" + " ---: |" * len(LAYOUTS))
    totals = dict.fromkeys(LAYOUTS, 0.0)
    for page in PAGES:
        cells = []
        for name in LAYOUTS:
            rps = statistics.median(r for r, _ in figures[name, page])
            p99 = statistics.median(p for _, p in figures[name, page])
            totals[name] += rps
            cells.append(f"{rps:.0f} req/s, p99 {p99:.0f} ms")
        print(f"| `{page}` | " + " | ".join(cells) + " |")
    print("| all pages (sum of req/s) | " + " | ".join(f"{totals[n]:.0f}" for n in LAYOUTS) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=0,
        help="PAGE_CACHE_SECONDS of the app servers (0: every page rendered)",
    )
    args = parser.parse_args()
    missing = missing_prerequisites() + ([] if shutil.which("wrk") else ["no wrk"])
    if missing:
        sys.exit("bench/cluster.py needs: " + "; ".join(missing))
    run(
        rounds=args.rounds,
        seconds=args.seconds,
        workers=args.workers,
        page_cache_seconds=args.page_cache_seconds,
    )


if __name__ == "__main__":
    main()
