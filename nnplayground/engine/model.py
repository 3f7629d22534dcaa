"""The Model: layers of a checked graph run in topological order.

The forward and backward passes walk a plan compiled once at build time (a list of
(layer, inputs) with integer slots), so a training step of a small network costs little more
than its numpy calls: no dict lookups by name, no validation, no copies on the hot path.
"""

import contextlib
import copy

import numpy as np

from . import layers as L
from .layers.conv_pool import worth_fusing
from .layers.threads import blas_held_for_parts


def _make_layer(type_name, p, in_shapes, rng, dropout_rng, dtype):
    """The layer object for one checked node (p: its params with defaults filled in)."""
    if type_name == "Input":
        return L.Input(p["shape"], dtype)
    if type_name == "Dense":
        return L.Dense(in_shapes[0][0], p["units"], p["activation"], p["alpha"], p["init"],
                       p["init_scale"], p["bias_init"], p["use_bias"], rng, dtype)
    if type_name == "Conv2D":
        return L.Conv2D(in_shapes[0], p["filters"], p["kernel"], p["stride"], p["padding"],
                        p["activation"], p["alpha"], p["init"], p["init_scale"], p["bias_init"],
                        rng, dtype)
    if type_name in ("MaxPool2D", "AvgPool2D"):
        return L.LAYER_TYPES[type_name](p["size"], p["stride"])
    if type_name == "Reshape":
        return L.Reshape(p["shape"])
    if type_name == "Dropout":
        return L.Dropout(p["rate"], dropout_rng)
    if type_name == "BatchNorm":
        return L.BatchNorm(in_shapes[0], p["momentum"], p["eps"], dtype)
    if type_name == "Activation":
        return L.Activation(p["function"], p["alpha"])
    return L.LAYER_TYPES[type_name]()     # Flatten, Add, Concatenate


