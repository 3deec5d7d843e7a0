"""Found by tests/test_tenancy.py (it imports `tests.<capability>.tenancy`): the live shows'
routes are classified in tenancy_shows.py."""

from tests.live import tenancy_shows  # noqa: F401
