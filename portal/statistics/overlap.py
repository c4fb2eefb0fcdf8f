"""The independent statements of one figures page at the same time, each on its own
database connection.

A national page runs several statements that do not depend on each other: the period's
sums, its medians and companies (the costliest: it sorts the period's controls once per
breakdown), today's open cases and the previous period's total. PostgreSQL runs each
statement in one process, so in sequence they take the sum of their times; begun together
on a few connections (here, a small pool of threads per server process) a page takes about
as long as its slowest statement, on a server with a core to spare. The work done is the
same; under full load it is not faster, only no slower.

A statement is handed to a thread only when that is safe (:func:`may_overlap`): not inside
a transaction (another connection would not see its uncommitted rows: the tests, which run
inside one, and the report's submission therefore run everything in sequence), not from a
thread of the pool itself (no nesting, so the pool cannot wait on itself), and not when
``STATISTICS_PARALLEL_QUERIES`` is 0. Each thread keeps its connection as the request
threads do, by Django's rules (``CONN_MAX_AGE``, health checks): it checks it before each
statement and closes it afterwards unless persistent connections are configured.

The statements of a page read at most a few milliseconds apart, each with its own snapshot,
as they did in sequence: a change committed between them can show in one and not yet in the
other, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, connections

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_thread = threading.local()


class Done(Generic[T]):
    """A result already there (the statement ran in sequence), read like a future's."""

    def __init__(self, value: T):
        self._value = value

    def result(self) -> T:
        return self._value


def may_overlap() -> bool:
    """Whether a statement may run on another connection now (see the module's text)."""
    return (
        settings.STATISTICS_PARALLEL_QUERIES > 0
        and not getattr(_thread, "in_pool", False)
        and not connection.in_atomic_block
    )


def begin(call: Callable[..., T], *args, **kwargs) -> Future[T] | Done[T]:
    """Begin ``call(*args, **kwargs)`` on a thread of the pool when :func:`may_overlap`,
    else run it now; either way ``.result()`` gives its value (or raises its error)."""
    if not may_overlap():
        return Done(call(*args, **kwargs))
    return _executor().submit(_in_thread, call, args, kwargs)


def close_connections() -> None:
    """Close the connection of every thread of the pool, as a database about to be dropped
    needs (persistent connections would otherwise hold it). One task per thread: each waits
    for the others, so no thread takes two."""
    with _pool_lock:
        pool, size = _pool, _pool_size
    if pool is None:
        return
    everyone = threading.Barrier(size)

    def close() -> None:
        everyone.wait(timeout=30)
        connections.close_all()

    for closing in [pool.submit(close) for _ in range(size)]:
        closing.result()


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None:
            _pool_size = settings.STATISTICS_PARALLEL_QUERIES
            _pool = ThreadPoolExecutor(
                max_workers=_pool_size,
                thread_name_prefix="statistics",
                initializer=_mark,
            )
        return _pool


def _mark() -> None:
    _thread.in_pool = True


def _in_thread(call: Callable[..., T], args: tuple, kwargs: dict) -> T:
    close_old_connections()  # a broken or expired connection is replaced, as for a request
    try:
        return call(*args, **kwargs)
    finally:
        close_old_connections()  # closed unless CONN_MAX_AGE keeps it
