"""Load on a running site at 127.0.0.1: pages through wrk, writes through client processes.

Importable without Django: give it a base URL (bench/run's own gunicorn, or a site someone
else started, such as a cluster behind nginx) and paths. Every load run is bounded in time and
in requests, every process started here is in `STARTED` and `stop_all()` ends it, and any URL
that is not on 127.0.0.1 is refused.
"""

import contextlib
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
FLOOR_PATH = "/__bench__/floor/"
LOOPBACK = "127.0.0.1"

# Processes started by this module (Popen objects and multiprocessing children), so that an
# error, Ctrl+C or SIGTERM in the caller can end every one of them.
STARTED = []


class BadTarget(Exception):
    pass


def loopback_base(url):
    """`url` as scheme://127.0.0.1:port, or BadTarget: all load goes to this machine only."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != LOOPBACK or parts.path not in ("", "/"):
        raise BadTarget(f"refusing target {url!r}: the bench loads only http://{LOOPBACK}:PORT")
    return f"http://{LOOPBACK}:{parts.port or 80}"


def wrk_path():
    return shutil.which("wrk")


def stop_all():
    """End every process started here, whole process groups first, then stragglers."""
    for process in reversed(STARTED):
        if isinstance(process, subprocess.Popen):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        elif process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 10
    for process in reversed(STARTED):
        remaining = max(deadline - time.monotonic(), 0.1)
        if isinstance(process, subprocess.Popen):
            try:
                process.wait(remaining)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        else:
            process.join(remaining)
            if process.is_alive():
                process.kill()
                process.join()


def start(command, **kwargs):
    """A process in its own process group (so stop_all() reaches its children too)."""
    process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
    STARTED.append(process)
    return process


# -- pages, through wrk ------------------------------------------------------------------------


def wrk(base, path, *, duration, connections, cookie="", request_cap=100_000):
    """One wrk run on `path`: `duration` seconds or `request_cap` requests, whichever comes
    first. Returns requests/s and latency percentiles in ms; counts non-200 answers."""
    threads = 1  # one wrk thread drives 8 connections easily, and leaves the cores to the site
    env = {
        **os.environ,
        "BENCH_COOKIE": cookie,
        "BENCH_THREAD_REQUEST_CAP": str(max(request_cap // threads, 1)),
    }
    command = [
        wrk_path(), f"--threads={threads}", f"--connections={connections}",
        f"--duration={int(duration)}s", "--timeout=5s", f"--script={WRK_SCRIPT}",
        f"{base}{path}",
    ]  # fmt: skip
    process = start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, err = process.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise RuntimeError(f"wrk on {path} did not end in time") from None
    finally:
        STARTED.remove(process)
    line = next((row for row in out.splitlines() if row.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk on {path} failed ({process.returncode}): {err or out}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "rps": figures["requests"] / seconds if seconds else 0.0,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "not_200": figures["not_200"],
        "socket_errors": figures["socket_errors"] + figures["timeouts"],
        "bytes_per_request": figures["bytes"] / max(figures["requests"], 1),
    }


def measure_pages(base, pages, *, cookies, rounds, duration, connections, floor_every=1, log=print):
    """Interleaved rounds: in each round every page (in each variant: anonymous, member…) is
    followed by a floor run after every `floor_every` pages. A page's figures are medians over
    its rounds, and its cost is the median floor rate of the runs next to it divided by its
    own median rate: floor and page met the same machine at the same moments.

    `pages` maps names to paths; `cookies` maps variant names to Cookie headers ("" for an
    anonymous visitor). Returns the floor's and every page's figures.
    """
    runs = {(variant, name): [] for variant in cookies for name in pages}
    neighbour_floors = {key: [] for key in runs}
    floors = []
    for round_number in range(1, rounds + 1):
        pending = []
        order = list(runs)
        for index, key in enumerate(order, start=1):
            variant, name = key
            figures = wrk(
                base, pages[name], duration=duration, connections=connections,
                cookie=cookies[variant],
            )  # fmt: skip
            runs[key].append(figures)
            pending.append(key)
            log(
                f"  round {round_number}/{rounds} {variant:>9} {name:<12} "
                f"{figures['rps']:8.1f} req/s  p99 {figures['p99_ms']:6.1f} ms"
            )
            if index % floor_every == 0 or index == len(order):
                floor = wrk(base, FLOOR_PATH, duration=duration, connections=connections)
                floors.append(floor)
                for done in pending:
                    neighbour_floors[done].append(floor["rps"])
                pending = []
                log(f"  round {round_number}/{rounds} {'floor':>22} {floor['rps']:8.1f} req/s")

    def summary(samples):
        return {
            "rps": statistics.median(s["rps"] for s in samples),
            "p50_ms": statistics.median(s["p50_ms"] for s in samples),
            "p95_ms": statistics.median(s["p95_ms"] for s in samples),
            "p99_ms": statistics.median(s["p99_ms"] for s in samples),
            "requests": sum(s["requests"] for s in samples),
            "not_200": sum(s["not_200"] for s in samples),
            "socket_errors": sum(s["socket_errors"] for s in samples),
            "bytes_per_request": statistics.median(s["bytes_per_request"] for s in samples),
            "rounds": [round(s["rps"], 1) for s in samples],
        }

    results = []
    for (variant, name), samples in runs.items():
        figures = summary(samples)
        floor_rps = statistics.median(neighbour_floors[(variant, name)])
        figures.update(
            page=name,
            variant=variant,
            path=pages[name],
            floor_rps=floor_rps,
            cost=floor_rps / figures["rps"] if figures["rps"] else None,
        )
        results.append(figures)
    return {"floor": summary(floors), "pages": results}


# -- HTTP helpers for the write clients and logging in ------------------------------------------


def request(base, method, path, *, cookies=None, form=None, timeout=30):
    """One HTTP request on a fresh connection; (status, headers, body as text, seconds)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Host": f"{parts.hostname}:{parts.port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    return response.status, response.headers, text, time.perf_counter() - started


def set_cookies(headers):
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_pair(base, path="/accounts/login/", cookies=None):
    """A CSRF cookie and a form token from a real form page, as a browser gets them."""
    status, headers, body, _ = request(base, "GET", path, cookies=cookies)
    token = TOKEN.search(body)
    cookie = set_cookies(headers).get("csrftoken") or (cookies or {}).get("csrftoken")
    if status != 200 or token is None or cookie is None:
        raise RuntimeError(f"no CSRF token on {path} (status {status})")
    return cookie, token.group(1)


def log_in(base, username, password):
    """Log in through the real login form; the cookies of the logged-in session."""
    cookie, token = csrf_pair(base)
    status, headers, _, _ = request(
        base, "POST", "/accounts/login/", cookies={"csrftoken": cookie},
        form={"csrfmiddlewaretoken": token, "username": username, "password": password},
    )  # fmt: skip
    cookies = {"csrftoken": cookie, **set_cookies(headers)}
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"logging in as {username} failed (status {status})")
    return cookies


