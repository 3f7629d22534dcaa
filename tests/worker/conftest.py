"""Qt warnings fail the test, and the real training controller (both from tests/qt_warnings.py);
`instrumented_controller` for tests that act from inside a training step or inject a clock."""

import pytest
from qt_warnings import controller, fail_on_qt_warnings  # noqa: F401 - fixtures

from nnplayground.experiment import Experiment
from nnplayground.worker import TrainingController


@pytest.fixture
def instrumented_controller(qtbot):
    """make(on_step=None, clock=None, pause_at_step=None) -> (controller, live): a real
    controller whose experiment is kept in `live["exp"]`. `on_step(controller, step)` runs on
    the training thread right after each training step (a click arriving mid-run, at an exact
    step); pause_at_step=N is the click on Pause during step N; `clock(exp)` is the worker's
    clock in seconds. Every controller made is shut down afterwards."""
    made = []

    def make(on_step=None, clock=None, pause_at_step=None):
        live = {}
        if pause_at_step is not None:
            def on_step(controller, step):
                if step == pause_at_step:
                    controller.pause()

        def factory(doc):
            exp = live["exp"] = Experiment.from_preset(doc)
            if on_step is not None:
                train_step = exp.trainer.step

                def step():
                    result = train_step()
                    on_step(made_now, result.step)
                    return result
                exp.trainer.step = step
            return exp
        kwargs = {} if clock is None else {"clock": lambda: clock(live.get("exp"))}
        made_now = TrainingController(experiment_factory=factory, **kwargs)
        made.append(made_now)
        return made_now, live
    yield make
    for c in made:
        c.shutdown()
        assert not c._thread.isRunning()
