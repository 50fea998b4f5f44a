"""A clock for tests written with fixed dates.

Tests that spell their dates out (a concertation on 10 March 2027) expect those dates to be
upcoming. `before_the_fixed_dates` sets the clock (ticking) to a day before all of them, so
those tests mean the same thing whatever day they run on.
"""

from datetime import UTC, datetime

import pytest

BEFORE_THE_FIXED_DATES = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
before_the_fixed_dates = pytest.mark.time_machine(BEFORE_THE_FIXED_DATES)
