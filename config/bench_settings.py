"""Settings for `bench/run`: the site's own settings, plus one URL that exists only here.

The floor (`/__bench__/floor/`) is a constant small page served through the same server and
middleware as every other page: what a request costs before any view does any work. The bench
reports each page's cost as a multiple of it. Nothing else may differ from production, or the
figures would measure something else.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
