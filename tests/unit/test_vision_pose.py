"""The pool of MediaPipe graphs: at most GRAPHS made, each lent to one call at a time, reused."""

from __future__ import annotations

import sys
import threading

import pytest

from vestis.vision import pose
from vestis.vision.pose import GRAPHS, PoseUnavailable


def test_calls_at_the_same_time_get_their_own_graphs_up_to_the_limit() -> None:
    made: list[object] = []
    pool = pose._GraphPool(lambda: made.append(object()) or made[-1])
    holding = threading.Barrier(GRAPHS + 1)
    borrowed: list[object] = []

    def borrow() -> None:
        with pool.borrowed() as graph:
            borrowed.append(graph)
            holding.wait(timeout=10)  # every thread holds its graph at once

    threads = [threading.Thread(target=borrow) for _ in range(GRAPHS)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=10)
    assert len(made) == GRAPHS and len({id(graph) for graph in borrowed}) == GRAPHS
    with pool.borrowed() as graph:  # a later call reuses one
        assert graph in made
    assert len(made) == GRAPHS


def test_a_call_beyond_the_limit_waits_for_a_free_graph() -> None:
    pool = pose._GraphPool(object)
    released = threading.Event()
    got: list[object] = []
    held = [pool.borrowed() for _ in range(GRAPHS)]
    graphs = [context.__enter__() for context in held]

    def borrow() -> None:
        with pool.borrowed() as graph:
            got.append(graph)
        released.set()

    waiter = threading.Thread(target=borrow)
    waiter.start()
    assert not released.wait(timeout=0.3)  # none free: it waits
    held[0].__exit__(None, None, None)
    assert released.wait(timeout=10)
    waiter.join(timeout=10)
    assert got == [graphs[0]]
    for context in held[1:]:
        context.__exit__(None, None, None)


def test_without_mediapipe_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # as if `vestis[tryon]` were not installed
    pool = pose._GraphPool(pose._pose_graph)
    for _ in range(GRAPHS + 1):  # each caller gets the error: none waits for a graph that never loads
        with pytest.raises(PoseUnavailable, match=r"pip install 'vestis\[tryon\]'") as caught:
            with pool.borrowed():
                pass
        assert caught.value.status_code == 503
