"""The training history's memory over a long run: does it stay within its budget?

    python benchmarks/bench_history.py [--steps 100000] [--budget-mb 200] [--models spiral,wide]

Trains each model headless for `--steps` steps, taking checkpoints exactly as the GUI's worker
does (`TrainingHistory.due` after every step, `capture` of every part any view draws), and
prints every tenth of the run: the checkpoints kept, the bytes they hold against the budget,
the process's resident memory, and the seconds spent capturing. Models:
  spiral  the built-in preset (2 hidden layers of 8, Adam): small checkpoints, the spacing rule
          alone bounds them (about 430 over 100,000 steps);
  wide    spiral's data through 2 hidden layers of 512 (Adam): ~4 MB a checkpoint, so the
          budget must thin them (dense at first, spread out later).
"""

from __future__ import annotations

import argparse
import copy
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.history import TrainingHistory, capture


def spiral():
    doc = load_builtin("spiral")
    doc["training"]["epochs"] = 10**9
    return doc


def wide():
    doc = spiral()
    for node in doc["model"]["nodes"]:
        if node["id"] in ("h1", "h2"):
            node["params"]["units"] = 512
    return doc


MODELS = {"spiral": spiral, "wide": wide}


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(name, steps, budget):
    exp = Experiment.from_preset(copy.deepcopy(MODELS[name]()))
    builder = SnapshotBuilder(exp, S.dataset_info(exp.dataset))
    history = TrainingHistory(budget_bytes=budget)
    history.add(capture(exp, builder))
    per_checkpoint = history.checkpoints[0].nbytes
    print(f"\n{name}: {per_checkpoint / 2**20:.2f} MB a checkpoint, budget "
          f"{budget / 2**20:.0f} MB, {steps:,} steps")
    print(f"{'step':>8} {'kept':>6} {'MB kept':>8} {'of budget':>10} {'peak RSS MB':>12} "
          f"{'capture s':>10} {'train s':>8}")
    capturing = training = 0.0
    peak = 0
    for i in range(1, steps + 1):
        t0 = time.perf_counter()
        r = exp.trainer.step()
        if r.epoch_done:
            exp.trainer.history.epochs.append({"epoch": r.epoch})   # no evaluation: steps only
        t1 = time.perf_counter()
        if history.due(r.step, t1):         # the worker's rule, cost share included
            history.take(exp, builder)
        t2 = time.perf_counter()
        training += t1 - t0
        capturing += t2 - t1
        peak = max(peak, history.nbytes)
        if i % (steps // 10) == 0:
            print(f"{i:>8,} {len(history):>6} {history.nbytes / 2**20:>8.1f} "
                  f"{100 * history.nbytes / budget:>9.1f}% {rss_mb():>12.0f} "
                  f"{capturing:>10.2f} {training:>8.2f}")
    kept = history.steps()
    print(f"peak {peak / 2**20:.1f} MB of {budget / 2**20:.0f} MB "
          f"({'within' if peak <= budget else 'OVER'} budget); first steps kept "
          f"{kept[:6].tolist()}, last gaps {(kept[-1:-4:-1] - kept[-2:-5:-1]).tolist()}")
    return peak <= budget


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--budget-mb", type=float, default=200)
    parser.add_argument("--models", default="spiral,wide")
    args = parser.parse_args(argv)
    ok = [run(name, args.steps, int(args.budget_mb * 2**20)) for name in args.models.split(",")]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
