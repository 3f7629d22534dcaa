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


class FakeGc:
    """gc's counters and oldest generation, set by the test; records the collections."""

    def __init__(self, oldest):
        self.counts, self.oldest, self.collected = (0, 0, 0), oldest, []

    def get_count(self):
        return self.counts

    def get_threshold(self):
        return (700, 10, 10)

    def get_objects(self, generation=None):
        return [None] * self.oldest

    def collect(self, generation=2):
        self.collected.append(generation)
        self.counts = (0, 0, self.counts[2] + 1) if generation < 2 else (0, 0, 0)


def test_a_full_collection_waits_for_a_quarter_more_long_lived_objects(monkeypatch):
    """As CPython's own rule: a pass over every long-lived object (a GUI stall) only once the
    oldest generation has grown by a quarter since the last one; young ones go on meanwhile."""
    from nnplayground.worker import gui_gc
    fake = FakeGc(oldest=100_000)
    monkeypatch.setattr(gui_gc, "gc", fake)
    monkeypatch.setattr(gui_gc, "_long_lived", None)
    monkeypatch.setattr(gui_gc, "_declined_at", None)
    fake.counts = (0, 0, 11)
    assert gui_gc.collect_if_due() == 2                 # the first: sets the baseline
    fake.counts, fake.oldest = (701, 11, 11), 110_000   # due, but only 10% more
    assert gui_gc.collect_if_due() == 1
    assert gui_gc.collect_if_due() is None              # nothing else due
    fake.counts, fake.oldest = (0, 0, 13), 126_000      # 26% more: the full pass runs
    assert gui_gc.collect_if_due() == 2
    assert fake.collected == [2, 1, 2]
