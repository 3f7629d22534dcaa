"""Freed memory goes back to the system after an epoch's evaluation (glibc's malloc_trim)."""

import sys

import pytest

from nnplayground.presets import load_builtin
from nnplayground.worker import memory, runner
from qt_warnings import WAIT, load_and_wait


@pytest.mark.skipif(memory._MALLOC_TRIM is None, reason="malloc_trim is glibc's (Linux)")
def test_release_free_memory_calls_the_c_library():
    assert sys.platform.startswith("linux")
    assert isinstance(memory.release_free_memory(), bool)


def test_the_worker_releases_memory_after_epoch_evaluations_at_most_once_a_second(
        qtbot, monkeypatch, instrumented_controller):
    released = []
    monkeypatch.setattr(runner, "release_free_memory", lambda: released.append(1) or True)
    # the worker's clock: one second per training step, so every epoch end is due
    controller, live = instrumented_controller(
        clock=lambda exp: 0.0 if exp is None else float(exp.trainer.steps_done))
    doc = load_builtin("xor")
    doc["training"]["epochs"] = 3
    load_and_wait(qtbot, controller, doc)
    controller.play()
    qtbot.waitUntil(lambda: controller.status != "", timeout=WAIT)
    assert len(released) == 3                       # one per epoch's evaluation
