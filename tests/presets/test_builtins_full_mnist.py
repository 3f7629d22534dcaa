"""The MNIST presets' accuracy on the full MNIST, each with its own settings.

Slow (minutes on a quiet 2-core machine) and skipped where the full MNIST is missing: it is read
where the README says (tests/mnist_paths.py). mnist-best (99.46% after its 12 epochs, 7 minutes of
one core) is left to benchmarks/bench_accuracy.py, which prints the same figures for all three.
"""

import json
import os
import subprocess
import sys

import pytest

from mnist_paths import FULL_MNIST_DIR, MISSING, has_full_mnist

MNIST_DIR = FULL_MNIST_DIR
needs_mnist = pytest.mark.skipif(not has_full_mnist(), reason=MISSING)

# name -> (lowest final test accuracy, most epochs allowed)
TARGETS = {"mnist-mlp": (0.980, 10), "mnist-cnn": (0.985, None)}

CHILD = """
import json, sys
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
doc = load_builtin(sys.argv[1])
doc["dataset"]["source"] = "full"
exp = Experiment.from_preset(doc, mnist_dir=sys.argv[2])
print(json.dumps({"epochs": exp.epochs, "records": exp.fit()}))
"""
ONE_THREAD = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


@pytest.mark.slow
@needs_mnist
@pytest.mark.parametrize("name", TARGETS)
def test_mnist_preset_reaches_its_full_mnist_accuracy_within_its_epochs(name):
    lowest, most_epochs = TARGETS[name]
    result = subprocess.run([sys.executable, "-c", CHILD, name, str(MNIST_DIR)],
                            capture_output=True, text=True, env={**os.environ, **ONE_THREAD},
                            timeout=3 * 3600)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    records = out["records"]
    assert len(records) == out["epochs"]
    if most_epochs is not None:
        assert out["epochs"] <= most_epochs
    final = records[-1]["test_accuracy"]
    print(f"\n[full MNIST] {name}: test accuracy {final:.4f} after {len(records)} epochs, "
          f"{sum(r['seconds'] for r in records):.0f} s of training")
    assert final >= lowest, f"{name}: {final:.4f} < {lowest}"
