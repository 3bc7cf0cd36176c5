"""Throughput under concurrency: the site under gunicorn with production settings on 127.0.0.1,
PostgreSQL with the grown community, wrk at fixed concurrency; each key page (anonymous and
logged in) against the floor, in interleaved rounds; the write paths at 1, 2, 4 and 8 clients.

    bench/run                         # scale 0.1 (100,000 members), 3 rounds of 5 s, 8 connections
    bench/run --reuse                 # keep the database if it already holds that scale
    bench/run --quick                 # a smoke test: tiny scale, 1 round of 1 s
    bench/run --target http://127.0.0.1:8080 --reuse   # a site already running (same database)

See docs/performance.md for the method. Prints a table and writes bench/results/<time>.json.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import data, load  # noqa: E402 (the project's root is on the path only now)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/soglasie_bench"
# The pages the issue names; `--pages all` adds every other page bench/pages.py knows.
KEY_PAGES = [
    "home", "agreement", "version", "diff", "history", "amendment", "amendments", "news",
    "news deep", "community", "profile", "members", "news feed", "search",
]  # fmt: skip
WRITE_PATHS = ["sign-up", "accept", "vote", "comment"]
EXIT_REFUSED = 2


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help="PostgreSQL URL; the name must start with soglasie_bench "
        "(dropped and recreated unless --reuse finds it loaded)",
    )
    parser.add_argument(
        "--scale", type=float, default=0.1, help="1 is a million members (default 0.1)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database when it already holds data of this scale",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8, help="wrk's concurrency")
    parser.add_argument("--duration", type=int, default=5, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per page")
    parser.add_argument(
        "--pages", default=",".join(KEY_PAGES), help="comma-separated page names, or 'all'"
    )
    parser.add_argument(
        "--writes", default=",".join(WRITE_PATHS), help="comma-separated write paths, or 'none'"
    )
    parser.add_argument("--levels", default="1,2,4,8", help="concurrent clients for writes")
    parser.add_argument(
        "--write-cap",
        type=int,
        default=2000,
        help="most writes per path and level (accounts are prepared for it)",
    )
    parser.add_argument(
        "--redis",
        default="",
        help="REDIS_URL for the site's cache (cleared first); default: local memory",
    )
    parser.add_argument(
        "--target",
        default="",
        help="measure a site already running at this http://127.0.0.1:PORT URL "
        "(it must serve config.bench_settings, use --database and have "
        "the SECRET_KEY of this environment)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: scale 0.001, 1 round of 1 s, 2 clients at most",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--report",
        metavar="JSON",
        help="print an earlier run's results as Markdown, and nothing else",
    )
    args = parser.parse_args(argv)
    if args.quick:
        # As many connections as workers: a queue of slow pages would outlast a 1 s run.
        args.scale, args.rounds, args.duration, args.write_cap = 0.001, 1, 1, 60
        args.levels, args.connections = "1,2", args.workers
    return args


def machine():
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(
        (int(row.split()[1]) // 1024 for row in meminfo if row.startswith("MemTotal")), None
    )
    return {"cpus": os.cpu_count(), "ram_mb": memory, "system": platform.platform(),
            "python": platform.python_version()}  # fmt: skip


def free_port():
    with socket.socket() as probe:
        probe.bind((load.LOOPBACK, 0))
        return probe.getsockname()[1]


def server_environment(args, secret_key):
    """Production settings: what docs/deploy.md sets, on loopback, plus the floor URL. The
    per-address and per-member rate limits are raised: the bench sends every sign-up from one
    address and many comments per member, and measures the writes, not their refusal."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.bench_settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": f"{load.LOOPBACK},testserver",
        "DATABASE_URL": args.database,
        "RATE_LIMIT_SIGNUPS_PER_HOUR": "1000000",
        "RATE_LIMIT_COMMENTS_PER_HOUR": "1000000",
        "LOG_LEVEL": "ERROR",
    }
    environment.pop("REDIS_URL", None)
    if args.redis:
        environment["REDIS_URL"] = args.redis
    return environment


