"""Train the built-in MNIST presets on the full MNIST; print accuracy and time per epoch.

    python benchmarks/bench_accuracy.py [--mnist DIR] [--presets mnist-mlp,mnist-cnn,mnist-best]
                                        [--threads N] [--epochs N]

Each preset (a built-in name or a preset file) trains with its own settings (epochs, optimizer,
learning-rate decay, augmentation) exactly as `nnplayground train NAME --mnist DIR` does,
through `Experiment`: the same steps give the same weights. After every epoch the script prints
the test accuracy, the training seconds of that epoch (wall clock and the process's CPU time)
and the seconds of that evaluation. Unlike `train`, it evaluates the test set only (the
training set's 60,000 images would cost more than the training itself, and do not change it).
At the end it checks issue 12's targets (a preset file by its name, e.g. my/mnist-best.json)
and exits 1 if one is missed:

    mnist-mlp   >= 98.0% test accuracy within 10 epochs
    mnist-cnn   >= 98.5% within its own epochs
    mnist-best  >= 99.4% within its own epochs, in at most 20 minutes of training

With `--threads 1` (the default) the process's CPU seconds are close to the wall seconds the
same run takes on an idle machine, so on a shared machine they give the honest "solo" figure
beside the wall clock; both are printed, with the load average before and after.
"""

import argparse
import json
import os
import sys
import time

# the README's place for the full MNIST: ../shared/datasets/mnist beside the repository
DEFAULT_MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                             "datasets", "mnist")
# preset -> (lowest test accuracy, most epochs, most training seconds or None)
TARGETS = {
    "mnist-mlp": (0.980, 10, None),
    "mnist-cnn": (0.985, None, None),
    "mnist-best": (0.994, None, 20 * 60),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=os.environ.get("NNPLAYGROUND_MNIST_DIR", DEFAULT_MNIST),
                        metavar="DIR", help="folder with the full MNIST IDX files")
    parser.add_argument("--presets", default="mnist-mlp,mnist-cnn,mnist-best")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and engine threads (default 1; see the docstring)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="train this many epochs instead of each preset's own")
    parser.add_argument("--eval-from", type=int, default=1, metavar="EPOCH",
                        help="evaluate the test set after this epoch and every later one "
                             "(default 1: all; the last epoch is always evaluated)")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)     # before numpy is imported

    from nnplayground.experiment import Experiment
    from nnplayground.presets.gallery import resolve
    from nnplayground.presets.io import load_preset

    print(f"# {os.cpu_count()} CPUs, {args.threads} thread(s), load average before "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    missed = []
    for name in args.presets.split(","):
        path = resolve(name)
        doc = load_preset(path)
        doc["dataset"]["source"] = "full"
        exp = Experiment.from_preset(doc, mnist_dir=args.mnist, base_dir=path.parent)
        name = path.stem
        epochs = args.epochs if args.epochs is not None else exp.epochs
        summary = train(name, exp, epochs, args.eval_from)
        print(json.dumps(summary), flush=True)
        lowest, most_epochs, most_seconds = TARGETS.get(name, (None, None, None))
        if lowest is None:
            continue
        within = [r for r in summary["records"]
                  if most_epochs is None or r["epoch"] <= most_epochs]
        best = max((r["test_accuracy"] for r in within if r["test_accuracy"] == r["test_accuracy"]),
                   default=0.0)
        final = summary["records"][-1]["test_accuracy"]
        reached = final >= lowest if most_epochs is None else best >= lowest
        verdict = "met" if reached else "MISSED"
        print(f"{name}: test accuracy {final:.4f} after {epochs} epochs (target {lowest:.3f}"
              f"{f' within {most_epochs} epochs' if most_epochs else ''}): {verdict}")
        if not reached:
            missed.append(name)
        if most_seconds is not None:
            for key in ("train_wall_s", "train_cpu_s"):
                ok = summary[key] <= most_seconds
                print(f"{name}: {key} {summary[key]:.0f} s (target <= {most_seconds} s): "
                      f"{'met' if ok else 'MISSED'}")
            if summary["train_cpu_s"] > most_seconds:
                missed.append(f"{name} time")
    print(f"# load average after {os.getloadavg()[0]:.1f}", flush=True)
    return 1 if missed else 0


def train(name, exp, epochs, eval_from=1):
    """Epochs of `exp`, step by step (as the command line does); per-epoch figures, with the
    test set evaluated from epoch `eval_from` on (and after the last)."""
    trainer = exp.trainer
    records = []
    for _ in range(epochs):
        wall, cpu = time.perf_counter(), time.process_time()
        while not trainer.step().epoch_done:
            pass
        train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall = time.perf_counter()
        test = {"accuracy": float("nan"), "loss": float("nan")}
        if trainer.epoch >= eval_from or trainer.epoch == epochs:
            test = trainer.evaluate("test")
        row = {"epoch": trainer.epoch, "test_accuracy": float(test["accuracy"]),
               "test_loss": float(test["loss"]), "lr": float(exp.optimizer.lr),
               "train_wall_s": round(train_wall, 2), "train_cpu_s": round(train_cpu, 2),
               "eval_wall_s": round(time.perf_counter() - wall, 2),
               "load": round(os.getloadavg()[0], 1)}
        print(f"{name} {json.dumps(row)}", flush=True)
        records.append(row)
    return {"preset": name, "epochs": epochs, "records": records,
            "train_wall_s": sum(r["train_wall_s"] for r in records),
            "train_cpu_s": sum(r["train_cpu_s"] for r in records),
            "eval_wall_s": sum(r["eval_wall_s"] for r in records)}


if __name__ == "__main__":
    sys.exit(main())
