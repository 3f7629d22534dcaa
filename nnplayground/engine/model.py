"""The Model: layers of a checked graph run in topological order.

The forward and backward passes walk a plan compiled once at build time (a list of
(kernel, input slots, output slot)), so a training step of a small network costs little more
than its numpy calls: no dict lookups by name, no validation, no copies on the hot path.
`forward` walks the reference layers; a training step, and `predict` in inference mode, the
kernels `engine/fast/` chooses.
"""

import contextlib
import copy
import inspect

import numpy as np

from . import layers as L
from .fast import THREADED_KERNELS, training_plan
from .fast.memory import keep_freed_memory
from .fast.packed import pack_parameters
from .fast.threads import blas_held_for_parts


def _make_layer(type_name, params, in_shapes, rng, dropout_rng, dtype):
    """The layer object for one checked node: its class called with the node's params (with
    defaults filled in; each name is a keyword of the class, see catalogue.py) and whichever
    of in_shape, n_in, rng and dtype the class takes."""
    cls = L.LAYER_TYPES[type_name]
    context = {"rng": dropout_rng if type_name == "Dropout" else rng, "dtype": dtype}
    if in_shapes:
        context["in_shape"] = tuple(in_shapes[0])
        context["n_in"] = in_shapes[0][0]
    wanted = inspect.signature(cls).parameters
    return cls(**params, **{k: v for k, v in context.items() if k in wanted})


def _compile(steps, slot):
    """[(kernel, input ids, output id)] -> [(kernel, input slot(s), output slot)]: an int for
    a single input, a tuple for a merging layer, () for the Input."""
    plan = []
    for kernel, ins, out in steps:
        slots = [slot[i] for i in ins]
        plan.append((kernel, slots[0] if len(slots) == 1 else tuple(slots), slot[out]))
    return plan


