"""How far is a CNN training step from the machine's matrix-product limit, and where does the
rest of the time go?

    python benchmarks/bench_gemm_limit.py [--threads 2] [--batch 100] [--repeat 20]

Prints:
1. the machine's float32 GEMM rate (a 1024^3 product through numpy's BLAS on --threads
   threads), the limit a step made only of matrix products could reach;
2. the multiply-adds of one training step of the benchmark CNN (bench_mnist.py's:
   Conv 16 3x3 p1 - ReLU - MaxPool 2 - Conv 32 3x3 p1 - ReLU - MaxPool 2 - Dense 10, batch
   100) and the seconds they would take at that rate, per step and per MNIST epoch (600 steps);
3. each training kernel's forward and backward time in a real step (median of --repeat), its
   products' share, and what is left for im2col, col2im, pooling, activations and Python.
Machine load from other processes inflates every wall time: compare the shares, run it alone for
absolute figures, or use --threads 1 --cpu (CPU time, which load hardly changes).
"""

import argparse
import os
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batch", type=int, default=100)
ap.add_argument("--repeat", type=int, default=20)
ap.add_argument("--cpu", action="store_true",
                help="process CPU time instead of wall time: with --threads 1, what an idle "
                     "machine would take, even on a loaded one")
ARGS = ap.parse_args()
CLOCK = time.process_time if ARGS.cpu else time.perf_counter
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "NNPLAYGROUND_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread count is fixed)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from bench_mnist import spec_of  # noqa: E402

from nnplayground.engine import build_model, make_loss  # noqa: E402
from nnplayground.engine.layers import Conv2D, Dense  # noqa: E402

STEPS_PER_EPOCH = 600


