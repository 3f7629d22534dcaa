"""Lesson 15: what augmentation buys, measured on moved and turned test digits.

The lesson's ``"distorted_test"`` setting names one fixed distortion of the test images (the
same for every run: its own seed), for example ``{"shift": 3, "rotation": 20, "seed": 1}``.
A network trained on centred digits only is then tested on digits that are not centred, like
the ones a person draws on the pad; the one trained with augmentation has seen such digits.

    exp.fit()
    distorted_accuracy(exp, doc["lesson"]["distorted_test"])    # e.g. 0.64 against 0.82
"""

import numpy as np

from nnplayground.data.augment import Augmentation


def distorted_test_set(experiment, spec):
    """(x, y): the experiment's test images distorted by `spec` (Augmentation keys plus
    "seed"), and their labels. The same spec gives the same images every time."""
    spec = dict(spec)
    seed = int(spec.pop("seed", 0))
    x = experiment.trainer.x_test
    return Augmentation(**spec)(x, np.random.default_rng(seed)), experiment.trainer.y_test


def distorted_accuracy(experiment, spec) -> float:
    """The share of distorted test digits the experiment's model classifies correctly."""
    x, y = distorted_test_set(experiment, spec)
    predicted = experiment.model.predict(x).argmax(axis=1)
    return float(np.mean(predicted == y))