class Model:
    """A built graph. Use ``build_model(spec, seed, dtype)`` rather than this constructor.

    Attributes: ``input_shape``, ``output_shape`` (without batch), ``order`` (topological),
    ``layers`` ({node_id: Layer}, the reference layers), ``params`` / ``grads``
    ({(node_id, name): ndarray}, the same arrays as the layers' own: backward fills the grads
    in place, so these dicts stay valid for an optimizer), ``packed`` (all of them as views
    into one flat array each, and each one's slice: `fast.packed.PackedParameters`),
    ``dtype``, ``seed``, ``spec`` (a copy of the graph).

    Two plans run the layers: `forward`, `forward_all` and the gradient check run every
    node's reference layer as the diagram draws it; a training step (`forward_backward`) and
    batch inference (`predict`, with training=False) run the kernels `fast.training_plan`
    chooses.
    """

    def __init__(self, spec, report, seed=0, dtype=np.float32):
        self.spec = copy.deepcopy(spec)
        self._report = report       # the checked graph, for astype's twin
        self.seed = int(seed)
        self.dtype = np.dtype(dtype).type
        self.order = list(report.order)
        self.output_id = report.output
        self.shapes = dict(report.shapes)
        self.types = {i: report.types[i] for i in self.order}
        rng = np.random.default_rng(self.seed)
        dropout_rng = np.random.default_rng([self.seed, 1])
        self.layers = {}
        for node_id in self.order:
            ins = report.inputs[node_id]
            layer = _make_layer(report.types[node_id], report.params[node_id],
                                [report.shapes[i] for i in ins], rng, dropout_rng, self.dtype)
            if ins and all(report.types[i] == "Input" for i in ins):
                layer.needs_input_grad = False
            self.layers[node_id] = layer
        self.input_shape = tuple(report.shapes[self.order[0]])
        self.output_shape = tuple(report.shapes[self.output_id])
        self.output_layer = self.layers[self.output_id]
        self.output_activation = self._output_activation()
        self.packed = pack_parameters(self.layers, self.dtype)
        self.params = {(i, k): v for i in self.order for k, v in self.layers[i].params.items()}
        self.grads = {(i, k): self.layers[i].grads[k] for i, k in self.params}

        slot = {node_id: k for k, node_id in enumerate(self.order)}
        inputs = {i: list(report.inputs[i]) for i in self.order}
        self._plan = _compile([(self.layers[i], inputs[i], i) for i in self.order], slot)
        steps = training_plan(self.order, self.layers, inputs, self.shapes, self.output_id)
        self._train_plan = _compile(steps, slot)
        self.training_kernels = {out: kernel for kernel, _, out in steps}
        # kernels that share their products between threads hold BLAS to one thread
        self._holds_blas = any(isinstance(k, THREADED_KERNELS) for k, _, _ in steps)
        if self._holds_blas:
            # their temporaries are megabytes: reuse freed memory, not fault it in each step
            keep_freed_memory()

    def _output_activation(self):
        layer = self.output_layer
        if isinstance(layer, L.ActivatedLayer):
            return layer.activation.name
        return "identity"

    # ------------------------------------------------------------ passes

    @staticmethod
    def _run_forward(plan, x, training, n_slots):
        vals = [None] * n_slots
        for kernel, ins, out in plan:
            if ins.__class__ is int:
                vals[out] = kernel.forward(vals[ins], training)
            elif ins:
                vals[out] = kernel.forward([vals[i] for i in ins], training)
            else:
                vals[out] = kernel.forward(x, training)
        return vals

    @staticmethod
    def _run_backward(plan, dout, fused, n_slots):
        """Back-propagate d loss / d output (or d loss / d logits when `fused`)."""
        grads = [None] * n_slots
        last = plan[-1][2]
        grads[last] = dout
        for kernel, ins, out in reversed(plan):
            g = grads[out]
            grads[out] = None
            if g is None or ins == ():
                continue
            dx = kernel.backward_logits(g) if (fused and out == last) else kernel.backward(g)
            if ins.__class__ is int:
                if dx is not None:
                    grads[ins] = dx if grads[ins] is None else grads[ins] + dx
            else:
                for i, d in zip(ins, dx):
                    grads[i] = d if grads[i] is None else grads[i] + d

    def _forward(self, x, training):
        """Every node's output through the reference layers (None for none)."""
        return self._run_forward(self._plan, x, training, len(self.order))

    def forward(self, x, training=False):
        """y: (batch, *output_shape), after the output's final activation."""
        return self._forward(x, training)[-1]

    def forward_all(self, x):
        """Inference; {node_id: that node's output} for every node (the views show them)."""
        return dict(zip(self.order, self._forward(x, False)))

    def predict(self, x, batch_size=500):
        """The network's output for many inputs (evaluation, predictions, explanations), in
        batches of `batch_size`, so a conv net never builds one im2col for a whole test set
        (10,000 MNIST images would need gigabytes).

        It runs the training kernels in inference mode (training=False: dropout off, batch
        normalisation on its running statistics): the same numbers as `forward`'s reference
        layers to float32 rounding (tests/engine/test_fast_kernels.py), five times faster for
        a conv net (mnist-best's test set: 2.3 s of CPU instead of 12). `forward` and
        `forward_all` keep the reference layers, whose every node output the views show."""
        n = len(x)
        out = np.empty((n,) + self.output_shape, dtype=self.dtype)
        with self.threads_held():
            for start in range(0, n, batch_size):
                out[start:start + batch_size] = self._run_forward(
                    self._train_plan, x[start:start + batch_size], False, len(self.order))[-1]
        return out

    def check_loss(self, loss):
        """Raise ValueError when `loss` cannot be used with this model's output (e.g.
        cross_entropy on an output that does not end in softmax)."""
        need = loss.requires
        if need is not None and self.output_activation != need:
            other = {"softmax": "binary_cross_entropy with a sigmoid output, or mse",
                     "sigmoid": "cross_entropy with a softmax output, or mse"}[need]
            raise ValueError(
                f"the loss {loss.name} needs the output node \"{self.output_id}\" "
                f"({self.types[self.output_id]}) to end in {need}, but it ends in "
                f"{self.output_activation}; set its activation to {need}, or use {other}")
        if loss.name == "cross_entropy" and len(self.output_shape) != 1:
            raise ValueError(f"the loss cross_entropy needs a flat output (batch, classes), "
                             f"but \"{self.output_id}\" gives {self.output_shape}; add a "
                             f"Flatten and a Dense layer with one unit per class")

    def forward_backward(self, x, y, loss, training=True, reference=False):
        """One training pass: forward (training=True), loss, backward; fills the grads.
        It runs the training kernels; `reference=True` runs the reference layers instead, and
        training=False back-propagates through the inference path (the gradient check uses
        both).

        Cross-entropy losses are fused with their softmax/sigmoid: the gradient (p - y) / N goes
        straight to the logits, which stays exact for logits of +-1000.
        Returns (loss value, output).
        """
        if loss.requires is not None and loss.requires != self.output_activation:
            self.check_loss(loss)
        fast = training and not reference
        plan = self._train_plan if fast else self._plan
        n = len(self.order)
        with self.threads_held() if fast else contextlib.nullcontext():
            out = self._run_forward(plan, x, training, n)[-1]
            if loss.requires is not None:
                value, dz = loss.fused(self.output_layer.z, y, out)
                self._run_backward(plan, dz, True, n)
            else:
                value = loss(out, y)
                self._run_backward(plan, loss.gradient(out, y), False, n)
        return value, out

    def threads_held(self):
        """A context for a whole training step of a model with threaded kernels (convolutions,
        large Dense layers): BLAS stays on one thread from the first layer to the optimizer's
        update, while the kernels share their products between the engine's threads. Holding
        it per pass instead cost 6 ms a mnist-cnn step (OpenBLAS's threads woken and parked
        in between). Re-entrant."""
        return blas_held_for_parts() if self._holds_blas else contextlib.nullcontext()

    # ------------------------------------------------------------ state

    def state_dict(self):
        """{"<node_id>/<name>": copy} of every parameter and buffer."""
        state = {}
        for node_id in self.order:
            layer = self.layers[node_id]
            for name, value in (*layer.params.items(), *layer.buffers.items()):
                state[f"{node_id}/{name}"] = value.copy()
        return state

    def load_state_dict(self, state):
        """Copy `state` into the model's arrays (in place: optimizers keep their references).
        Every name must be present with the right shape; raises ValueError naming the first
        mismatch and what was expected."""
        own = {}
        for node_id in self.order:
            layer = self.layers[node_id]
            for name, value in (*layer.params.items(), *layer.buffers.items()):
                own[f"{node_id}/{name}"] = value
        missing = [k for k in own if k not in state]
        extra = [k for k in state if k not in own]
        if missing:
            raise ValueError(f"the saved state has no {missing[0]!r} (missing: "
                             f"{', '.join(missing)}); it was saved from a different graph")
        if extra:
            raise ValueError(f"the saved state has {extra[0]!r}, which this model does not "
                             f"have (unexpected: {', '.join(extra)}); it was saved from a "
                             f"different graph")
        for key, value in own.items():
            new = np.asarray(state[key])
            if new.shape != value.shape:
                raise ValueError(f"{key!r} has shape {new.shape} in the saved state but "
                                 f"{value.shape} in this model; it was saved from a graph "
                                 f"with different sizes")
        for key, value in own.items():
            value[...] = state[key]

    def astype(self, dtype):
        """A copy of this model in `dtype` (same graph, same parameters and buffers)."""
        twin = Model(self.spec, self._report, seed=self.seed, dtype=dtype)
        twin.load_state_dict(self.state_dict())
        return twin

    def n_params(self):
        return int(sum(v.size for v in self.params.values()))

    def __repr__(self):
        return (f"Model({len(self.order)} nodes, {self.input_shape} -> {self.output_shape}, "
                f"{self.n_params()} parameters, {np.dtype(self.dtype).name})")
