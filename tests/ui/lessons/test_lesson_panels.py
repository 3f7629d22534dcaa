"""The compare dock and the lesson-specific panels, with real computations off the GUI thread."""

from __future__ import annotations

import numpy as np

from nnplayground.engine import build_model
from nnplayground.lessons.gradcheck_timing import GradcheckReport
from nnplayground.lessons import catalog as C
from nnplayground.lessons.compare import CompareSession


def test_compare_trains_two_variants_side_by_side(lesson_window, qtbot):
    window, lessons = lesson_window
    lessons.open_lesson(4, ask=False)          # cross-entropy against MSE on one classifier
    panel = lessons.compare
    assert panel.choice.currentData() == "lesson:"
    panel.epochs.setValue(3)
    with qtbot.waitSignal(panel.finished, timeout=60_000):
        panel.start_button.click()
        assert panel.running and not panel.start_button.isEnabled()
    curves = panel.curve_points()
    assert list(curves) == ["cross-entropy", "mean squared error"]
    for epochs, losses in curves.values():
        assert epochs == [1, 2, 3] and all(np.isfinite(losses))
    assert curves["cross-entropy"][1] != curves["mean squared error"][1]
    assert len(panel.legend.items) == 2
    assert not panel.running and panel.start_button.isEnabled()
    panel.metric_box.setCurrentIndex(panel.metric_box.findData("test_accuracy"))
    accuracy = panel.curve_points()["cross-entropy"][1]
    assert len(accuracy) == 3 and all(0.0 <= a <= 1.0 for a in accuracy)
    # the dock trains through the lessons' CompareSession: the curves are the ones the
    # lesson-outcome tests check, number for number
    headless = CompareSession([doc for _, doc in panel.chosen_runs()], epochs=3).run()
    for run, records in zip(headless, panel.records):
        assert [r["test_accuracy"] for r in run.history] == [r["test_accuracy"] for r in records]


def test_compare_stop_answers_mid_run_and_reports_divergence(lesson_window, qtbot):
    _, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    panel = lessons.compare
    panel.choice.setCurrentIndex(panel.choice.findData("lesson:learning rate"))
    panel.epochs.setValue(1000)
    panel.epochs.setMaximum(10**6)
    panel.epochs.setValue(10**6)       # cannot finish before Stop
    panel.start()
    qtbot.waitUntil(lambda: len(panel.records[1]) >= 2 and 2 in panel._diverged,
                    timeout=30_000)
    panel.curve_points()
    assert "diverged" in panel.status.text()
    panel.stop_button.click()
    assert not panel.running and panel.start_button.isEnabled()
    drawn = panel.curve_points()["lr 0.2 (right)"][0]
    assert 2 <= len(drawn) < 10**6
    assert len(panel.curve_points()["lr 0.2 (right)"][0]) == len(drawn)   # really stopped


def test_compare_can_vary_the_current_network(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(2, ask=False)
    panel = lessons.compare
    panel.choice.setCurrentIndex(panel.choice.findData("current:lr"))
    runs = panel.chosen_runs()
    lr = window.model.doc["optimizer"]["lr"]
    assert [d["optimizer"]["lr"] for _, d in runs] == [lr * 0.1, lr, lr * 10]
    assert all(d["model"] == window.model.doc["model"] for _, d in runs)


def test_optimizer_race_paths_grow_with_the_steps(lesson_window, qtbot):
    _, lessons = lesson_window
    lessons.open_lesson(6, ask=False)
    race = lessons.panel
    assert set(race.paths) == {"SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"}
    assert set(race.shown_points().values()) == {1}          # only the start at step 0
    race.slider.setValue(5)
    assert set(race.shown_points().values()) == {6}
    sgd = race.paths["SGD"].getData()
    assert np.allclose(sgd[0][:6], race.result.paths["SGD"][:6, 0])
    race.slider.setValue(0)
    race.play_button.click()
    assert race.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: race.slider.value() >= 3, timeout=5_000)
    race.play_button.click()
    assert min(race.shown_points().values()) >= 4
    # each legend entry ends in the steps its optimizer took to reach the minimum
    adam = next(text.text for _sample, text in race.legend.items if text.text.startswith("Adam"))
    arrival = race.result.steps_to_minimum["Adam"]
    assert adam.endswith(f": {'never' if arrival is None else arrival}")
    assert "steps to within" in race.readout.text()


def test_race_switches_function_and_line_up(lesson_window):
    _, lessons = lesson_window
    lessons.open_lesson(6, ask=False)
    race = lessons.panel
    settings = C.load_lesson(6)["lesson"]["race"]
    first, second = settings["line_ups"][:2]
    assert race.lineup_box.currentText() == first["label"]   # the one the notes start with
    assert race.result.optimizers == {label: spec for label, spec in first["optimizers"]}
    race.lineup_box.setCurrentIndex(race.lineup_box.findText(second["label"]))
    assert race.result.optimizers == {label: spec for label, spec in second["optimizers"]}
    race.function_box.setCurrentIndex(race.function_box.findData("rosenbrock"))
    assert race.result.function == "rosenbrock" and race.slider.value() == 0


