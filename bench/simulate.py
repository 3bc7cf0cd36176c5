"""A longer simulated life of a community, through the real pages, every invariant checked.

    .venv/bin/python bench/simulate.py                    # 2,000 acts, a random seed, SQLite
    .venv/bin/python bench/simulate.py --acts 5000 --seed 42 \\
        --database postgres://postgres@127.0.0.1:5432/soglasie_simulate

The same driver as tests/simulation (which CI runs with fixed seeds), at a scale too slow for
the suite. It prints the seed first, so a failure can be replayed exactly, then what happened
and how long it took. The database given is dropped and recreated: never point it at real data.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime

from pages import ROOT, configure, fresh_database

sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'bench-simulate.sqlite3'}")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    print(f"seed {seed}, {args.acts} acts, {args.database}", flush=True)

    fresh_database(args.database)
    configure(args.database)
    import time_machine
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from tests.factories import found_test_community
    from tests.simulation.world import Simulation

    setup_test_environment()  # the test client's host, in-memory email
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False) as traveller:
        found_test_community()
        simulation = Simulation(seed=seed, traveller=traveller, acts=args.acts)
        tally = simulation.run()
        from django.utils import timezone

        end = timezone.now()
    seconds = time.perf_counter() - started
    print(f"simulated until {end:%Y-%m-%d}; {seconds:.0f} s, {args.acts / seconds:.1f} acts/s")
    for act, count in sorted(tally.items(), key=lambda item: -item[1]):
        print(f"  {act:<18} {count}")
    from django.db.models import Count

    from agreements.models import Agreement, Amendment, Procedure
    from members.models import User

    phases = dict(Amendment.objects.values_list("phase").annotate(n=Count("id")))
    print(f"amendments by phase: {phases}")
    versions = sum(Agreement.objects.values_list("version", flat=True))
    print(f"agreements: {Agreement.objects.count()}, versions: {versions}, "
          f"procedure version {Procedure.current().version}, "
          f"members: {User.objects.members().count()}")  # fmt: skip
    print(f"every invariant held after each of the {args.acts} acts (seed {seed})")


if __name__ == "__main__":
    main()