def median_seconds(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = CLOCK()
        fn()
        times.append(CLOCK() - t)
    return float(np.median(times))


def gemm_rate():
    """float32 multiply-adds per second of a large square product (BLAS on its threads)."""
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    b = a.copy()
    seconds = median_seconds(lambda: a @ b, 10)
    return 1024 ** 3 / seconds


def blas_kernel():
    """The CPU kernel set numpy's BLAS runs (OpenBLAS: 'Haswell' = AVX2, 'SkylakeX' = AVX-512),
    as threadpoolctl reports it; OPENBLAS_CORETYPE forces one."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    found = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
             for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(found) or "unknown"


def conv_products(layer, in_shape, batch):
    """The matrix products a training step of `layer` (a Conv2D) runs, as (name, A shape, B
    shape) per batch part, with the shapes fast/conv.py gives them: forward W2 @ cols, the
    weight gradient cols @ dz.T, the input gradient W2.T @ dz (rows widened to the padded
    width for stride 1)."""
    from nnplayground.engine.fast.conv import batch_parts
    from nnplayground.engine.layers.conv import output_size

    f, c, kh, kw = layer.params["W"].shape
    ho, wo = output_size(*in_shape[1:], kh, kw, layer.stride, layer.padding)
    k = c * kh * kw
    wide = wo + 2 * layer.padding if layer.stride == 1 else wo
    products = []
    for a, e in batch_parts(batch, k * batch * ho * wo):
        cols = (e - a) * ho * wo
        products += [("forward", (f, k), (k, cols)), ("weights", (k, cols), (cols, f))]
        if layer.needs_input_grad:
            products.append(("input", (k, f), (f, (e - a) * ho * (wide if layer.stride == 1
                                                                  else wo))))
    return products


def product_layer(kernel):
    """The Conv2D or Dense whose matrix products a training kernel computes, or None."""
    conv = getattr(kernel, "conv", None)
    for candidate in (kernel, getattr(kernel, "dense", None), conv, getattr(conv, "conv", None)):
        if isinstance(candidate, (Conv2D, Dense)):
            return candidate
    return None


def macs(layer, out_shape, batch):
    """(forward, backward) multiply-adds of the products of one kernel's layer."""
    if isinstance(layer, Conv2D):
        f, c, kh, kw = layer.params["W"].shape
        m = c * kh * kw * f * out_shape[1] * out_shape[2] * batch
    elif isinstance(layer, Dense):
        m = layer.params["W"].size * batch
    else:
        return 0, 0
    return m, m * (2 if layer.needs_input_grad else 1)


def main():
    rate = gemm_rate()
    print(f"threads {ARGS.threads}; batch {ARGS.batch}; {'CPU' if ARGS.cpu else 'wall'} time; "
          f"numpy {np.__version__}")
    print(f"1. GEMM limit: {rate * 2 / 1e9:.1f} GFLOP/s float32 (a 1024^3 product; BLAS "
          f"{blas_kernel()})")
    model = build_model(spec_of("cnn"), seed=0)
    loss = make_loss("cross_entropy")
    rng = np.random.default_rng(0)
    x = rng.random((ARGS.batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, ARGS.batch)
    plan, n = model._train_plan, len(model.order)
    total_macs = 0
    rows = []
    for kernel, _, out in plan:
        layer = product_layer(kernel)
        fwd = bwd = 0
        if layer is not None:
            node = next(i for i in model.order if model.layers[i] is layer)
            fwd, bwd = macs(layer, model.shapes[node], ARGS.batch)
        total_macs += fwd + bwd
        rows.append([type(kernel).__name__, model.order[out], fwd, bwd, [], []])
    print(f"2. one step: {total_macs / 1e6:.1f} M multiply-adds -> at the limit "
          f"{total_macs / rate * 1e3:.2f} ms a step, {total_macs / rate * STEPS_PER_EPOCH:.2f} s "
          f"an epoch of {STEPS_PER_EPOCH} steps")

    # time each kernel inside a real step (BLAS held as the trainer does)
    def step():
        with model.threads_held():
            vals = [None] * n
            for k, (kernel, ins, out) in enumerate(plan):
                t = CLOCK()
                vals[out] = kernel.forward(x if ins == () else vals[ins], True)
                rows[k][4].append(CLOCK() - t)
            _, dz = loss.fused(model.output_layer.z, y, vals[plan[-1][2]])
            grads = [None] * n
            grads[plan[-1][2]] = dz
            for k in range(len(plan) - 1, 0, -1):
                kernel, ins, out = plan[k]
                t = CLOCK()
                g = grads[out]
                d = kernel.backward_logits(g) if k == len(plan) - 1 else kernel.backward(g)
                rows[k][5].append(CLOCK() - t)
                if d is not None:
                    grads[ins] = d
    for _ in range(ARGS.repeat + 2):
        step()
    print(f"3. {'kernel':18s} {'node':6s} {'fwd ms':>7s} {'bwd ms':>7s} {'products ms':>12s} "
          f"{'GFLOP/s':>8s}")
    step_ms = products_ms = 0.0
    for name, node, fwd, bwd, tf, tb in rows:
        f_ms = float(np.median(tf[2:])) * 1e3
        b_ms = float(np.median(tb[2:])) * 1e3 if tb else 0.0
        p_ms = (fwd + bwd) / rate * 1e3
        step_ms += f_ms + b_ms
        products_ms += p_ms
        speed = 2 * (fwd + bwd) / ((f_ms + b_ms) / 1e3) / 1e9 if fwd else 0.0
        print(f"   {name:18s} {node:6s} {f_ms:7.2f} {b_ms:7.2f} {p_ms:12.2f} {speed:8.1f}")
    print(f"   step (kernels only) {step_ms:.2f} ms, of which products at the limit "
          f"{products_ms:.2f} ms ({products_ms / step_ms:.0%}); the rest, "
          f"{step_ms - products_ms:.2f} ms, is im2col/col2im copies, pooling, activations, "
          f"the loss and Python")
    # the products alone, at the shapes the step gives them
    rng_p = np.random.default_rng(1)
    measured_ms = 0.0
    print("4. the products alone, at their shapes in the step (random float32 operands):")
    for kernel, _, _ in plan:
        layer = product_layer(kernel)
        if not isinstance(layer, Conv2D):
            continue
        node = next(i for i in model.order if model.layers[i] is layer)
        in_shape = model.shapes[model._report.inputs[node][0]]
        by_name = {}
        for name, a_shape, b_shape in conv_products(layer, in_shape, ARGS.batch):
            a = rng_p.random(a_shape, dtype=np.float32)
            b = rng_p.random(b_shape, dtype=np.float32)
            t = median_seconds(lambda a=a, b=b: a @ b, ARGS.repeat)
            by_name[name] = by_name.get(name, 0.0) + t
            by_name[name + " flop"] = by_name.get(name + " flop", 0) + 2 * a.shape[0] * \
                a.shape[1] * b.shape[1]
        for name in ("forward", "weights", "input"):
            if name in by_name:
                t = by_name[name]
                measured_ms += t * 1e3
                print(f"   {node:6s} {name:8s} {t * 1e3:6.2f} ms "
                      f"({by_name[name + ' flop'] / t / 1e9:5.1f} GFLOP/s)")
    print(f"   convolution products {measured_ms:.2f} ms of the {step_ms:.2f} ms step "
          f"({measured_ms / step_ms:.0%}); everything else {step_ms - measured_ms:.2f} ms")
    print(f"   epoch estimate {step_ms * STEPS_PER_EPOCH / 1e3:.2f} s against the GEMM limit "
          f"{total_macs / rate * STEPS_PER_EPOCH:.2f} s "
          f"({step_ms / 1e3 / (total_macs / rate):.1f}x)")


if __name__ == "__main__":
    main()
