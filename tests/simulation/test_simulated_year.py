"""A community keeps governing itself through change: a simulated stretch of its life, through
the real pages, with every invariant checked after every act (tests/simulation/world.py).

CI runs three fixed seeds on SQLite and the first on PostgreSQL; `bench/simulate.py` runs longer
stories with a random seed.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from tests.factories import found_test_community
from tests.simulation.world import Simulation

SEEDS = [20261127, 7, 1984]
ACTS = 300
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def long_sessions(settings):
    # Members of a simulated year stay logged in, and everyone signs up from one address at
    # frozen moments: the story is about governing, not sessions or rate limits.
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    settings.RATE_LIMITS = {
        name: (10**6, period) for name, (_n, period) in settings.RATE_LIMITS.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_a_simulated_stretch_of_community_life_holds_every_invariant(seed, long_sessions):
    if connection.vendor == "postgresql" and seed != SEEDS[0]:
        pytest.skip("PostgreSQL runs the first seed; SQLite runs all three")
    with time_machine.travel(START, tick=False) as traveller:
        found_test_community()
        simulation = Simulation(seed=seed, traveller=traveller, acts=ACTS)
        tally = simulation.run()

    # The story really happened: people joined, proposed, voted and versions took effect.
    assert tally.get("join", 0) >= 5 and tally.get("vote", 0) >= 10, tally
    assert tally.get("time_passes", 0) >= 10, tally
    assert tally.get("announce_occasion", 0) >= 1, tally