def start_server(args, environment, log):
    python = sys.executable
    subprocess.run(  # noqa: S603
        [python, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=environment, check=True,
    )  # fmt: skip
    port = free_port()
    server = load.start(
        [python, "-m", "gunicorn", "config.wsgi", f"--bind={load.LOOPBACK}:{port}",
         f"--workers={args.workers}", "--worker-class=sync", "--timeout=60",
         "--error-logfile=-", "--log-level=warning"],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    base = f"http://{load.LOOPBACK}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if load.request(base, "GET", load.FLOOR_PATH, timeout=5)[0] == 200:
                log(f"gunicorn: {args.workers} sync workers at {base} (pid {server.pid})")
                return server, base
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def worker_memory(master_pid):
    """Resident memory (MB) of each gunicorn worker, read from /proc."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            workers[int(entry.name)] = int(fields["VmRSS"].split()[0]) / 1024
    return workers


def load_data(args, log):
    """Django set up on the bench database, loaded at the chosen scale (or reused)."""
    scale = data.loaded_scale(args.database) if args.reuse else None
    if scale is not None and abs(scale - args.scale) < 1e-9:
        log(f"reusing {args.database.rsplit('/', 1)[1]} (scale {scale})")
        data.configure(args.database, "config.bench_settings")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return
    if args.target:
        raise SystemExit("--target needs a loaded database: run once without it, then --reuse")
    log(f"loading {args.database.rsplit('/', 1)[1]} at scale {args.scale}")
    started = time.perf_counter()
    data.fresh_database(args.database)
    data.configure(args.database, "config.bench_settings")
    data.build(args.scale)
    data.mark_loaded(args.scale)
    log(f"  loaded in {time.perf_counter() - started:.0f} s")


def count_queries(paths, reader):
    """Queries of one request per page, in this process through the test client, against the
    same database (the second request: caches warm, as on the measured server)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for variant in ("anonymous", "member"):
        client = Client()
        if variant == "member":
            client.force_login(reader)
        for name, path in paths.items():
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} ({variant})")
            counts[(variant, name)] = len(queries)
    return counts


def prepare_writes(args, base, token, log):
    """Accounts and sessions for every client of every level, made in bulk, then the plans."""
    from django.db import connections

    levels = [int(n) for n in args.levels.split(",")]
    wanted = [w for w in args.writes.split(",") if w and w != "none"]
    plans = {}
    per_client = {n: max(args.write_cap // n, 1) for n in levels}

    def sessions_for(prefix, good_standing):
        sessions = {}
        for clients in levels:
            users = data.prepare_members(
                f"{token}{prefix}{clients}_", clients * per_client[clients],
                in_good_standing=good_standing,
            )  # fmt: skip
            keys = data.open_sessions(users)
            size = per_client[clients]
            sessions[clients] = [keys[i * size : (i + 1) * size] for i in range(clients)]
        return sessions

    started = time.perf_counter()
    if "sign-up" in wanted:
        plan = load.WritePlan("sign-up")
        for clients in levels:
            plan.levels[clients] = [
                [
                    load.Write(
                        "/accounts/signup/",
                        {
                            "username": f"{token}s{clients}_{client}_{n}",
                            "password1": data.BENCH_PASSWORD,
                            "password2": data.BENCH_PASSWORD,
                            "language": "en",
                            "display_name": "",
                            "email": "",
                        },
                    )  # fmt: skip
                    for n in range(per_client[clients])
                ]
                for client in range(clients)
            ]
        plans["sign-up"] = plan
    if "accept" in wanted:
        sessions = sessions_for("a", good_standing=False)
        form = join_form(base, sessions[levels[0]][0][0])
        plan = load.WritePlan("accept")
        plan.levels = {
            clients: [[load.Write("/join/", form, key) for key in keys] for keys in per]
            for clients, per in sessions.items()
        }
        plans["accept"] = plan
    if "vote" in wanted:
        amendment = data.busy_amendment()
        sessions = sessions_for("v", good_standing=True)
        path = f"{amendment.get_absolute_url()}vote/"
        plan = load.WritePlan("vote")
        plan.levels = {
            clients: [
                [load.Write(path, {"choice": "support"}, key) for key in keys] for keys in per
            ]
            for clients, per in sessions.items()
        }
        plans["vote"] = plan
    if "comment" in wanted:
        amendment = data.discussed_amendment()
        users = data.prepare_members(f"{token}c", sum(levels), in_good_standing=True)
        keys = iter(data.open_sessions(users))
        path = f"{amendment.get_absolute_url()}comments/"
        plan = load.WritePlan("comment")
        for clients in levels:
            plan.levels[clients] = []
            for client in range(clients):
                key = next(keys)  # one member per client, who writes all of its comments
                plan.levels[clients].append(
                    [
                        load.Write(
                            path,
                            {
                                "body": f"Bench comment {clients}.{client}.{n}.",
                                "paragraph": "",
                                "parent": "",
                            },
                            key,
                        )  # fmt: skip
                        for n in range(per_client[clients])
                    ]
                )
        plans["comment"] = plan
    data.recount()
    connections.close_all()  # the client processes are forked: they must not share a connection
    log(f"write accounts prepared in {time.perf_counter() - started:.0f} s")
    return [plans[name] for name in WRITE_PATHS if name in plans]


def join_form(base, session):
    """The accept form of /join/ as a person who has not joined sees it: its hidden fields."""
    import re

    status, _, body, _ = load.request(base, "GET", "/join/", cookies={"sessionid": session})
    form = re.search(r'<form method="post" class="accept-all">(.*?)</form>', body, re.S)
    if status != 200 or form is None:
        raise RuntimeError(f"/join/ shows no accept form (status {status})")
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form.group(1)):  # what a browser would send
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        sent = 'type="hidden"' in tag or ('type="checkbox"' in tag and " checked" in tag)
        if sent and name and value and name.group(1) != "csrfmiddlewaretoken":
            fields[name.group(1)] = value.group(1)
    if not any(name.startswith("v-") for name in fields):
        raise RuntimeError("/join/ lists no agreement to accept")
    return fields


def warm_up(base, pages, cookies, args, log):
    """Every page a few times in each worker (caches filled, code loaded), then, unless quick,
    a second of load on each."""
    log("warming up")
    for path in [load.FLOOR_PATH, *pages.values()]:
        for variant, cookie in cookies.items():
            for _ in range(args.workers if args.quick else 2 * args.workers + 1):
                status = load.request(base, "GET", path, cookies=dict(
                    [part.split("=", 1) for part in cookie.split("; ")] if cookie else []
                ))[0]  # fmt: skip
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} ({variant})")
            if not args.quick:
                load.wrk(base, path, duration=1, connections=args.connections, cookie=cookie)


def written_rows():
    from agreements.models import Comment, Vote
    from members.models import User

    return {
        "sign-up": User.objects.count(),
        "accept": User.objects.filter(joined_at__isnull=False).count(),
        "vote": Vote.objects.count(),
        "comment": Comment.objects.count(),
    }


def table(results):
    lines = [
        f"Floor: {results['floor']['rps']:.0f} req/s, p99 {results['floor']['p99_ms']:.1f} ms",
        "",
        f"{'page':<12} {'visitor':<9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'queries':>7} {'× floor':>8}",
    ]
    for page in results["pages"]:
        cost = f"{page['cost']:.1f}" if page["cost"] else "–"
        lines.append(
            f"{page['page']:<12} {page['variant']:<9} {page['rps']:>8.1f} {page['p50_ms']:>7.1f} "
            f"{page['p95_ms']:>7.1f} {page['p99_ms']:>7.1f} {page['queries']:>7} {cost:>8}"
        )
    if any(write["levels"] for write in results["writes"]):
        levels = next(write["levels"] for write in results["writes"] if write["levels"])
        lines += ["", f"{'write':<8} " + " ".join(
            f"{str(level['clients']) + ' client(s)':>14}" for level in levels
        )]  # fmt: skip
        for write in results["writes"]:
            lines.append(
                f"{write['path']:<8} "
                + " ".join(
                    f"{level['writes_per_s']:>7.1f}/s ×{level['scaling'] or 0:>4.2f}"
                    for level in write["levels"]
                )
                + (f"failed: {write['error'][:80]}" if "error" in write else "")
            )
    if results["worker_rss_mb"]:
        lines += ["", "gunicorn workers: " + ", ".join(
            f"{mb:.0f} MB" for mb in results["worker_rss_mb"].values()
        )]  # fmt: skip
    return "\n".join(lines)


def markdown(results):
    """The run as docs/performance.md shows it (`bench/run --report FILE` prints it again)."""
    settings, machine_ = results["settings"], results["machine"]
    floor = results["floor"]
    lines = [
        f"Run of {results['started_at'][:16].replace('T', ' ')} UTC: {machine_['cpus']} CPUs, "
        f"{machine_['ram_mb'] / 1024:.0f} GB RAM, PostgreSQL {machine_['postgresql']}, "
        f"scale {settings['scale']:g}, {settings['workers']} gunicorn sync workers, "
        f"{settings['connections']} connections, {settings['rounds']} rounds of "
        f"{settings['duration_s']} s, cache: {settings['cache']}.",
        "",
        f"Floor: {floor['rps']:.0f} req/s, p50 {floor['p50_ms']:.1f} ms, "
        f"p99 {floor['p99_ms']:.1f} ms.",
        "",
        "| page | visitor | req/s | p50 ms | p95 ms | p99 ms | queries | cost × floor |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in results["pages"]:
        cost = f"{page['cost']:.1f}" if page["cost"] else "–"
        lines.append(
            f"| {page['page']} | {page['variant']} | {page['rps']:.1f} | {page['p50_ms']:.0f} | "
            f"{page['p95_ms']:.0f} | {page['p99_ms']:.0f} | {page['queries']} | {cost} |"
        )
    if any(write["levels"] for write in results["writes"]):
        first = next(write["levels"] for write in results["writes"] if write["levels"])
        levels = [level["clients"] for level in first]
        lines += [
            "",
            "| write | " + " | ".join(f"{n} client{'s' if n > 1 else ''}" for n in levels) + " |",
            "| --- | " + " | ".join("---:" for _ in levels) + " |",
        ]
        for write in results["writes"]:
            cells = [
                f"{level['writes_per_s']:.1f}/s (×{level['scaling'] or 0:.2f})"
                for level in write["levels"]
            ]
            if "error" in write:
                cells = [f"failed: {write['error'][:80]}"]
            lines.append(f"| {write['path']} | " + " | ".join(cells) + " |")
    if results["worker_rss_mb"]:
        rss = ", ".join(f"{mb:.0f} MB" for mb in results["worker_rss_mb"].values())
        lines += ["", f"gunicorn worker memory after the run: {rss}."]
    return "\n".join(lines)


def run(args, log=print):
    """The whole bench; returns the results (also written as JSON)."""
    started_at = datetime.now(UTC)
    token = f"b{started_at:%H%M%S}{secrets.token_hex(2)}"  # new accounts' names, unique per run
    if args.target:
        # Sessions for the write paths are signed here: with the running site's key.
        secret_key = os.environ.get("SECRET_KEY")
        if not secret_key:
            raise SystemExit("bench/run --target: set SECRET_KEY to the running site's key")
    else:
        secret_key = secrets.token_urlsafe(50)
    os.environ.update(server_environment(args, secret_key))
    load_data(args, log)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection

    if args.redis:
        cache.clear()  # pages cached from an earlier load would not match the data
    paths = data.page_paths()
    names = list(paths) if args.pages == "all" else [n for n in args.pages.split(",") if n]
    unknown = [n for n in names if n not in paths]
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(unknown)} (known: {', '.join(paths)})")
    pages = {name: paths[name] for name in names}
    reader = data.prepare_members(f"{token}r", 1, in_good_standing=True)[0]
    data.recount()
    queries = count_queries(pages, reader)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]

    results = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {**machine(), "postgresql": postgres},
        "settings": {
            "scale": args.scale,
            "workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "quick": args.quick,
            "target": args.target or None,
            "cache": "redis" if args.redis else "local memory",
            "settings_module": settings.SETTINGS_MODULE,
            "debug": settings.DEBUG,
        },
        "writes": [],
        "worker_rss_mb": {},
        "processes": {"server": None, "workers": []},
    }
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    server = None
    try:
        if args.target:
            base = args.target
        else:
            server, base = start_server(args, dict(os.environ), log)
            results["processes"]["server"] = server.pid
        member = load.cookie_header(load.log_in(base, reader.username, data.BENCH_PASSWORD))
        cookies = {"anonymous": "", "member": member}
        warm_up(base, pages, cookies, args, log)
        log(f"pages: {args.rounds} interleaved round(s) of {args.duration} s at "
            f"{args.connections} connections")  # fmt: skip
        measured = load.measure_pages(
            base, pages, cookies=cookies, rounds=args.rounds, duration=args.duration,
            connections=args.connections, floor_every=len(pages) * 2 if args.quick else 1,
            log=log,
        )  # fmt: skip
        for page in measured["pages"]:
            page["queries"] = queries[(page["variant"], page["page"])]
        results.update(measured)
        path.write_text(json.dumps(results, indent=2))  # the pages are kept whatever follows
        plans = prepare_writes(args, base, token, log)
        before = written_rows()
        for plan in plans:
            try:
                write = load.run_writes(base, plan, duration=args.duration, log=log)
            except Exception as error:  # the other paths are still worth measuring
                log(f"  {plan.name}: failed: {error}")
                write = {"path": plan.name, "error": str(error), "levels": []}
            results["writes"].append(write)
        after = written_rows()
        for write in results["writes"]:
            counted = sum(level["writes"] for level in write["levels"])
            write["rows_written"] = after[write["path"]] - before[write["path"]]
            write["verified"] = "error" not in write and write["rows_written"] >= counted
        if server:
            rss = worker_memory(server.pid)
            results["worker_rss_mb"] = {str(pid): mb for pid, mb in rss.items()}
            results["processes"]["workers"] = list(rss)
    finally:
        load.stop_all()
        if "pages" in results:
            path.write_text(json.dumps(results, indent=2))
    log("")
    log(table(results))
    log(f"\nwritten to {path}")
    results["json"] = str(path)
    return results


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.report:
        print(markdown(json.loads(Path(args.report).read_text())))
        return 0
    try:
        data.bench_database_name(args.database)
        if args.target:
            args.target = load.loopback_base(args.target)
    except (data.NotABenchDatabase, load.BadTarget) as refusal:
        print(f"bench/run: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    if not load.wrk_path() and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench/run: installing wrk (apt-get install -y wrk)", flush=True)
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False,
        )  # fmt: skip
    if not load.wrk_path():
        print("bench/run: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return EXIT_REFUSED

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    began = time.monotonic()

    def log(message):
        print(f"[{time.monotonic() - began:4.0f} s] {message}" if message else "", flush=True)

    try:
        run(args, log)
    except KeyboardInterrupt:
        print("bench/run: interrupted; every process it started is stopped", file=sys.stderr)
        return 130
    finally:
        load.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
