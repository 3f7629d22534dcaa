"""Python's cyclic GC never runs on the training thread (the cause of an intermittent segfault:
it destroyed GUI-thread QObjects, such as an earlier controller, from the training thread)."""

import gc
import threading

from qt_warnings import WAIT

from nnplayground.presets import load_builtin
from nnplayground.worker import TrainingController


class Cycle:
    def __init__(self):
        self.me = self


def test_collections_happen_only_on_the_gui_thread_while_training(qtbot, controller):
    threads = []

    def record(phase, _info):
        if phase == "start":
            threads.append(threading.current_thread())
    assert not gc.isenabled()          # the controller owns collection now
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        doc = load_builtin("xor")
        doc["training"]["epochs"] = 100_000     # trains for the whole test
        controller.load(doc)
    gc.callbacks.append(record)
    try:
        controller.play()
        for _ in range(20):            # garbage cycles keep arriving while the thread trains
            [Cycle() for _ in range(2000)]
            qtbot.wait(50)
        controller.pause()
        qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    finally:
        gc.callbacks.remove(record)
    assert controller.latest_snapshot.step > 100            # the thread really trained
    assert threads, "nothing collected the garbage cycles"  # the GUI timer does collect
    assert set(threads) == {threading.main_thread()}


def test_the_last_shutdown_gives_collection_back(qtbot):
    first, second = TrainingController(), TrainingController()
    assert not gc.isenabled()
    first.shutdown()
    assert not gc.isenabled()          # the second thread still runs
    second.shutdown()
    second.shutdown()                  # twice is harmless and releases nothing more
    assert gc.isenabled()
