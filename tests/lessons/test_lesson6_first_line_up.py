"""Lesson 6 opens on the line-up that shows its point: Adam beats SGD at one learning rate."""

from nnplayground.lessons.catalog import load_lesson
from nnplayground.lessons.optimizer_race import race


def test_the_first_line_up_shows_adam_reaching_the_minimum_before_sgd_within_the_drawn_steps():
    settings = load_lesson(6)["lesson"]["race"]
    first = settings["line_ups"][0]
    result = race(settings["function"], start=settings["start"], steps=settings["steps"],
                  optimizers=[tuple(pair) for pair in first["optimizers"]],
                  tolerance=settings["tolerance"])
    adam, sgd = result.steps_to_minimum["Adam"], result.steps_to_minimum["SGD"]
    assert adam is not None and (sgd is None or adam < sgd)
    assert adam <= settings["steps"], "Adam's arrival must be visible in the animated race"
