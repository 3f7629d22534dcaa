"""Fuzzing the way in: mutated presets, lessons and data files (issue 11).

Every built-in preset and lesson is mutated with a seeded numpy generator (values swapped for
hostile ones, keys dropped or invented, list items repeated, nodes retyped, JSON text damaged)
and pushed through what opening and training run. Asserted for every case:

- nothing raises but the project's own errors (PresetError, DatasetError, GraphError,
  DivergenceError): anything else would reach the user as "unexpected ... please report it";
- every refusal names where: a field path, or for text that is not JSON, a line and column;
- every accepted preset builds and trains one step.

The corrupt-file loaders (model .npz, dataset .npz and CSV, MNIST IDX and mnist.npz) get
their bytes flipped, cut and spliced and may only raise their documented error.

A few hundred cases by default (seconds); NNPLAYGROUND_FUZZ_CASES=5000 for a long run, and
NNPLAYGROUND_FUZZ_SEED to explore other cases. A failure prints the case's seed and mutations.
"""

from __future__ import annotations

import copy
import gzip
import json
import os

import numpy as np
import pytest

from nnplayground import experiment as E
from nnplayground.data import DatasetError, load_file
from nnplayground.data.idx import read_idx
from nnplayground.data.mnist import load_npz
from nnplayground.engine import DivergenceError, GraphError, build_model
from nnplayground.lessons.catalog import lesson_problems
from nnplayground.presets import PresetError, load_model, parse_preset, presets_dir, save_model
from nnplayground.resources import resources_dir

