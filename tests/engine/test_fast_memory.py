"""A conv net's training step reuses freed memory instead of faulting fresh pages in each step
(engine/fast/memory.py): with glibc's default thresholds the benchmark CNN's step faulted in
about 3,900 pages (8 ms of system time in a 26 ms step)."""

import os
import subprocess
import sys

import pytest

from nnplayground.engine.fast import memory

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

CHILD = """
import resource, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from engine_graphs import MNIST_CNN
from nnplayground.engine import build_model, make_loss
model, loss = build_model(MNIST_CNN, seed=0), make_loss("cross_entropy")
rng = np.random.default_rng(0)
x, y = rng.random((100, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 100)
for _ in range(5):                  # the first steps grow the heap to the step's peak
    model.forward_backward(x, y, loss)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    model.forward_backward(x, y, loss)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


@pytest.mark.skipif(not memory.keep_freed_memory(), reason="the C library has no mallopt "
                    "(not glibc): freed memory goes back to the system as before")
def test_a_conv_net_step_faults_in_no_fresh_memory_after_the_first_steps():
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", CHILD, HERE], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    faults_per_step = float(result.stdout.strip().splitlines()[-1])
    assert faults_per_step < 200, faults_per_step       # ~3,900 without keep_freed_memory


def test_keeping_freed_memory_is_asked_once_and_answers_the_same():
    first = memory.keep_freed_memory()
    assert memory.keep_freed_memory() is first
