"""Train the reference MLP and CNN on the full MNIST; print speed, memory and accuracy.

    python benchmarks/bench_mnist.py [--mnist DIR] [--epochs N] [--threads N] [--models mlp,cnn]
                                     [--rounds R] [--pairs P] [--paired-only]

Each (model, implementation) pair runs in its own subprocess, so its peak resident memory
(`resource.getrusage().ru_maxrss`, which sees numpy's buffers, unlike tracemalloc) is its own and
the BLAS thread count can be fixed before numpy or torch is imported. When torch is importable,
the same models are trained in PyTorch with the same thread count and the ratio ours / PyTorch
of the seconds per epoch is printed. Also prints the cost of one training step of the GUI's
xor preset (2-4-2-1 tanh, batch 10) and of the trainer's divergence safety net.

The IDX reader is self-contained on purpose: the benchmark must not depend on the data package.
"""

import argparse
import gzip
import json
import math
import os
import struct
import subprocess
import sys
import time

# the README's place for the full MNIST: ../shared/datasets/mnist beside the repository
DEFAULT_MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                             "datasets", "mnist")
FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
         "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}
CHUNK = 20      # steps per timed chunk: the median chunk filters out bursts of other load
MODELS = {
    "mlp": {"batch": 100, "optimizer": {"type": "sgd", "lr": 0.1}},
    "cnn": {"batch": 100, "optimizer": {"type": "adam", "lr": 1e-3}},
}


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip) as a uint8 array; checks the magic number and the size."""
    import numpy as np

    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08 or (magic & 0xFF) not in (1, 3):
        raise SystemExit(f"{path}: not a uint8 IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    expected = 4 + 4 * ndim + int(np.prod(shape))
    if len(data) != expected:
        raise SystemExit(f"{path}: {len(data)} bytes after decompression, expected {expected} "
                         f"for shape {shape}; the file is truncated or corrupt")
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(folder):
    import numpy as np

    arrays = {k: read_idx(os.path.join(folder, name)) for k, name in FILES.items()}
    for k in ("x_train", "x_test"):
        arrays[k] = (arrays[k].astype(np.float32) / np.float32(255.0))[:, None, :, :]
    for k in ("y_train", "y_test"):
        arrays[k] = arrays[k].astype(np.int64)
    return arrays


def find_mnist(given):
    for folder in (given, os.environ.get("NNPLAYGROUND_MNIST_DIR"), DEFAULT_MNIST):
        if folder and all(os.path.exists(os.path.join(folder, f)) for f in FILES.values()):
            return folder
    raise SystemExit(f"MNIST not found: give --mnist DIR or set NNPLAYGROUND_MNIST_DIR to a "
                     f"folder holding {', '.join(FILES.values())}")


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kilobytes


# ---------------------------------------------------------------- ours

def spec_of(kind):
    def node(i, t, inputs, **params):
        return {"id": i, "type": t, "params": params, "inputs": inputs}

    if kind == "mlp":
        nodes = [node("x", "Input", [], shape=[784]),
                 node("h1", "Dense", ["x"], units=256, activation="relu", init="he"),
                 node("h2", "Dense", ["h1"], units=128, activation="relu", init="he"),
                 node("out", "Dense", ["h2"], units=10, activation="softmax")]
    else:
        nodes = [node("x", "Input", [], shape=[1, 28, 28]),
                 node("c1", "Conv2D", ["x"], filters=16, kernel=3, padding=1, activation="relu"),
                 node("p1", "MaxPool2D", ["c1"], size=2),
                 node("c2", "Conv2D", ["p1"], filters=32, kernel=3, padding=1, activation="relu"),
                 node("p2", "MaxPool2D", ["c2"], size=2),
                 node("f", "Flatten", ["p2"]),
                 node("out", "Dense", ["f"], units=10, activation="softmax")]
    return {"nodes": nodes, "output": "out"}


def ours_trainer(kind, data):
    import numpy as np

    from nnplayground.engine import Trainer, build_model, make_optimizer

    x_train, x_test = data["x_train"], data["x_test"]
    if kind == "mlp":
        x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    model = build_model(spec_of(kind), seed=0, dtype=np.float32)
    return Trainer(model, "cross_entropy", make_optimizer(MODELS[kind]["optimizer"]),
                   x_train, data["y_train"], x_test, data["y_test"], task="classification",
                   batch_size=MODELS[kind]["batch"], seed=0)


def run_ours(kind, data, epochs):
    trainer = ours_trainer(kind, data)
    seconds, chunks, cpu = [], [], []
    for _ in range(epochs):
        start = chunk_start = time.perf_counter()
        cpu_start = time.process_time()
        done, n = False, 0
        while not done:
            done = trainer.step().epoch_done
            n += 1
            if n % CHUNK == 0:
                now = time.perf_counter()
                chunks.append(now - chunk_start)
                chunk_start = now
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    result = {"seconds": seconds, "accuracy": trainer.evaluate("test")["accuracy"],
              "steps": trainer.steps_done, "chunks": chunks, "cpu_seconds": cpu}
    result["safety_us"] = safety_net_cost(trainer)
    return result


def safety_net_cost(trainer, repeat=200):
    """µs per step of the divergence safety net: the finiteness test of all updates (one dot
    product over the optimizer's flat scratch buffer, as in Optimizer.guarded_step) and the
    np.errstate around the step. For comparison, what a copy of all parameters before each
    update would have cost."""
    import numpy as np

    params = trainer.model.params
    backup = {key: np.empty_like(p) for key, p in params.items()}
    flat = trainer.optimizer._scratch_flat

    def check():
        return math.isfinite(np.vdot(flat, flat))

    def copy():
        for key, p in params.items():
            backup[key][...] = p

    def quiet():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            pass

    out = {}
    for name, fn in (("update_check", check), ("errstate", quiet),
                     ("(avoided) backup_copy", copy)):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        out[name] = (time.process_time() - start) / repeat * 1e6
    return out


def run_xor(steps=5000):
    """µs per complete training step of the GUI's xor preset: 2-4-2-1 tanh, batch 10, 250
    training points (25 steps per epoch), SGD, sigmoid + binary cross-entropy. Timed in CPU
    time of this process (`time.process_time`), so other load on a shared machine weighs less;
    the best of three rounds."""
    import numpy as np

    from nnplayground.engine import Trainer, build_model, make_optimizer

    def dense(i, inp, units, act):
        return {"id": i, "type": "Dense", "params": {"units": units, "activation": act},
                "inputs": [inp]}

    spec = {"nodes": [{"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": []},
                      dense("h1", "x", 4, "tanh"), dense("h2", "h1", 2, "tanh"),
                      dense("out", "h2", 1, "sigmoid")], "output": "out"}
    rng = np.random.default_rng(0)
    x = rng.uniform(-6, 6, (500, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    model = build_model(spec, seed=0)
    trainer = Trainer(model, "binary_cross_entropy", make_optimizer({"type": "sgd", "lr": 0.03}),
                      x[:250], y[:250], x[250:], y[250:], batch_size=10, seed=0)
    best = {}
    for _ in range(3):
        start = time.process_time()
        for _ in range(steps):
            trainer.step()
        step_us = (time.process_time() - start) / steps * 1e6
        start = time.process_time()
        for _ in range(steps):
            model.forward_backward(x[:10], y[:10], trainer.loss)
        model_us = (time.process_time() - start) / steps * 1e6
        if not best or step_us < best["step_us"]:
            best = {"step_us": step_us, "model_us": model_us}
    start = time.process_time()
    trainer.fit(20)
    best["epochs_per_s_with_eval"] = 20 / (time.process_time() - start)
    best["safety_us"] = safety_net_cost(trainer, repeat=5000)
    return best


# ---------------------------------------------------------------- PyTorch

def torch_net(kind, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if kind == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                            nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
    else:
        net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    return net, opt


def run_torch(kind, data, epochs, threads):
    import torch
    from torch import nn

    net, opt = torch_net(kind, threads)
    x, y = torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"])
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    batch = MODELS[kind]["batch"]
    seconds, chunks, cpu = [], [], []
    for _ in range(epochs):
        start = chunk_start = time.perf_counter()
        cpu_start = time.process_time()
        perm = torch.randperm(len(x), generator=gen)
        for n, i in enumerate(range(0, len(x), batch), 1):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            if n % CHUNK == 0:
                now = time.perf_counter()
                chunks.append(now - chunk_start)
                chunk_start = now
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    with torch.no_grad():
        xt, yt = torch.from_numpy(data["x_test"]), torch.from_numpy(data["y_test"])
        correct = sum(int((net(xt[i:i + 500]).argmax(1) == yt[i:i + 500]).sum())
                      for i in range(0, len(xt), 500))
    return {"seconds": seconds, "accuracy": correct / len(xt), "chunks": chunks,
            "steps": epochs * -(-len(x) // batch), "cpu_seconds": cpu}


def run_paired(kind, data, threads, rounds=15):
    """Ours and PyTorch in one process, alternating CHUNK-step chunks on the same batches, so
    that a burst of other load hits both alike; the ratio is the median of the paired chunks."""
    import statistics

    import torch
    from torch import nn

    trainer = ours_trainer(kind, data)
    net, opt = torch_net(kind, threads)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"])
    batch = MODELS[kind]["batch"]
    perm = torch.from_numpy(trainer._rng.permutation(len(x)))   # any order will do

    def torch_steps(first):
        for n in range(first, first + CHUNK):
            idx = perm[n * batch % len(x):][:batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(x[idx]), y[idx]).backward()
            opt.step()

    ratios, ours_ms, ref_ms, cpu_ratios = [], [], [], []
    for r in range(rounds + 1):
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(CHUNK):
            trainer.step()
        ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        torch_steps(r * CHUNK)
        ref, ref_cpu = time.perf_counter() - start, time.process_time() - cpu
        if r:                                   # the first round warms both up
            ratios.append(ours / ref)
            cpu_ratios.append(ours_cpu / ref_cpu)
            ours_ms.append(ours / CHUNK * 1e3)
            ref_ms.append(ref / CHUNK * 1e3)
    return {"ratio": statistics.median(ratios), "ratios": ratios,
            "cpu_ratio": statistics.median(cpu_ratios), "cpu_ratios": cpu_ratios,
            "ours_ms": statistics.median(ours_ms), "torch_ms": statistics.median(ref_ms)}


# ---------------------------------------------------------------- driver

def child(args):
    """One run in this process; prints one JSON line."""
    impl, kind = args.child.split("-")
    if kind == "xor":
        result = run_xor()
    else:
        data = load_mnist(args.mnist)
        if args.train_limit:
            data["x_train"] = data["x_train"][:args.train_limit]
            data["y_train"] = data["y_train"][:args.train_limit]
        if impl == "ours":
            result = run_ours(kind, data, args.epochs)
        elif impl == "paired":
            result = run_paired(kind, data, args.threads, args.pairs)
        else:
            result = run_torch(kind, data, args.epochs, args.threads)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def spawn(what, args, mnist):
    threads = str(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", what, "--mnist", mnist,
           "--epochs", str(args.epochs), "--threads", threads, "--pairs", str(args.pairs)]
    if args.train_limit:
        cmd += ["--train-limit", str(args.train_limit)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def torch_available():
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", default=None, help="folder of the four IDX .gz files")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="mlp,cnn", help="comma-separated: mlp,cnn,xor")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch runs")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run ours and PyTorch alternately this many times and print the "
                        "medians (the machine's speed drifts: one round can mislead)")
    parser.add_argument("--pairs", type=int, default=15,
                        help="paired chunks of ours and PyTorch in one process (default 15)")
    parser.add_argument("--paired-only", action="store_true",
                        help="only the paired chunks (ours and PyTorch in one process): the "
                        "figure that survives a busy machine, without the separate epochs")
    parser.add_argument("--train-limit", type=int, default=None,
                        help="train on the first N images only (quick runs; not the benchmark)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    kinds = [k.strip() for k in args.models.split(",") if k.strip()]
    unknown = set(kinds) - {"mlp", "cnn", "xor"}
    if unknown:
        parser.error(f"--models: unknown {', '.join(sorted(unknown))}; use mlp, cnn, xor")
    mnist = find_mnist(args.mnist) if set(kinds) & {"mlp", "cnn"} else ""
    with_torch = torch_available() and not args.no_torch
    print(f"MNIST from {mnist or '-'}; {args.epochs} epoch(s); {args.threads} thread(s); "
          f"PyTorch {'yes' if with_torch else 'not installed (or --no-torch)'}")
    for kind in kinds:
        if kind == "xor":
            r = spawn("ours-xor", args, mnist)
            print(f"xor 2-4-2-1 tanh, batch 10: {r['step_us']:.1f} us/step "
                  f"(model forward+backward {r['model_us']:.1f} us), "
                  f"{1e6 / (25 * r['step_us']):.0f} epochs/s of steps, "
                  f"{r['epochs_per_s_with_eval']:.0f} epochs/s with evaluation; safety net "
                  + ", ".join(f"{k} {v:.2f} us" for k, v in r["safety_us"].items()))
            continue
        walls = {"ours": [], "torch": []}
        cpus = {"ours": [], "torch": []}
        for r in range(0 if args.paired_only and with_torch else args.rounds):
            ours = spawn(f"ours-{kind}", args, mnist)
            ours_epoch, ours_med = report(kind, "ours ", ours)
            walls["ours"].append(ours_epoch)
            cpus["ours"].append(sum(ours["cpu_seconds"]) / len(ours["cpu_seconds"]))
            if r == 0:
                print(f"{kind} ours : safety net per step "
                      + ", ".join(f"{k} {v:.1f} us" for k, v in ours["safety_us"].items()))
            if not with_torch:
                continue
            ref = spawn(f"torch-{kind}", args, mnist)
            ref_epoch, ref_med = report(kind, "torch", ref)
            walls["torch"].append(ref_epoch)
            cpus["torch"].append(sum(ref["cpu_seconds"]) / len(ref["cpu_seconds"]))
            print(f"{kind} ratio ours/PyTorch: {ours_epoch / ref_epoch:.2f} (wall), "
                  f"{ours_med / ref_med:.2f} (median chunks), "
                  f"{cpus['ours'][-1] / cpus['torch'][-1]:.2f} (CPU time: "
                  f"{cpus['ours'][-1]:.2f} vs {cpus['torch'][-1]:.2f} s/epoch)")
        if with_torch:
            paired = spawn(f"paired-{kind}", args, mnist)
            print(f"{kind} ratio ours/PyTorch: {paired['ratio']:.2f} (paired chunks in one "
                  f"process: {paired['ours_ms']:.2f} vs {paired['torch_ms']:.2f} ms/step, "
                  f"range {min(paired['ratios']):.2f}-{max(paired['ratios']):.2f})")
            if args.threads == 1:
                # one thread: CPU seconds are what an idle machine would take, even on a busy one
                print(f"{kind} ratio ours/PyTorch in CPU time: {paired['cpu_ratio']:.2f} (the "
                      f"same paired chunks, range {min(paired['cpu_ratios']):.2f}-"
                      f"{max(paired['cpu_ratios']):.2f})")
            if args.rounds > 1 and not args.paired_only:
                import statistics
                ours_s, ref_s = (statistics.median(walls[k]) for k in ("ours", "torch"))
                ratios = sorted(a / b for a, b in zip(walls["ours"], walls["torch"]))
                print(f"{kind} over {args.rounds} rounds: ours {ours_s:.2f} s/epoch, PyTorch "
                      f"{ref_s:.2f} s/epoch (medians); ratio of medians {ours_s / ref_s:.2f}, "
                      f"per round {', '.join(f'{x:.2f}' for x in ratios)}")
                cpu_ratios = sorted(a / b for a, b in zip(cpus["ours"], cpus["torch"]))
                print(f"{kind} over {args.rounds} rounds in CPU time (each in its own process; "
                      f"with one thread, what an idle machine would take): ratio per round "
                      f"{', '.join(f'{x:.2f}' for x in cpu_ratios)}, median "
                      f"{statistics.median(cpu_ratios):.2f}")


def report(kind, who, r):
    """Print one run; return (wall seconds per epoch, median-chunk estimate per epoch)."""
    import statistics

    per_epoch = sum(r["seconds"]) / len(r["seconds"])
    steps_per_epoch = r["steps"] / len(r["seconds"])
    median = (statistics.median(r["chunks"]) / CHUNK * steps_per_epoch if r["chunks"]
              else per_epoch)
    print(f"{kind} {who}: {per_epoch:7.2f} s/epoch wall, {median:7.2f} s/epoch from the median "
          f"{CHUNK}-step chunk ({median / steps_per_epoch * 1e3:.2f} ms/step)  "
          f"peak RSS {r['peak_rss_mb']:5.0f} MB  test accuracy {r['accuracy']:.4f}")
    return per_epoch, median


if __name__ == "__main__":
    main()