def cookie_header(cookies):
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# -- writes, through client processes -----------------------------------------------------------


@dataclass
class Write:
    """One POST a client sends: the session it is sent in ("" for a visitor) and the form."""

    path: str
    form: dict
    session: str = ""


@dataclass
class WritePlan:
    """A write path: for each level of concurrency, one list of writes per client (its own
    accounts), as many as that client may send at most (the request cap)."""

    name: str
    levels: dict = field(default_factory=dict)  # clients -> [[Write, …] per client]


def _write_client(base, writes, deadline_seconds, ready, go, results):
    # A client of its own: one CSRF cookie and token from a real form, then its writes one
    # after another until the deadline or the end of its list. A write counts when it ends
    # in the redirect that follows every successful POST. The parent ends it on Ctrl+C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        csrf_cookie, token = csrf_pair(base)
    except Exception as error:  # reported to the parent, which fails the run
        ready.set()
        results.put({"error": str(error)})
        return
    ready.set()
    go.wait()
    started = time.perf_counter()
    deadline = started + deadline_seconds
    done, failed, latencies, statuses, last = 0, 0, [], {}, started
    for write in writes:
        if time.perf_counter() >= deadline:
            break
        cookies = {"csrftoken": csrf_cookie}
        if write.session:
            cookies["sessionid"] = write.session
        try:
            status, _, _, seconds = request(
                base, "POST", write.path, cookies=cookies,
                form={"csrfmiddlewaretoken": token, **write.form},
            )  # fmt: skip
        except OSError:
            status, seconds = "no answer", time.perf_counter() - last
        last = time.perf_counter()
        latencies.append(seconds * 1000)
        if status == 302:
            done += 1
        else:
            failed += 1
            statuses[status] = statuses.get(status, 0) + 1
    results.put(
        {"done": done, "failed": failed, "statuses": statuses, "latencies": latencies,
         "started": started, "last": last, "ran_out": done + failed == len(writes)}
    )  # fmt: skip


def run_writes(base, plan, *, duration, log=print):
    """Each level of `plan`: its clients start together, each in its own process, and write
    for `duration` seconds (or until their accounts run out). Writes/s counts the successful
    writes over the time from the start to the last answer; scaling is writes/s at N clients
    divided by writes/s at one."""
    context = multiprocessing.get_context("fork")
    levels = []
    for clients, writes_per_client in sorted(plan.levels.items()):
        ready = [context.Event() for _ in writes_per_client]
        go = context.Event()
        results = context.Queue()
        processes = [
            context.Process(
                target=_write_client, args=(base, writes, duration, flag, go, results), daemon=True
            )
            for writes, flag in zip(writes_per_client, ready, strict=True)
        ]
        for process in processes:
            process.start()
            STARTED.append(process)
        for flag in ready:
            flag.wait(30)
        go.set()
        reports = [results.get(timeout=duration + 60) for _ in processes]
        for process in processes:
            process.join(10)
            STARTED.remove(process)
            if process.is_alive():
                process.kill()
                process.join()
        errors = [r["error"] for r in reports if "error" in r]
        if errors:
            raise RuntimeError(f"{plan.name}: {errors[0]}")
        done = sum(r["done"] for r in reports)
        failed = sum(r["failed"] for r in reports)
        statuses = {}
        for report in reports:
            for status, count in report["statuses"].items():
                statuses[str(status)] = statuses.get(str(status), 0) + count
        elapsed = max(r["last"] for r in reports) - min(r["started"] for r in reports)
        latencies = sorted(x for r in reports for x in r["latencies"])
        rate = done / elapsed if elapsed > 0 else 0.0
        levels.append(
            {
                "clients": clients,
                "writes": done,
                "failed": failed,
                "failed_statuses": statuses,
                "seconds": elapsed,
                "writes_per_s": rate,
                "p50_ms": statistics.median(latencies) if latencies else None,
                "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
                # A client that used up its accounts before the time was over: the rate
                # still holds (it is over the time taken), on fewer writes.
                "capped": any(r["ran_out"] for r in reports),
            }
        )
        log(f"  {plan.name:<8} {clients} client(s): {rate:7.1f} writes/s ({done} writes, "
            f"{failed} refused)")  # fmt: skip
    base_rate = levels[0]["writes_per_s"] if levels else 0
    for level in levels:
        level["scaling"] = level["writes_per_s"] / base_rate if base_rate else None
    return {"path": plan.name, "levels": levels}
