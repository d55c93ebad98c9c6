"""Hypothesis profiles of the fuzz suite: ``quick`` (the default) and ``full`` (MINQING_FULL=1).

``quick`` runs 200 examples per pure target (whole ``tests/fuzz`` in well under two minutes
on two busy cores) and is derandomised, so CI sees the same cases on every run; ``full`` runs
10,000 fresh random examples per target with no deadline. Targets that reach the database or
a Node subprocess ask for fewer examples (``tests.fuzz.common.examples``).

The profiles are registered here but not loaded globally: the rest of the suite has
hypothesis tests of its own (tests/ingest, tests/models) whose example counts must not change
when tests/fuzz is collected alongside them. Each fuzz test takes its settings from
``tests.fuzz.common.FUZZ``, which is the profile chosen here.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FULL = os.environ.get("MINQING_FULL") == "1"
QUICK_EXAMPLES = 200
FULL_EXAMPLES = 10_000

# Busy CI cores make timings useless as a failure signal, hence no deadline in either profile;
# too_slow / data_too_large are about generation speed, not about the code under test.
_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
settings.register_profile("quick", max_examples=QUICK_EXAMPLES, derandomize=True,
                          database=None, **_COMMON)
settings.register_profile("full", max_examples=FULL_EXAMPLES, **_COMMON)
PROFILE = "full" if FULL else "quick"
