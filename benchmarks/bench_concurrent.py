"""Two trainings at once: how much of its solo speed does each keep?

    python benchmarks/bench_concurrent.py [--preset mnist-mlp] [--steps 400] [--rounds 3]
                                          [--mnist DIR]

The app and a command-line run (or two windows) may train at the same time on a 2-core
machine. Each round trains the built-in preset alone for `--steps` steps, then twice at once
(two processes, started together once both have loaded their data), and prints milliseconds
per step and each concurrent run's share of the solo speed (solo ms / concurrent ms; 0.5 is a
fair half of the machine). Nothing is configured: no thread variable is set, as a user would
run it. Other load on the machine changes the figures: run it on a quiet machine, or read the
ratios of one round with care. It also prints an estimate that load hardly moves: half the
solo run's CPU time per step over each concurrent run's CPU time per step (alone, a training
can use both cores at best; two at once, each has one; threads that spin while they wait burn
CPU, so they lower it; threads that wait idle would make the true share lower).
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
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        trainer.step()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"ms_per_step": seconds / args.steps * 1e3,
                      "cpu_ms_per_step": cpu / args.steps * 1e3,
                      "n_train": len(trainer.x_train)}), flush=True)


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
    results = [json.loads(p.stdout.readline()) for p in procs]
    for p in procs:
        p.wait()
    return [r["ms_per_step"] for r in results], [r["cpu_ms_per_step"] for r in results]


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
    solo, pair, shares, bounds = [], [], [], []
    for r in range(args.rounds):
        (alone,), (alone_cpu,) = run(1, args)
        both, both_cpu = run(2, args)
        solo.append(alone)
        pair.extend(both)
        shares.extend(alone / b for b in both)
        # An estimate that other load hardly moves: alone on 2 idle cores, a training takes at
        # least half its CPU time (both cores busy); two at once, each on one core, about its
        # CPU time if none waits idle. Spinning BLAS threads burn CPU, so they show here.
        bounds.extend(alone_cpu / 2 / c for c in both_cpu)
        print(f"round {r + 1}: alone {alone:.2f} ms/step ({alone_cpu:.2f} CPU); two at once "
              f"{both[0]:.2f} and {both[1]:.2f} ms/step ({both_cpu[0]:.2f}, {both_cpu[1]:.2f} "
              f"CPU); share of solo speed {alone / both[0]:.2f}, {alone / both[1]:.2f}; "
              f"CPU estimate {bounds[-2]:.2f}, {bounds[-1]:.2f}")
    print(f"median: alone {statistics.median(solo):.2f} ms/step, two at once "
          f"{statistics.median(pair):.2f} ms/step each; share of solo speed "
          f"{statistics.median(shares):.2f} (range {min(shares):.2f}-{max(shares):.2f}; "
          f"0.50 is a fair half of a 2-core machine, the target is at least 0.40)")
    print(f"CPU-time estimate of the share on an idle machine: median "
          f"{statistics.median(bounds):.2f} (range {min(bounds):.2f}-{max(bounds):.2f}); "
          f"the wall-clock share is only trustworthy on a quiet machine")


if __name__ == "__main__":
    main()
