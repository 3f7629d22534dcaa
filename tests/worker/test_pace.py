"""The speed control: slow and normal space the training steps on the worker's own clock.

The worker's clock and sleep are injected: time moves only when the worker waits, so the
assertions are exact and no test depends on the machine's speed.
"""

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest
from qt_warnings import WAIT

from nnplayground.presets import load_builtin
from nnplayground.worker import TrainingController
from nnplayground.worker.pace import SPEEDS, speed_of, step_interval

SCHEMA = Path(__file__).resolve().parents[2] / "nnplayground" / "presets" / "preset.schema.json"


class FakeTime:
    """The worker's clock: stands still while it trains, moves by what it sleeps."""

    def __init__(self):
        self.now, self.sleeps, self._lock = 0.0, [], threading.Lock()

    def clock(self):
        with self._lock:
            return self.now

    def sleep(self, seconds):
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@pytest.fixture
def paced():
    made = []

    def make():
        time = FakeTime()
        controller = TrainingController(clock=time.clock, sleep=time.sleep)
        made.append(controller)
        return controller, time
    yield make
    for controller in made:
        controller.shutdown()


def xor(epochs, speed=None):
    doc = load_builtin("xor")
    doc["training"]["epochs"] = epochs
    if speed is not None:
        doc["display"] = {"speed": speed}
    return doc


def play_to_the_end(qtbot, controller, doc):
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(doc)
    qtbot.waitUntil(lambda: controller.state == "idle" and controller.latest_snapshot is not None,
                    timeout=WAIT)
    controller.play()
    qtbot.waitUntil(lambda: controller.status.startswith("Finished"), timeout=WAIT)
    return controller.latest_snapshot


def xor_steps_per_epoch():
    doc = load_builtin("xor")
    n_train = round(doc["dataset"]["n_samples"] * doc["dataset"]["train_fraction"])
    return math.ceil(n_train / doc["training"]["batch_size"])


def test_slow_trains_three_epochs_a_second_of_the_workers_clock(qtbot, paced):
    controller, time = paced()
    snapshot = play_to_the_end(qtbot, controller, xor(3, "slow"))
    steps = 3 * xor_steps_per_epoch()
    assert snapshot.step == steps
    interval = 1 / (3.0 * xor_steps_per_epoch())
    # the first step at once, every other one `interval` after the one before
    assert time.now == pytest.approx((steps - 1) * interval)
    assert time.now == pytest.approx(1.0, abs=2 * interval)     # 3 epochs, 3 a second


def test_fast_never_waits_and_normal_is_ten_times_slow(qtbot, paced):
    controller, time = paced()
    play_to_the_end(qtbot, controller, xor(3))          # no display.speed: fast
    assert time.sleeps == []
    controller, time = paced()
    play_to_the_end(qtbot, controller, xor(3, "normal"))
    assert time.now == pytest.approx(0.1, abs=1 / (30.0 * xor_steps_per_epoch()))


def test_the_speed_changes_live_and_survives_reset(qtbot, paced):
    controller, time = paced()
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(xor(3, "slow"))
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    controller.set_speed("fast")
    controller.reset()                  # keeps the live speed, as it keeps the learning rate
    qtbot.waitUntil(lambda: controller.state == "idle"
                    and controller.latest_snapshot is not None, timeout=WAIT)
    controller.play()
    qtbot.waitUntil(lambda: controller.status.startswith("Finished"), timeout=WAIT)
    assert time.sleeps == []
    with pytest.raises(ValueError, match="speed: must be one of slow, normal, fast"):
        controller.set_speed("ludicrous")


def test_the_speed_does_not_change_the_numbers(qtbot, paced):
    slow = play_to_the_end(qtbot, paced()[0], xor(2, "slow"))
    fast = play_to_the_end(qtbot, paced()[0], xor(2, "fast"))
    assert slow.step == fast.step
    for node, params in fast.weights.items():
        for name, value in params.items():
            np.testing.assert_array_equal(slow.weights[node][name], value)


def test_speeds_match_the_schema_and_default_to_fast():
    schema = json.loads(SCHEMA.read_text())
    assert schema["properties"]["display"]["properties"]["speed"]["enum"] == list(SPEEDS)
    assert speed_of(load_builtin("mnist-mlp")) == "fast"
    assert speed_of({"display": {"speed": "slow"}}) == "slow"
    assert step_interval("fast", 250, 10) == 0.0
    assert step_interval("slow", 250, 10) == pytest.approx(1 / (3 * 25))


def test_the_status_rate_is_the_step_counters_rate(qtbot, instrumented_controller):
    """The status bar said 11 steps/s while the step counter advanced about 80 a second: it
    measured one slice's training alone. Here each step takes 1 ms and the GUI 100 ms per
    frame (the worker waits for it), both on the worker's clock: the counter advances well
    below 1,000 steps a second, and the rate shown must say what it does."""
    gui = [0.0]

    def clock(exp):
        return (exp.trainer.steps_done * 0.001 if exp is not None else 0.0) + gui[0]

    controller, live = instrumented_controller(clock=clock)
    frames = []

    def on_frame(snapshot):
        if snapshot.steps_per_second > 0:         # (not the frames of Load and Pause)
            frames.append((clock(live.get("exp")), snapshot.step, snapshot.steps_per_second))
        gui[0] += 0.1                    # drawing this frame takes 100 ms

    controller.snapshot_ready.connect(on_frame)
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(xor(100_000))
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    controller.play()
    qtbot.waitUntil(lambda: len(frames) > 40, timeout=WAIT)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    now, step, shown = frames[-1]
    then, first, _ = max((f for f in frames if now - f[0] >= 1.0), key=lambda f: f[0])
    counter = (step - first) / (now - then)
    assert counter < 900                        # the GUI's 100 ms a frame count
    assert shown == pytest.approx(counter, rel=0.02)
