"""Per-layer and whole-step speed of the engine against PyTorch CPU (same thread count).

    python benchmarks/bench_layers.py [--threads N] [--repeat R] [--cpu]

Prints, for each layer of the reference models (batch 100), the forward + backward time of ours
and of PyTorch and the ratio ours / PyTorch; then a whole training step (forward, loss,
backward, SGD update) of the MLP 784-256-128-10 and of the CNN
Conv(16,3x3,p1)-ReLU-MaxPool2-Conv(32,3x3,p1)-ReLU-MaxPool2-Dense(10); then the microseconds
per step of the GUI's xor network (2-4-2-1 tanh, batch 10), engine alone and with the Trainer.
Random data: this measures speed only (bench_mnist.py trains on the real digits).
"""

import argparse
import os
import sys
import time


def parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=30, help="timed repetitions per measurement")
    ap.add_argument("--cpu", action="store_true",
                    help="time with process CPU time instead of wall-clock time")
    return ap.parse_args()


ARGS = parse()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread count is fixed)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from nnplayground.engine import build_model, make_loss  # noqa: E402

try:
    import torch
    torch.set_num_threads(ARGS.threads)
except ImportError:      # the ratios are skipped without PyTorch
    torch = None


def compare(ours, theirs, repeat):
    """(median seconds of ours, of theirs or None), the two timed in alternation so that a
    change in the machine's load hits both alike."""
    if theirs is None:
        return best_of(ours, repeat), None
    a, b = [], []
    for _ in range(repeat):
        a.append(best_of(ours, 1, warm=a == []))
        b.append(best_of(theirs, 1, warm=b == []))
    return float(np.median(a)), float(np.median(b))


def best_of(fn, repeat, warm=True):
    """Median seconds of `fn()` over `repeat` runs after two warm-up runs: wall-clock time,
    or with --cpu the process's CPU time (steadier when other jobs share the cores; with
    several threads it adds up the threads' time, including any spin-waiting)."""
    clock = time.process_time if ARGS.cpu else time.perf_counter
    if warm:
        fn(), fn()
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return float(np.median(times))


def node(nid, type_name, inputs, **params):
    return {"id": nid, "type": type_name, "params": params, "inputs": inputs}


def chain(shape, layers):
    nodes, prev = [node("x", "Input", [], shape=list(shape))], "x"
    for k, (t, p) in enumerate(layers):
        nodes.append(node(f"n{k}", t, [prev], **p))
        prev = f"n{k}"
    return {"nodes": nodes, "output": prev}


MLP = chain([784], [("Dense", {"units": 256, "activation": "relu"}),
                    ("Dense", {"units": 128, "activation": "relu"}),
                    ("Dense", {"units": 10, "activation": "softmax"})])
CNN = chain([1, 28, 28], [("Conv2D", {"filters": 16, "kernel": 3, "padding": 1,
                                      "activation": "relu"}),
                          ("MaxPool2D", {}),
                          ("Conv2D", {"filters": 32, "kernel": 3, "padding": 1,
                                      "activation": "relu"}),
                          ("MaxPool2D", {}), ("Flatten", {}),
                          ("Dense", {"units": 10, "activation": "softmax"})])
XOR = chain([2], [("Dense", {"units": 4, "activation": "tanh"}),
                  ("Dense", {"units": 2, "activation": "tanh"}),
                  ("Dense", {"units": 1, "activation": "sigmoid"})])


def torch_model(kind):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def layer_cases():
    """(name, our spec, input shape without batch, torch module factory, first layer?)."""
    nn = torch.nn if torch else None
    return [
        ("Dense 784->256 relu", chain([784], [("Dense", {"units": 256, "activation": "relu"})]),
         (784,), lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU())),
        ("Dense 256->128 relu (dx)", chain([256], [("Activation", {"function": "identity"}),
                                                   ("Dense", {"units": 128,
                                                              "activation": "relu"})]),
         (256,), lambda: nn.Sequential(nn.Linear(256, 128), nn.ReLU())),
        ("Conv 1->16 3x3 p1 relu", chain([1, 28, 28], [("Conv2D", {
            "filters": 16, "kernel": 3, "padding": 1, "activation": "relu"})]),
         (1, 28, 28), lambda: nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU())),
        ("MaxPool 2x2 on 16x28x28 (dx)", chain([16, 28, 28], [
            ("Activation", {"function": "identity"}), ("MaxPool2D", {})]),
         (16, 28, 28), lambda: nn.MaxPool2d(2)),
        ("Conv 16->32 3x3 p1 relu (dx)", chain([16, 14, 14], [
            ("Activation", {"function": "identity"}),
            ("Conv2D", {"filters": 32, "kernel": 3, "padding": 1, "activation": "relu"})]),
         (16, 14, 14), lambda: nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())),
        ("MaxPool 2x2 on 32x14x14 (dx)", chain([32, 14, 14], [
            ("Activation", {"function": "identity"}), ("MaxPool2D", {})]),
         (32, 14, 14), lambda: nn.MaxPool2d(2)),
    ]


