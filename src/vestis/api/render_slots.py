"""A cap on image jobs running at once: try-on renders and studio recipes, over the API and the web forms.

An image job holds hundreds of megabytes and several cores for seconds, so a handful of
cheap uploads sent together could exhaust the server. Each app has one :class:`RenderSlots`
(``app.state.render_slots``) holding ``Settings.max_concurrent_renders`` slots. A route that
renders declares :data:`RenderSlot` among its dependencies: its request waits up to
``Settings.render_queue_seconds`` for a free slot, then gets 503 with ``Retry-After``. The
slot is taken after the upload has been received (spooled to disk, not decoded) and before the
route decodes it, so waiting requests hold no decoded pixels, and it is released as soon as the
route returns. The wait polls a thread-safe counter instead of an asyncio primitive, so one
``RenderSlots`` serves any event loop (test clients start one per request).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import anyio
import cv2
from fastapi import Depends, HTTPException, Request, status

from vestis.config import Settings

__all__ = [
    "RenderSlot",
    "RenderSlots",
    "RendersBusy",
    "cap_render_threads",
    "render_slot",
    "return_freed_memory",
]

POLL_SECONDS = 0.02
"""How often a waiting request looks for a free slot."""
MALLOC_ARENAS = 2
"""glibc malloc arenas (default: 8 per core); fewer arenas keep less freed memory spread across threads."""
_M_ARENA_MAX = -8
"""``mallopt`` parameter number of ``M_ARENA_MAX`` in glibc's ``malloc.h``."""


class RendersBusy(HTTPException):
    """503 for an image job that found every slot taken for its whole wait; says when to come back."""

    def __init__(self, capacity: int, waited: float) -> None:
        retry_after = max(1, math.ceil(waited))
        super().__init__(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=(
                f"the server is busy with other image jobs ({capacity} at a time) and none became free "
                f"within {waited:g} s; try again in {retry_after} s"
            ),
            headers={"Retry-After": str(retry_after)},
        )


class RenderSlots:
    """At most ``capacity`` image jobs at once; a job waits up to ``wait_seconds`` for its turn."""

    def __init__(self, capacity: int, wait_seconds: float) -> None:
        if capacity < 1:
            raise ValueError(f"capacity: at least one image job must be allowed; got {capacity}")
        self.capacity = capacity
        self.wait_seconds = wait_seconds
        self._free = threading.BoundedSemaphore(capacity)

    @classmethod
    def of(cls, settings: Settings) -> RenderSlots:
        """The slots ``settings`` ask for; caps the render threads and malloc arenas of this process.

        Threads: so that jobs do not fight for cores. Arenas: glibc gives each thread of the
        thread pool its own, and each keeps the memory its jobs freed.
        """
        cap_render_threads(settings.max_concurrent_renders)
        libc = _glibc()
        if libc is not None:
            libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
        return cls(settings.max_concurrent_renders, settings.render_queue_seconds)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the ``async with`` block; :class:`RendersBusy` when none frees up in time."""
        deadline = time.monotonic() + self.wait_seconds
        while not self._free.acquire(blocking=False):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RendersBusy(self.capacity, self.wait_seconds)
            await anyio.sleep(min(POLL_SECONDS, left))
        try:
            yield
        finally:
            self._free.release()
            return_freed_memory()


async def render_slot(request: Request) -> AsyncIterator[None]:
    """FastAPI dependency: hold one of the app's render slots while the route runs."""
    async with request.app.state.render_slots.slot():
        yield


RenderSlot = Depends(render_slot, scope="function")
"""``dependencies=[RenderSlot]`` on a route that renders images; released when the route returns."""


def return_freed_memory() -> None:
    """Hand the memory a finished image job freed back to the system (glibc keeps it otherwise).

    An image job frees hundreds of megabytes of arrays; without this the server's resident
    memory stays at its highest point forever. A no-op where the C library is not glibc.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def cap_render_threads(jobs: int) -> None:
    """Give each of ``jobs`` concurrent image jobs its share of the cores in OpenCV and PyTorch.

    Without a cap every job starts one thread per core in each library, so two jobs on a
    16-core machine run 32+ threads that slow each other down and each hold their own buffers.
    PyTorch is capped only if it is already imported (importing it here would cost every server
    its memory); otherwise ``OMP_NUM_THREADS``, which PyTorch reads on import, is set unless the
    environment already chose.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    cv2.setNumThreads(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    else:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else ``None``."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
