"""The engine's own threads: convolutions split over the batch with BLAS held to one thread."""

import threading

import numpy as np
import pytest
import threadpoolctl     # a dependency of the engine: a missing one is a failure, not a skip

from nnplayground.engine import build_model, make_loss

from engine_graphs import MNIST_CNN


def blas_threads():
    return min(i["num_threads"] for i in threadpoolctl.threadpool_info()
               if i["user_api"] == "blas")


def test_two_training_threads_share_one_hold_and_restore_blas(monkeypatch):
    """The GUI's trainer and a lesson's comparison may train conv nets at once: the first
    hold limits BLAS, the last release restores it (per-thread set-and-restore would let one
    thread undo the other's limit, or leave BLAS on one thread for good)."""
    from nnplayground.engine.fast import threads

    monkeypatch.setattr(threads, "THREADS", 2)
    seen = {}
    a_holds, b_holds, a_left = threading.Event(), threading.Event(), threading.Event()

    def a():
        with threads.blas_held_for_parts():
            a_holds.set()
            b_holds.wait(5)
        a_left.set()

    def b():
        a_holds.wait(5)
        with threads.blas_held_for_parts():
            b_holds.set()
            a_left.wait(5)
            seen["b after a left"] = blas_threads()

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        workers = [threading.Thread(target=f) for f in (a, b)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(10)
        seen["after both"] = blas_threads()
    assert seen == {"b after a left": 1, "after both": 2}


@pytest.mark.parametrize("batch", [40, 100])
def test_a_threaded_training_step_gives_the_same_bits_as_one_thread(monkeypatch, batch):
    """The batch parts are fixed by the sizes, never by the thread count; and with one engine
    thread BLAS is held to one thread too (a BLAS left at 2 threads summed dW in another
    order: NNPLAYGROUND_THREADS=1 gave other bits than the default)."""
    from nnplayground.engine.fast import threads

    rng = np.random.default_rng(4)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    monkeypatch.setattr(threads, "MIN_WORK", 0)             # parts even for a small batch
    grads = []
    with threadpoolctl.threadpool_limits(2, user_api="blas"):   # as on a 2-core machine
        for n in (1, 2):
            monkeypatch.setattr(threads, "THREADS", n)
            model = build_model(MNIST_CNN, seed=0)
            model.forward_backward(x, y, make_loss("cross_entropy"))
            grads.append({k: v.copy() for k, v in model.grads.items()})
    for key in grads[0]:
        np.testing.assert_array_equal(grads[0][key], grads[1][key], err_msg=str(key))