def ours_fwd_bwd(spec, shape, batch=100):
    """Forward + backward of `spec` on random input, with d loss / d output = ones (laid out
    in memory like the output, as the next layer's gradient would be). A Flatten is added
    after the layer: the output node always runs its reference layer, a hidden one its
    training kernel, which is what is measured."""
    spec = {"nodes": spec["nodes"] + [{"id": "tail", "type": "Flatten", "params": {},
                                       "inputs": [spec["output"]]}], "output": "tail"}
    model = build_model(spec, seed=0)
    x = np.random.default_rng(0).random((batch, *shape), dtype=np.float32)
    dy = np.ones_like(model.forward(x, training=True))

    plan, n = model._train_plan, len(model.order)     # the kernels a training step runs

    def run():
        with model.threads_held():       # as in a training step (see Model.threads_held)
            model._run_forward(plan, x, True, n)
            model._run_backward(plan, dy, False, n)
    return run


def torch_fwd_bwd(factory, shape, needs_dx, batch=100):
    module = factory()
    x = torch.rand(batch, *shape, requires_grad=needs_dx)

    def run():
        y = module(x)
        y.backward(torch.ones_like(y))
    return run


def ours_step(spec, shape, loss_name, batch, lr=0.1):
    model = build_model(spec, seed=0)
    rng = np.random.default_rng(0)
    x = rng.random((batch, *shape), dtype=np.float32)
    k = model.output_shape[0]
    y = rng.integers(0, max(k, 2), batch)
    loss = make_loss(loss_name)
    params, grads = model.params, model.grads

    def run():
        model.forward_backward(x, y, loss)
        for key, p in params.items():
            p -= lr * grads[key]
    return run


def torch_step(kind, batch, lr=0.1):
    module = torch_model(kind)
    opt = torch.optim.SGD(module.parameters(), lr=lr)
    shape = (784,) if kind == "mlp" else (1, 28, 28)
    x = torch.rand(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    lossf = torch.nn.CrossEntropyLoss()

    def run():
        opt.zero_grad()
        lossf(module(x), y).backward()
        opt.step()
    return run


def xor_steps():
    """Microseconds per step of the xor preset's network: engine alone, and the Trainer."""
    run = ours_step(XOR, (2,), "binary_cross_entropy", 10, lr=0.03)
    n = 5000
    clock = time.process_time if ARGS.cpu else time.perf_counter
    run()
    t = clock()
    for _ in range(n):
        run()
    engine_us = (clock() - t) / n * 1e6
    trainer_us = None
    try:
        from nnplayground.engine import Trainer, make_optimizer
        rng = np.random.default_rng(0)
        x = rng.uniform(-6, 6, (250, 2)).astype(np.float32)
        y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
        trainer = Trainer(build_model(XOR, seed=0), loss="binary_cross_entropy",
                          optimizer=make_optimizer({"type": "sgd", "lr": 0.03}), x_train=x,
                          y_train=y, x_test=x, y_test=y, task="classification", batch_size=10,
                          seed=0)
        for _ in range(100):
            trainer.step()
        t = clock()
        for _ in range(n):
            trainer.step()
        trainer_us = (clock() - t) / n * 1e6
    except Exception as e:       # the trainer is another module; report, do not hide
        print(f"  (Trainer not measured: {e!r})")
    return engine_us, trainer_us


def main():
    r = ARGS.repeat
    print(f"threads: {ARGS.threads}; {'CPU' if ARGS.cpu else 'wall-clock'} time; "
          f"numpy {np.__version__}"
          + (f"; torch {torch.__version__}" if torch else "; torch not installed"))
    print(f"\n{'forward+backward, batch 100':34s} {'ours ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, spec, shape, factory in layer_cases():
        ours, theirs = compare(ours_fwd_bwd(spec, shape),
                               torch_fwd_bwd(factory, shape, "(dx)" in name) if torch else None,
                               r)
        line = f"{name:34s} {ours * 1e3:9.3f}"
        if theirs:
            line += f" {theirs * 1e3:9.3f} {ours / theirs:6.2f}"
        print(line)
    print(f"\n{'training step (SGD), batch 100':34s} {'ours ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for kind, spec, shape in (("mlp", MLP, (784,)), ("cnn", CNN, (1, 28, 28))):
        ours, theirs = compare(ours_step(spec, shape, "cross_entropy", 100),
                               torch_step(kind, 100) if torch else None, r)
        line = f"{kind.upper() + ' step':34s} {ours * 1e3:9.3f}"
        if theirs:
            line += f" {theirs * 1e3:9.3f} {ours / theirs:6.2f}"
        print(line)
    engine_us, trainer_us = xor_steps()
    print(f"\nxor 2-4-2-1 tanh, batch 10: engine step (forward, loss, backward, SGD) "
          f"{engine_us:.1f} us", end="")
    print(f"; Trainer.step {trainer_us:.1f} us" if trainer_us else "")


if __name__ == "__main__":
    main()
