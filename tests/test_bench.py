"""bench/run: its guards, its floor URL (bench settings only), and a smoke run of the whole bench.

The smoke run needs PostgreSQL (the test suite's own, DATABASE_URL) and wrk; without them it is
skipped, unless REQUIRE_BENCH=1 (CI's PostgreSQL step), where their absence is a failure.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run"
KEY_PAGES = [
    "home", "agreement", "version", "diff", "history", "amendment", "amendments", "news",
    "news deep", "community", "profile", "members", "news feed", "search",
]  # fmt: skip
WRITE_PATHS = ["sign-up", "accept", "vote", "comment"]


def bench(*args, timeout=30):
    return subprocess.run(  # noqa: S603
        [sys.executable, str(RUN), *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.parametrize(
    "database",
    [
        "postgres://postgres@127.0.0.1:5432/soglasie",
        "postgres://postgres@127.0.0.1:5432/postgres",
        "postgres://postgres@127.0.0.1:5432/my_soglasie_bench",
        "sqlite:////tmp/soglasie_bench.sqlite3",
    ],
)
def test_bench_refuses_a_database_that_is_not_its_own(database):
    result = bench("--database", database)

    assert result.returncode == 2
    assert "refusing database" in result.stderr or "needs PostgreSQL" in result.stderr
    assert "loading" not in result.stdout  # refused before touching anything


@pytest.mark.parametrize(
    "target", ["http://10.0.0.7:8000", "http://localhost:8000", "https://127.0.0.1:8443"]
)
def test_bench_sends_load_to_127_0_0_1_only(target):
    result = bench("--target", target)

    assert result.returncode == 2
    assert "refusing target" in result.stderr


def test_floor_exists_only_in_bench_settings(client, community, settings):
    assert client.get("/__bench__/floor/").status_code == 404

    settings.ROOT_URLCONF = "config.bench_urls"
    response = client.get("/__bench__/floor/")
    assert response.status_code == 200
    assert b"A constant response" in response.content
    # Rendered every time, never a kept page (conftest keeps pages): the cost of a bare response.
    again = client.get("/__bench__/floor/")
    assert "X-Page-Cache" not in response and "X-Page-Cache" not in again
    # The rest of the site is there too, under the same middleware.
    assert client.get("/").status_code == 200
    assert response["Content-Security-Policy"] == client.get("/")["Content-Security-Policy"]


def smoke_database():
    """The bench database for the smoke run, on the PostgreSQL server the suite uses, named
    after the suite's database so that runs in other checkouts do not meet."""
    url = os.environ.get("DATABASE_URL", "")
    missing = []
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        missing.append("PostgreSQL (DATABASE_URL)")
    if not shutil.which("wrk"):
        missing.append("wrk (apt-get install wrk)")
    if missing:
        if os.environ.get("REQUIRE_BENCH"):
            pytest.fail(f"REQUIRE_BENCH=1 but missing: {', '.join(missing)}")
        pytest.skip(f"the bench smoke run needs {', '.join(missing)}")
    base, name = url.rsplit("/", 1)
    return f"{base}/soglasie_bench_{name}"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_quick_bench_measures_every_page_and_write_and_leaves_no_process(tmp_path):
    database = smoke_database()

    result = bench(
        "--quick", "--reuse", "--database", database, "--output", str(tmp_path), timeout=300
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (output,) = tmp_path.glob("*.json")
    figures = json.loads(output.read_text())
    assert figures["settings"]["debug"] is False
    assert figures["settings"]["settings_module"] == "config.bench_settings"
    assert figures["floor"]["rps"] > 0
    measured = {(page["variant"], page["page"]): page for page in figures["pages"]}
    assert set(measured) == {(v, p) for v in ("anonymous", "member") for p in KEY_PAGES}
    for key, page in measured.items():
        assert page["rps"] > 0, key
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["p99_ms"], key
        assert page["queries"] > 0, key
        assert page["cost"] > 0, key
        assert page["not_200"] == 0, key
    assert [write["path"] for write in figures["writes"]] == WRITE_PATHS
    for write in figures["writes"]:
        assert [level["clients"] for level in write["levels"]] == [1, 2]
        assert all(level["writes_per_s"] > 0 for level in write["levels"]), write
        assert all(level["failed"] == 0 for level in write["levels"]), write
        assert write["verified"], write  # each counted write is a row in the database
    assert figures["worker_rss_mb"] and all(mb > 0 for mb in figures["worker_rss_mb"].values())
    started = [figures["processes"]["server"], *figures["processes"]["workers"]]
    assert [pid for pid in started if alive(pid)] == []
