"""The trainer's batch transform (augmentation) and per-epoch learning-rate decay."""

import numpy as np
import pytest

from nnplayground.engine import Trainer, build_model, make_optimizer

IMAGE_NET = {"nodes": [
    {"id": "x", "type": "Input", "params": {"shape": [1, 6, 6]}, "inputs": []},
    {"id": "flat", "type": "Flatten", "params": {}, "inputs": ["x"]},
    {"id": "out", "type": "Dense", "params": {"units": 3, "activation": "softmax"},
     "inputs": ["flat"]},
], "output": "out"}


def images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 6, 6)).astype(np.float32), rng.integers(0, 3, n)


class Recorder:
    """A batch transform that adds noise from the rng it is given and remembers its calls."""

    def __init__(self):
        self.seen = []

    def __call__(self, x, rng):
        self.seen.append(x.copy())
        return x + rng.normal(0, 0.1, x.shape).astype(x.dtype)


def make(augment=None, seed=0, **kw):
    x, y = images(40, 1)
    xt, yt = images(20, 2)
    model = build_model(IMAGE_NET, seed=seed)
    return Trainer(model, "cross_entropy", make_optimizer({"type": "sgd", "lr": 0.1}), x, y,
                   xt, yt, batch_size=8, seed=seed, augment=augment, **kw)


def test_the_transform_sees_every_training_batch_and_never_an_evaluation_batch():
    recorder = Recorder()
    trainer = make(recorder)
    trainer.run_epoch()                       # 5 steps, then evaluation of both splits
    assert len(recorder.seen) == 5
    order = np.concatenate(recorder.seen)
    # the training batches, in the shuffled order, untouched before the transform
    assert sorted(map(bytes, order)) == sorted(map(bytes, trainer.x_train))
    trainer.evaluate("test")
    assert len(recorder.seen) == 5


def test_the_transformed_batch_is_what_the_model_trains_on():
    plain, augmented = make(), make(Recorder())
    plain.step()
    augmented.step()
    assert not np.array_equal(plain.model.state_dict()["out/W"],
                              augmented.model.state_dict()["out/W"])


def test_the_same_seed_gives_the_same_run_and_the_shuffle_does_not_depend_on_it():
    runs = []
    for _ in range(2):
        trainer = make(Recorder(), seed=3)
        trainer.fit(2)
        runs.append([{k: v for k, v in r.items() if k != "seconds"}
                     for r in trainer.history.epochs])
    assert runs[0] == runs[1]
    # the sample order is drawn from the trainer's own generator, as without augmentation
    with_aug, without = Recorder(), Recorder()
    make(with_aug, seed=3).run_epoch()
    trainer = make(seed=3)
    trainer.augment = lambda x, rng: without(x, np.random.default_rng(0))
    trainer.run_epoch()
    for a, b in zip(with_aug.seen, without.seen):
        np.testing.assert_array_equal(a, b)


def test_lr_decay_multiplies_the_learning_rate_after_every_epoch():
    trainer = make(lr_decay=0.5)
    assert trainer.optimizer.lr == pytest.approx(0.1)
    for _ in range(4):                         # 40 samples of 8 = 5 steps an epoch
        trainer.step()
    assert trainer.optimizer.lr == pytest.approx(0.1)
    trainer.step()
    assert trainer.optimizer.lr == pytest.approx(0.05)
    trainer.fit(2)
    assert trainer.optimizer.lr == pytest.approx(0.1 * 0.5 ** 3)


def test_lr_decay_of_1_keeps_the_rate_and_a_bad_one_is_refused():
    trainer = make()
    trainer.fit(2)
    assert trainer.optimizer.lr == 0.1
    for bad in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match="lr_decay: must be a number in"):
            make(lr_decay=bad)


def test_set_position_continues_an_augmented_decaying_run_bit_for_bit():
    import copy

    trainer = make(Recorder(), lr_decay=0.5)
    trainer.fit(1)
    trainer.step()
    place = copy.deepcopy(trainer.position())
    params = trainer.model.state_dict()
    optimizer_state = copy.deepcopy(trainer.optimizer.state)
    trainer.fit(2)
    expected = trainer.model.state_dict()
    trainer.set_position(place)
    trainer.model.load_state_dict(params)
    trainer.optimizer.state = optimizer_state
    assert trainer.optimizer.lr == pytest.approx(0.05)
    trainer.fit(2)
    for key, value in trainer.model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key])
