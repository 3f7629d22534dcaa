"""The training thread runs nicer than the GUI thread, so the window gets a core first while
training keeps the others busy (worker/priority.py says why)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from nnplayground.worker.priority import TRAINING_NICENESS, lower_this_thread, niceness

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values are Linux's")


@linux_only
def test_the_training_thread_is_nicer_than_the_gui_thread(qtbot, controller):
    thread = controller._thread
    qtbot.waitUntil(lambda: thread.native_id is not None, timeout=10_000)
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert niceness(thread.native_id) == min(gui + TRAINING_NICENESS, 19)
    assert niceness(threading.get_native_id()) == gui          # the GUI thread is untouched


@linux_only
def test_threads_started_by_a_lowered_thread_inherit_its_niceness():
    """The engine's helper threads are started by the training thread: they share its nice."""
    seen = {}

    def child():
        seen["child"] = niceness(threading.get_native_id())

    def training():
        seen["lowered"] = lower_this_thread()
        seen["training"] = niceness(threading.get_native_id())
        helper = threading.Thread(target=child)
        helper.start()
        helper.join()

    before = niceness(threading.get_native_id())
    thread = threading.Thread(target=training)
    thread.start()
    thread.join()
    assert seen["lowered"] and seen["training"] == min(before + TRAINING_NICENESS, 19)
    assert seen["child"] == seen["training"]
    assert niceness(threading.get_native_id()) == before
