"""Two trainings at once: how much of its solo speed does each keep?

    python benchmarks/bench_concurrent.py [--preset mnist-mlp] [--steps 400] [--rounds 3]
                                          [--mnist DIR]

The app and a command-line run (or two windows) may train at the same time on a 2-core
machine. Each round trains the built-in preset alone for `--steps` steps, then twice at once
(two processes, started together once both have loaded their data), and prints milliseconds
per step and each concurrent run's share of the solo speed (solo ms / concurrent ms; 0.5 is a
fair half of the machine). Nothing is configured: no thread variable is set, as a user would
run it. Other load on the machine changes the figures: run it on a quiet machine, or read the
ratios of one round with care.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_MNIST = os.path.join(ROOT, "..", "shared", "datasets", "mnist")


def child(args):
    """Load the preset, say "ready", wait for "go", time the steps, print JSON."""
    sys.path.insert(0, ROOT)
    from nnplayground.experiment import Experiment
    from nnplayground.presets import load_builtin

    mnist = args.mnist if os.path.isdir(args.mnist) else None
    exp = Experiment.from_preset(load_builtin(args.preset), mnist_dir=mnist)
    trainer = exp.trainer
    for _ in range(20):                       # warm-up: caches, thread pool, BLAS threads
        trainer.step()
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    for _ in range(args.steps):
        trainer.step()
    seconds = time.perf_counter() - start
    print(json.dumps({"ms_per_step": seconds / args.steps * 1e3, "n_train": len(trainer.x_train)}),
          flush=True)


def run(count, args):
    """Start `count` children, let them go together, return their ms per step."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--preset", args.preset,
           "--steps", str(args.steps), "--mnist", args.mnist]
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                        "NNPLAYGROUND_THREADS")}
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=env) for _ in range(count)]
    for p in procs:
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit(f"a training did not start: {line!r}")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [json.loads(p.stdout.readline())["ms_per_step"] for p in procs]
    for p in procs:
        p.wait()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="mnist-mlp")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mnist", default=os.environ.get("NNPLAYGROUND_MNIST_DIR", DEFAULT_MNIST))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    print(f"{args.preset}, {args.steps} steps per run, {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs; no thread setting")
    solo, pair, shares = [], [], []
    for r in range(args.rounds):
        (alone,) = run(1, args)
        both = run(2, args)
        solo.append(alone)
        pair.extend(both)
        shares.extend(alone / b for b in both)
        print(f"round {r + 1}: alone {alone:.2f} ms/step; two at once "
              f"{both[0]:.2f} and {both[1]:.2f} ms/step; share of solo speed "
              f"{alone / both[0]:.2f}, {alone / both[1]:.2f}")
    print(f"median: alone {statistics.median(solo):.2f} ms/step, two at once "
          f"{statistics.median(pair):.2f} ms/step each; share of solo speed "
          f"{statistics.median(shares):.2f} (range {min(shares):.2f}-{max(shares):.2f}; "
          f"0.50 is a fair half of a 2-core machine, the target is at least 0.40)")


if __name__ == "__main__":
    main()
