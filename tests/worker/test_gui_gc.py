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
        self.frozen = 0

    def get_freeze_count(self):
        return self.frozen

    def freeze(self):
        self.frozen, self.oldest = self.frozen + self.oldest, 0

    def unfreeze(self):
        self.frozen, self.oldest = 0, self.oldest + self.frozen

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


def test_during_training_a_full_pass_walks_only_what_is_new(monkeypatch):
    """While training runs every object is frozen: a full pass then walks only the objects
    that became long-lived since, and the quarter-more rule still counts the frozen ones."""
    from nnplayground.worker import gui_gc
    fake = FakeGc(oldest=100_000)
    monkeypatch.setattr(gui_gc, "gc", fake)
    monkeypatch.setattr(gui_gc, "_long_lived", 100_000)
    monkeypatch.setattr(gui_gc, "_declined_at", None)
    monkeypatch.setattr(gui_gc, "_users", 1)
    monkeypatch.setattr(gui_gc, "_running", 0)
    gui_gc.training_started()
    assert (fake.frozen, fake.oldest) == (100_000, 0)   # nothing left for a full pass to walk
    fake.counts, fake.oldest = (0, 0, 11), 10_000       # 10% more: not yet
    assert gui_gc.collect_if_due() is None
    fake.counts, fake.oldest = (0, 0, 12), 26_000       # 26% more: a pass over these 26,000
    assert gui_gc.collect_if_due() == 2
    assert (fake.frozen, fake.oldest) == (126_000, 0)   # its survivors frozen in turn
    gui_gc.training_stopped()
    assert (fake.frozen, fake.oldest) == (0, 126_000)   # thawed: collected as usual from now


def test_objects_are_frozen_only_while_the_training_runs(qtbot, controller):
    """Real training: Play freezes what exists, so the oldest generation a full pass would walk
    is nearly empty; Pause thaws it, and a garbage cycle that died frozen is then collected."""
    import weakref
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        doc = load_builtin("xor")
        doc["training"]["epochs"] = 100_000
        controller.load(doc)
    gc.collect()
    before = len(gc.get_objects())
    cycle = Cycle()
    dead = weakref.ref(cycle)
    controller.play()
    qtbot.waitUntil(lambda: controller.state == "running", timeout=WAIT)
    assert gc.get_freeze_count() > 0.9 * before     # (a few may die meanwhile)
    assert len(gc.get_objects(generation=2)) < before / 10
    del cycle
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert dead() is None