class Model:
    """A built graph. Use ``build_model(spec, seed, dtype)`` rather than this constructor.

    Attributes: ``input_shape``, ``output_shape`` (without batch), ``order`` (topological),
    ``layers`` ({node_id: Layer}), ``params`` / ``grads`` ({(node_id, name): ndarray}, the same
    arrays as the layers' own: backward fills the grads in place, so these dicts stay valid for
    an optimizer), ``flat_params`` / ``flat_grads`` (one flat array each, of which those are
    views), ``dtype``, ``seed``, ``spec`` (a copy of the graph).
    """

    def __init__(self, spec, report, seed=0, dtype=np.float32):
        self.spec = copy.deepcopy(spec)
        self.seed = int(seed)
        self.dtype = np.dtype(dtype).type
        self.order = list(report.order)
        self.output_id = report.output
        self.shapes = dict(report.shapes)
        self.types = {i: report.types[i] for i in self.order}
        rng = np.random.default_rng(self.seed)
        dropout_rng = np.random.default_rng([self.seed, 1])
        self.layers = {}
        slot = {}
        self._plan = []
        for node_id in self.order:
            ins = report.inputs[node_id]
            layer = _make_layer(report.types[node_id], report.params[node_id],
                                [report.shapes[i] for i in ins], rng, dropout_rng, self.dtype)
            self.layers[node_id] = layer
            input_slots = [slot[i] for i in ins]
            if ins and all(report.types[i] == "Input" for i in ins):
                layer.needs_input_grad = False
            # single-input layers get an int slot, merging layers a tuple of slots
            self._plan.append((layer, input_slots[0] if len(ins) == 1 else tuple(input_slots)))
            slot[node_id] = len(slot)
        self.input_shape = tuple(report.shapes[self.order[0]])
        self.output_shape = tuple(report.shapes[self.output_id])
        self.output_layer = self.layers[self.output_id]
        self.output_activation = self._output_activation()
        self._choose_training_shortcuts(report)
        # convolutions share their batch between threads with BLAS held to one thread
        self._split_convolutions = any(isinstance(layer, L.Conv2D)
                                       for layer in self.layers.values())
        self.flat_params, self.flat_grads = self._pack_parameters()
        self.params = {(i, k): v for i in self.order for k, v in self.layers[i].params.items()}
        self.grads = {(i, k): self.layers[i].grads[k] for i, k in self.params}

    def _choose_training_shortcuts(self, report):
        """For a convolution read by one MaxPool2D alone (a CNN's usual pair), in training:
        - a 2x2 pool after a convolution with few inputs per filter runs fused with it
          (conv_pool.py: the pool becomes contiguous block work);
        - otherwise a ReLU convolution leaves its ReLU to the pool, whose output is 4x
          smaller (the same numbers; about 1.5 ms a mnist-cnn step less).
        Inference keeps the textbook order, so every node's output (forward_all) is what its
        diagram promises."""
        readers = {i: [] for i in self.order}
        for node_id in self.order:
            for i in report.inputs[node_id]:
                readers[i].append(node_id)
        for node_id in self.order:
            layer = self.layers[node_id]
            if (not isinstance(layer, L.Conv2D) or node_id == self.output_id
                    or len(readers[node_id]) != 1
                    or not isinstance(self.layers[readers[node_id][0]], L.MaxPool2D)):
                continue
            pool = self.layers[readers[node_id][0]]
            source = report.inputs[node_id][0]
            if pool.size == pool.stride == 2 and worth_fusing(layer, report.shapes[source]):
                layer.fuse_pool = pool.fused_into_conv = True
            elif layer.activation.name == "relu":
                layer.defer_relu = pool.relu_after = True

    def _pack_parameters(self):
        """Make every parameter, and every gradient, a view into one flat array of its kind;
        returns (flat_params, flat_grads), or (None, None) when there is nothing to pack.

        Why: an optimizer then updates the whole network with a handful of numpy calls. A
        tiny network pays per call, not per number: xor's 2-4-2-1 has six arrays, and its
        SGD update drops from about a dozen calls to three. Elementwise updates give the same
        bits either way. The layers keep working on their own (now view) arrays, which are
        only ever written in place.
        """
        slots = [(layer, name) for i in self.order for layer in [self.layers[i]]
                 for name in layer.params]
        if not slots or any(layer.params[name].dtype != self.dtype for layer, name in slots):
            return None, None
        total = sum(layer.params[name].size for layer, name in slots)
        flat_params = np.empty(total, self.dtype)
        flat_grads = np.zeros(total, self.dtype)
        start = 0
        for layer, name in slots:
            p = layer.params[name]
            end = start + p.size
            view = flat_params[start:end].reshape(p.shape)
            view[...] = p
            layer.params[name] = view
            layer.grads[name] = flat_grads[start:end].reshape(p.shape)
            start = end
        return flat_params, flat_grads

    def _output_activation(self):
        layer = self.output_layer
        if isinstance(layer, L.ActivatedLayer):
            return layer.activation.name
        return "identity"

    # ------------------------------------------------------------ passes

    def _forward(self, x, training):
        with self.threads_held():
            return self._forward_plan(x, training)

    def _forward_plan(self, x, training):
        vals = []
        for layer, ins in self._plan:
            if ins.__class__ is int:
                vals.append(layer.forward(vals[ins], training))
            elif ins:
                vals.append(layer.forward([vals[i] for i in ins], training))
            else:
                vals.append(layer.forward(x, training))
        return vals

    def forward(self, x, training=False):
        """y: (batch, *output_shape), after the output's final activation."""
        return self._forward(x, training)[-1]

    def forward_all(self, x):
        """Inference; {node_id: that node's output} for every node (the views show them)."""
        return dict(zip(self.order, self._forward(x, False)))

    def predict(self, x, batch_size=500):
        """Inference in batches of `batch_size`, so a conv net never builds one im2col for a
        whole test set (10,000 MNIST images would need gigabytes)."""
        n = len(x)
        if n <= batch_size:
            return self._forward(x, False)[-1]
        out = np.empty((n,) + self.output_shape, dtype=self.dtype)
        for start in range(0, n, batch_size):
            out[start:start + batch_size] = self._forward(x[start:start + batch_size], False)[-1]
        return out

    def _backward(self, dout, fused):
        """Back-propagate d loss / d output (or d loss / d logits when `fused`)."""
        with self.threads_held():
            return self._backward_plan(dout, fused)

    def _backward_plan(self, dout, fused):
        plan = self._plan
        last = len(plan) - 1
        grads = [None] * len(plan)
        grads[last] = dout
        for k in range(last, 0, -1):
            layer, ins = plan[k]
            g = grads[k]
            grads[k] = None
            if g is None:
                continue
            dx = layer.backward_logits(g) if (fused and k == last) else layer.backward(g)
            if ins.__class__ is int:
                if dx is not None:
                    grads[ins] = dx if grads[ins] is None else grads[ins] + dx
            else:
                for i, d in zip(ins, dx):
                    grads[i] = d if grads[i] is None else grads[i] + d

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

    def forward_backward(self, x, y, loss, training=True):
        """One training pass: forward (training=True), loss, backward; fills the grads.
        (training=False back-propagates through the inference path: the gradient check uses it.)

        Cross-entropy losses are fused with their softmax/sigmoid: the gradient (p - y) / N goes
        straight to the logits, which stays exact for logits of +-1000.
        Returns (loss value, output).
        """
        if loss.requires is not None and loss.requires != self.output_activation:
            self.check_loss(loss)
        with self.threads_held():
            out = self._forward(x, training)[-1]
            if loss.requires is not None:
                value, dz = loss.fused(self.output_layer.z, y, out)
                self._backward(dz, True)
            else:
                value = loss(out, y)
                self._backward(loss.gradient(out, y), False)
        return value, out

    def threads_held(self):
        """A context for a whole training step of a model with convolutions: BLAS stays on
        one thread from the first layer to the optimizer's update, while the convolutions
        share their batch between threads. Holding it per pass instead cost 6 ms a mnist-cnn
        step (OpenBLAS's threads woken and parked in between). Re-entrant."""
        return blas_held_for_parts() if self._split_convolutions else contextlib.nullcontext()

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
        from .graph import check_graph

        twin = Model(self.spec, check_graph(self.spec), seed=self.seed, dtype=dtype)
        twin.load_state_dict(self.state_dict())
        return twin

    def n_params(self):
        return int(sum(v.size for v in self.params.values()))

    def __repr__(self):
        return (f"Model({len(self.order)} nodes, {self.input_shape} -> {self.output_shape}, "
                f"{self.n_params()} parameters, {np.dtype(self.dtype).name})")
