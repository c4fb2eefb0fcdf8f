# Knowledge pages are searched on each backend, with the search tests' backend fixture.
from tests.search.conftest import search_backend  # noqa: F401
