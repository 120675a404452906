"""Database connections for code that runs outside Django's request cycle, or before a long wait inside one."""

import functools
from collections.abc import Callable

from django.db import connection


def release_connection() -> None:
    """Give this thread's connection back to the pool now (never inside a transaction: tests run in one)."""
    if not connection.in_atomic_block:
        connection.close()


def releasing_connection(function: Callable) -> Callable:
    """`function`, giving the connection it used back to the pool when it returns."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            release_connection()

    return wrapper
