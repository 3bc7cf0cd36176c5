"""Run functions at the same moment, each in its own thread with its own database connection."""

import threading

import pytest
from django.db import connection, connections


def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite lets one writer at a time, so the race this test provokes "
            "cannot happen there (run the suite with DATABASE_URL=postgres://..., as CI does)"
        )


def run_together(*functions):
    """Start every function at once; return (their results, the exceptions they raised)."""
    barrier = threading.Barrier(len(functions))
    results, errors = [], []

    def run(function):
        try:
            barrier.wait()
            results.append(function())
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