def test_gradient_check_lists_every_parameter_with_timings(lesson_window, qtbot):
    window, lessons = lesson_window
    lessons.open_lesson(5, ask=False)
    panel = lessons.panel
    panel.check_button.click()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=30_000)
    model = build_model(window.model.doc["model"])
    expected = [f"{node}/{name}" for node in model.order for name in model.layers[node].params]
    assert sorted(panel.parameters()) == sorted(expected)
    verdicts = [panel.table.item(r, 3).text() for r in range(panel.table.rowCount())]
    assert verdicts == ["ok"] * len(expected)
    assert "Back-propagation" in panel.timing.text() and "slower" in panel.timing.text()
    # the panel shows the lesson module's report (the one tests/lessons checks), not its own
    assert isinstance(panel.result, GradcheckReport) and panel.result.samples == 10
    assert panel.result.forward_passes == 4 * sum(panel.result.sizes.values())


def test_init_histograms_fill_the_grid_off_the_gui_thread(lesson_window, qtbot):
    _, lessons = lesson_window
    lessons.open_lesson(8, ask=False)
    panel = lessons.panel
    qtbot.waitUntil(lambda: panel.stats is not None, timeout=30_000)
    assert len(panel.bars) == 4 * 5            # four initialisations x five layers
    saturated = panel.bars[("std 1", "layer5")].outer_mass
    assert saturated > panel.bars[("xavier", "layer5")].outer_mass
    panel.activation_box.setCurrentIndex(panel.activation_box.findData("relu"))
    assert panel.status.text().startswith("relu")
    # small multiples on one 0-to-1 scale: the layer names head the columns, and only the
    # bottom row carries the axis, so the rows above are as tall as each other
    layout = panel.graphs.ci
    header = [layout.getItem(0, c) for c in range(1, 6)]
    assert [item.text for item in header] == [f"layer{c}" for c in range(1, 6)]
    rows = [[layout.getItem(r, c) for c in range(1, 6)] for r in range(1, 5)]
    assert all(plot.getAxis("bottom").isVisible() == (r == 3)
               for r, row in enumerate(rows) for plot in row)
    heights = [plot.getViewBox().height() for plot in rows[0] + rows[1] + rows[2]]
    assert max(heights) - min(heights) < 2


def test_activation_panel_draws_each_function_and_its_derivative(lesson_window):
    _, lessons = lesson_window
    lessons.open_lesson(3, ask=False)
    panel = lessons.panel
    settings = C.load_lesson(3)["lesson"]["curves"]
    assert list(panel.items) == settings["functions"]
    f, d = panel.items["sigmoid"]
    x, dy = d.getData()
    assert abs(dy.max() - 0.25) < 1e-3                 # sigmoid's slope is at most 1/4
    assert np.all(panel.items["step"][1].getData()[1] == 0)


def test_keras_code_follows_the_diagram(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(14, ask=False)
    panel = lessons.panel
    code = panel.code()
    for verb in ("model.add(", "model.compile(", "model.fit(", "model.evaluate(",
                 "model.predict("):
        assert verb in code
    assert "256" in code and panel.editor.isReadOnly()
    dense = next(n["id"] for n in window.model.doc["model"]["nodes"]
                 if n["params"].get("units") == 256)
    window.model.edit("units", lambda d: C._set_path(d, f"model.nodes.{dense}.params.units", 300))
    assert "300" in panel.code() and "256" not in panel.code()


def test_optimizer_race_legend_moves_beside_a_wide_short_plot(qtbot):
    """Lesson 6 at 1280x720 leaves the race about 530x170 px: its legend in rows above the
    plot squeezed the contour to a strip, so there it stands in a column to the right."""
    from nnplayground.ui.lessons.race_panel import OptimizerRacePanel
    race = OptimizerRacePanel({"steps": 10})
    qtbot.addWidget(race)
    race.show()
    race.resize(560, 300)
    qtbot.waitUntil(lambda: race.legend_beside)
    qtbot.waitUntil(lambda: race.legend.sceneBoundingRect().left()
                    >= race.plot.sceneBoundingRect().right() - 1)
    assert race.plot.sceneBoundingRect().height() > 0.8 * race.plot_widget.height()
    # each sample line beside its own name: stretched to the plot's height, the legend's rows
    # put each line under its name, nearer the next one
    race.resize(900, 600)
    qtbot.waitUntil(lambda: race.plot_widget.height() > 400)
    assert race.legend_beside
    for sample, label in race.legend.items:
        line, text = sample.sceneBoundingRect(), label.item.sceneBoundingRect()
        assert text.top() <= line.center().y() <= text.bottom(), (label.text, line, text)
    race.resize(400, 700)
    qtbot.waitUntil(lambda: not race.legend_beside)
    qtbot.waitUntil(lambda: race.legend.sceneBoundingRect().bottom()
                    <= race.plot.sceneBoundingRect().top() + 1)
