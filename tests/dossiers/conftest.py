# The purge test checks the search index on each backend, with the search tests' fixture.
from tests.search.conftest import search_backend  # noqa: F401