CASES = int(os.environ.get("NNPLAYGROUND_FUZZ_CASES", "300"))
SEED = int(os.environ.get("NNPLAYGROUND_FUZZ_SEED", "11"))
FILE_CASES = max(CASES // 3, 30)
# Accepted networks train one step: keep them small, whatever the machine has free.
MEMORY_FOR_A_CASE = 64 * 2 ** 20

PROJECT_ERRORS = (PresetError, DatasetError, GraphError, DivergenceError)

SOURCES = sorted((resources_dir() / "presets").glob("*.json")) + sorted(
    p for p in (resources_dir() / "lessons").glob("*.json") if p.name != "index.json")

HOSTILE = [None, True, False, 0, 1, -1, 2, 3.0, 0.5, -0.5, 1e-30, 1e30, -1e30, 1e308, -1e308,
           2 ** 31, 2 ** 70, "", "x", "NaN", "relu", "softmax", "Dense", "Conv2D", [], [0],
           [1, 2], [1, 28, 28], [-1], {}, {"x": 1}, 10 ** 6, 1000, 64, 7]
NODE_TYPES = ["Input", "Dense", "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten", "Reshape",
              "Dropout", "BatchNorm", "Activation", "Add", "Concatenate", "Nope"]


# ------------------------------------------------------------------------------ the mutator

def _places(value, path=()):
    """Every (path, value) in a JSON document, the root included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, path + (i,))


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def _set(doc, path, value):
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def mutate(doc, rng):
    """One random mutation of `doc` (in place where it can); returns (doc, what was done)."""
    places = list(_places(doc))
    path, value = places[rng.integers(len(places))]
    kind = rng.integers(8)
    if kind <= 2:                                   # a hostile value
        new = copy.deepcopy(HOSTILE[rng.integers(len(HOSTILE))])
        return _set(doc, path, new), f"{_show(path)} = {new!r}"
    if kind == 3 and path:                          # a key or item dropped
        del _get(doc, path[:-1])[path[-1]]
        return doc, f"del {_show(path)}"
    if kind == 4 and isinstance(value, dict):      # an unknown key, or a known one elsewhere
        key = ["units", "kernel", "padding", "stride", "rate", "bogus", "lr", "seed"][
            rng.integers(8)]
        value[key] = copy.deepcopy(HOSTILE[rng.integers(len(HOSTILE))])
        return doc, f"{_show(path)}[{key!r}] = {value[key]!r}"
    if kind == 5 and isinstance(value, list) and value:   # an item repeated
        value.append(copy.deepcopy(value[rng.integers(len(value))]))
        return doc, f"{_show(path)} += a copy of one item"
    if kind == 6 and isinstance(value, dict) and "type" in value:   # a node retyped
        value["type"] = NODE_TYPES[rng.integers(len(NODE_TYPES))]
        return doc, f"{_show(path)}.type = {value['type']!r}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):   # a number scaled
        factor = [0, -1, 10, 1000, 1e-6, 1e6][rng.integers(6)]
        new = value * factor
        if isinstance(value, int) and isinstance(factor, int):
            new = int(new)
        return _set(doc, path, new), f"{_show(path)} *= {factor}"
    return doc, "unchanged"


def _show(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "<root>"


def damage_text(text, rng):
    """JSON text cut, spliced or with a character changed."""
    i = int(rng.integers(len(text)))
    kind = rng.integers(3)
    if kind == 0:
        return text[:i], f"cut at {i}"
    if kind == 1:
        junk = ["{", "]", ",", '"', "NaN", "-Infinity", "1e999", "\\u0000", "\x00", "ü"]
        piece = junk[rng.integers(len(junk))]
        return text[:i] + piece + text[i:], f"{piece!r} inserted at {i}"
    return text[:i] + text[i + 1:], f"character {i} removed"


# ------------------------------------------------------------------------------ the checks

@pytest.fixture
def small_machine(monkeypatch):
    """Datasets loaded once per spec, and a memory budget that keeps every case small."""
    cache = {}
    real = E.load_dataset

    def load_dataset(spec, *args, **kwargs):
        key = json.dumps(spec, sort_keys=True, default=str)
        if key not in cache:
            cache[key] = real(spec, *args, **kwargs)
        return cache[key]

    monkeypatch.setattr(E, "load_dataset", load_dataset)
    monkeypatch.setattr(E, "available_memory", lambda: MEMORY_FOR_A_CASE)


# What a problem of the whole document (path "") may be about.
WHOLE_DOCUMENT = ("not valid JSON", "is not a number in JSON", "must be a JSON object",
                  "not an nnplayground preset", "nested too deeply", "values;", "MB;")


def check_case(text, base_dir, json_intact):
    """Open `text` as the app does and train a step; only project errors, each naming where."""
    try:
        doc = parse_preset(text, "fuzzed.json")
    except PresetError as exc:
        for problem in exc.problems:
            if problem.path == "":      # the document as a whole: not JSON, or not an object
                assert any(reason in problem.message for reason in WHOLE_DOCUMENT), problem
                assert not json_intact or "not valid JSON" not in problem.message, problem
                if "JSON" in problem.message and "a JSON object" not in problem.message:
                    assert "line" in problem.message and "column" in problem.message, problem
            else:
                assert problem.message, problem
        return "refused"
    if "lesson" in doc:
        problems = lesson_problems(doc)
        assert all(isinstance(p, str) and p.startswith("lesson") for p in problems), problems
        if problems:
            return "refused"
        doc = {k: v for k, v in doc.items() if k != "lesson"}
    try:
        exp = E.Experiment.from_preset(doc, base_dir=base_dir)
    except PresetError as exc:
        assert all(p.path for p in exc.problems), exc.problems
        return "refused"
    except DatasetError as exc:
        assert "dataset" in str(exc) or ".csv" in str(exc) or ".npz" in str(exc), exc
        return "refused"
    try:
        exp.trainer.step()
    except DivergenceError as exc:
        assert exp.divergence_message(exc).startswith("Training diverged")
        return "diverged"
    return "trained"


def test_mutated_presets_and_lessons_open_or_are_refused_by_name(small_machine):
    rng = np.random.default_rng(SEED)
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    outcomes = {"refused": 0, "trained": 0, "diverged": 0}
    for case in range(CASES):
        source = int(rng.integers(len(SOURCES)))
        doc = json.loads(texts[source])
        done = []
        if rng.random() < 0.15:
            text, what = damage_text(texts[source], rng)
            done.append(what)
            intact = False
        else:
            for _ in range(int(rng.integers(1, 4))):
                doc, what = mutate(doc, rng)
                done.append(what)
            text, intact = json.dumps(doc), True
        try:
            outcomes[check_case(text, presets_dir(), intact)] += 1
        except Exception as exc:
            raise AssertionError(f"case {case} (seed {SEED}): {SOURCES[source].name} with "
                                 f"{'; '.join(done)}: {type(exc).__name__}: {exc}") from exc
    # the mutations reach both sides: some refused, some trained
    assert outcomes["refused"] > CASES // 10 and outcomes["trained"] > CASES // 20, outcomes


# ------------------------------------------------------------------------- corrupt files

def damage_bytes(data, rng):
    data = bytearray(data)
    kind = rng.integers(4)
    i = int(rng.integers(len(data)))
    if kind == 0:
        data[i] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        del data[i:]
    elif kind == 2:
        for j in rng.integers(len(data), size=8):
            data[j] = int(rng.integers(256))
    else:
        data[i:i] = rng.integers(256, size=int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    return bytes(data)


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    doc = json.loads((presets_dir() / "xor.json").read_text())
    save_model(folder / "model.npz", doc, build_model(doc["model"], seed=0))
    rng = np.random.default_rng(0)
    np.savez_compressed(folder / "data.npz", x=rng.normal(size=(40, 2)), y=np.arange(40) % 2)
    (folder / "data.csv").write_text("x1,x2,label\n" + "".join(
        f"{a:.3f},{b:.3f},{int(a * b > 0)}\n" for a, b in rng.normal(size=(40, 2))))
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    header = np.array([0x00000803, 6, 28, 28], dtype=">u4").tobytes()
    (folder / "images.gz").write_bytes(gzip.compress(header + images.tobytes()))
    np.savez_compressed(folder / "mnist.npz", x_train=images, y_train=np.arange(6) % 10,
                        x_test=images[:2], y_test=np.arange(2))
    return folder


LOADERS = {
    "model.npz": (load_model, PresetError),
    "data.npz": (lambda p: load_file(p, task="classification"), DatasetError),
    "data.csv": (lambda p: load_file(p, task="classification"), DatasetError),
    "images.gz": (lambda p: read_idx(p, 0x00000803), DatasetError),
    "mnist.npz": (load_npz, DatasetError),
}


@pytest.mark.parametrize("name", LOADERS)
def test_corrupt_files_raise_only_their_loaders_error(good_files, tmp_path, name):
    load, error = LOADERS[name]
    load(good_files / name)                     # the undamaged file reads
    rng = np.random.default_rng([SEED, len(name)])
    data = (good_files / name).read_bytes()
    path = tmp_path / name
    refused = 0
    for case in range(FILE_CASES):
        path.write_bytes(damage_bytes(data, rng))
        try:
            load(path)
        except error as exc:
            refused += 1
            assert name in str(exc) or "params/" in str(exc), exc
        except Exception as exc:
            raise AssertionError(f"{name} case {case} (seed {SEED}): "
                                 f"{type(exc).__name__}: {exc}") from exc
    assert refused > 0
