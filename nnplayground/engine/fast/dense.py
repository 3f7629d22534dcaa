"""A fully connected layer for training, its matrix products shared between the engine's
threads while BLAS is held to one thread (threads.py).

Why not let BLAS split the products itself: OpenBLAS's threads spin while they wait for work,
so two trainings at once on 2 cores (the app and a command-line run) had 4 spinning threads
fight for 2 cores, and each ran at an eighth of its solo speed. The engine's own threads wait
without spinning, so two trainings then share the machine fairly; alone, splitting the
products in two is as fast as BLAS's own split.

How: y = x W and dW = x^T dz are split by columns (units), dx = dz W^T by rows (samples).
Each part writes its own block, no part is summed with another, so the numbers are those of
the unsplit products; the parts follow the sizes only, never the thread count.
"""

import numpy as np

from .threads import over_parts

MIN_SPLIT = 1 << 20     # multiply-adds: a smaller product is not worth a thread handoff


def split(size, work):
    """[(start, stop)] cutting range(size) into 2 parts when `work` multiply-adds are worth
    sharing, 4 when they are plenty, else 1 (from the sizes alone)."""
    k = 4 if work >= 8 * MIN_SPLIT else 2 if work >= MIN_SPLIT else 1
    k = min(k, size)
    return [(size * i // k, size * (i + 1) // k) for i in range(k)]


class DenseParts:
    """Training kernel of a `layers.Dense` (whose params it reads and grads it fills).

    x: (batch, n_in) -> y: (batch, units); W: (n_in, units), b: (units,)
    """

    def __init__(self, dense):
        self.dense = dense
        act = dense.activation
        self.activation = None if act.name == "identity" else act

    @staticmethod
    def fits(dense):
        """Worth a kernel of its own: at least MIN_SPLIT / 64 weights (a batch of 64 then
        makes a product worth sharing); xor's 2-4-2-1 layers stay with their layer."""
        return dense.params["W"].size * 64 >= MIN_SPLIT

    def forward(self, x, training=True):
        d = self.dense
        W = d.params["W"]
        n_in, units = W.shape
        self.x = x
        z = np.empty((len(x), units), dtype=np.result_type(x, W))
        cols = split(units, len(x) * n_in * units)

        def part(k):
            a, e = cols[k]
            np.matmul(x, W[:, a:e], out=z[:, a:e])
        over_parts(part, len(cols))
        if d.use_bias:
            z += d.params["b"]
        self.z = z
        self.y = z if self.activation is None else self.activation.forward(z)
        return self.y

    def backward(self, dy):
        d = self.dense
        W = d.params["W"]
        n_in, units = W.shape
        dz = dy if self.activation is None else self.activation.backward(self.z, self.y, dy)
        dW = d.grads["W"]
        work = len(dz) * n_in * units
        cols = split(units, work)
        rows = split(len(dz), work) if d.needs_input_grad else []
        dx = np.empty((len(dz), n_in), dtype=dz.dtype) if rows else None
        tasks = [("dW", a, e) for a, e in cols] + [("dx", a, e) for a, e in rows]

        def part(k):
            what, a, e = tasks[k]
            if what == "dW":
                np.matmul(self.x.T, dz[:, a:e], out=dW[:, a:e])
            else:
                np.matmul(dz[a:e], W.T, out=dx[a:e])
        over_parts(part, len(tasks))
        if d.use_bias:
            np.add.reduce(dz, axis=0, out=d.grads["b"])
        return dx
