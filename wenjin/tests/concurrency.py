"""Running work on real concurrent database connections, for the concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection

from wenjin.lib.errors import DomainError


def run_together(work: Sequence[Callable[[], object]]) -> list[object]:
    """Run each callable in its own thread (its own connection), released at once by a
    barrier; the outcomes are results, domain error codes, or other exceptions (for the
    callers' assertions to report)."""
    barrier = threading.Barrier(len(work))
    outcomes: list[object] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes.append(job())
        except DomainError as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported by the callers' assertions
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
