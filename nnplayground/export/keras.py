"""Keras export: the Keras (TensorFlow 2 / Keras 3) program equivalent to a preset, with or
without the trained weights. Lesson 14's read-only listing is this program without weights
(`nnplayground.lessons.keras_code` calls `keras_code` here).

Students meet Keras' five verbs - ``add``, ``compile``, ``fit``, ``evaluate``, ``predict`` - in
every tutorial. Generating the code from the diagram (rather than showing a fixed string) lets
them change a layer here and read the change there.

Mapping notes (documented in the generated code's comments where they matter):
- nnplayground images are channels-first ``[C, H, W]``; Keras defaults to channels-last, so image
  shapes are written as ``(H, W, C)`` and convolution kernels (out_c, in_c, kh, kw) are stored
  as Keras' (kh, kw, in_c, out_c).
- With weights, a Flatten of an image is preceded by ``Permute((3, 1, 2))`` (back to channels
  first), so the flattened features come in the (C, H, W) order the next Dense was trained on;
  a Reshape works channels first likewise.
- Conv2D ``padding`` is an int here and ``"valid"``/``"same"`` in Keras: 0 is ``"valid"``, the
  half-kernel padding with stride 1 is ``"same"``, anything else becomes a ``ZeroPadding2D``.
- ``xavier`` is Keras' ``glorot_normal``, ``he`` is ``he_normal`` (both truncated in Keras).
- cross-entropy with integer labels is ``sparse_categorical_crossentropy``.
- the L2 penalty here is 0.5 * l2 * sum(W²), Keras' is l2 * sum(W²): the code halves l2.
- BatchNorm: Keras' momentum is nnplayground's (weight of the running value); Keras keeps the
  biased batch variance in its running variance (nnplayground the unbiased one, as PyTorch), a
  difference of n/(n-1) that shows only when training goes on.
"""

from __future__ import annotations

from nnplayground.engine.optimizers import OPTIMIZERS

from .common import DATA_SUFFIX, WEIGHTS_SUFFIX, companion, write_program
from .graph import ExportError, ExportProblem, Graph, identifiers

_ACTIVATIONS = {"identity": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
                "elu": "elu", "softplus": "softplus", "softmax": "softmax"}
_LOSSES = {"cross_entropy": "sparse_categorical_crossentropy",
           "binary_cross_entropy": "binary_crossentropy", "mse": "mse"}
_TAKEN = {"np", "keras", "layers", "model", "data", "split", "predictions", "test_loss",
          "test_metrics", "x_train", "y_train", "x_test", "y_test", "weights", "layer", "WEIGHTS",
          "DATA"}


def _refuse(node_id, message):
    return ExportError([ExportProblem(node_id, message)], "Keras")


def keras_code(doc, style="auto", weights_name=None, data_name=None):
    """Return the Keras program for a preset, as a string.

    ``style``: "sequential" (``model.add`` per layer, the tutorials' form; ExportError naming
    the node for a graph with branches), "functional" (``keras.Model(inputs, outputs)``, which
    also expresses Add and Concatenate skips), or "auto": sequential whenever the graph is one
    chain, functional otherwise. ``weights_name``: a .npz written beside the program (see
    `keras_weights`) that the program loads into its layers; ``data_name``: the data file
    (x_train, y_train, x_test, y_test) the program trains on.
    """
    if style not in ("auto", "sequential", "functional"):
        raise ValueError(f"style: must be 'auto', 'sequential' or 'functional', got {style!r}")
    gen = _Generator(doc, weights=weights_name is not None)
    lines = ["import numpy as np", "import keras", "from keras import layers", ""]
    if weights_name:
        lines += [f"WEIGHTS = {weights_name!r}    # the weights trained in nnplayground"]
    if data_name:
        lines += [f"DATA = {data_name!r}"]
    lines += gen.data_lines(data_name)
    try:
        nodes = _sequential_nodes(doc["model"]) if style != "functional" else None
    except ExportError:
        if style == "sequential":
            raise
        nodes = None
    if nodes is not None:
        lines += ["", "model = keras.Sequential()"]
        for node in nodes:
            lines += [f"model.add({layer})" for layer in gen.layers(node)]
    else:
        nodes, body = gen.functional_lines()
        lines += [""] + body
    if weights_name:
        lines += ["",
                  "# each layer's arrays in Keras' order (kernel, bias; BatchNorm: gamma, beta,",
                  "# moving mean, moving variance), convolution kernels as (kh, kw, in, out)",
                  "with np.load(WEIGHTS) as weights:",
                  "    for layer in model.layers:",
                  "        arrays = [weights[f'{layer.name}/{i}'] for i in range(len(layer.weights))]",
                  "        if arrays:",
                  "            layer.set_weights(arrays)"]
    opt = doc["optimizer"]
    metrics = ", metrics=['accuracy']" if doc.get("loss") != "mse" or _is_classification(doc) \
        else ""
    lines += ["", f"model.compile(optimizer={_optimizer(opt)},",
              f"              loss={_LOSSES[doc['loss']]!r}{metrics})",
              "model.summary()", ""]
    training = doc.get("training", {})
    if "seed" in training:
        lines.insert(4, f"keras.utils.set_random_seed({int(training['seed'])})")
    lines += [(f"model.fit(x_train, y_train, batch_size={int(training.get('batch_size', 32))}, "
               f"epochs={int(training.get('epochs', 1))},"),
              "          validation_data=(x_test, y_test))",
              ]
    if metrics:
        lines += ["test_loss, *test_metrics = model.evaluate(x_test, y_test)",
                  "print('test loss', test_loss, 'test metrics', test_metrics)"]
    else:       # without metrics, evaluate returns the loss alone
        lines += ["test_loss = model.evaluate(x_test, y_test)",
                  "print('test loss', test_loss)"]
    lines.append("predictions = model.predict(x_test[:10])")
    if _is_classification(doc):
        lines.append("print('predicted classes', " + (
            "(predictions[:, 0] > 0.5).astype(int))" if _output_units(nodes) == 1
            else "predictions.argmax(axis=1))"))
    else:
        lines.append("print('predicted values', predictions[:, 0])")
    return "\n".join(lines) + "\n"


def keras_weights(doc, state, graph=None):
    """{"<layer name>/<i>": array}: each Keras layer's weights in `layer.set_weights` order,
    for the program `keras_code(doc, weights_name=...)` writes (its layers are named so)."""
    graph = graph or Graph(doc["model"])
    out = {}
    for node in graph.nodes:
        if node.type == "Dense":
            arrays = [graph.weights(state, node.id, "W")]
            if node.params.get("use_bias", True):
                arrays.append(graph.weights(state, node.id, "b"))
        elif node.type == "Conv2D":
            arrays = [graph.weights(state, node.id, "W").transpose(2, 3, 1, 0),
                      graph.weights(state, node.id, "b")]
        elif node.type == "BatchNorm":
            arrays = [graph.weights(state, node.id, k)
                      for k in ("gamma", "beta", "running_mean", "running_var")]
        else:
            continue
        for i, a in enumerate(arrays):
            out[f"{node.id}/{i}"] = a
    return out


def write_keras(doc, state, out, dataset=None, graph=None):
    """Write OUT.py, OUT_weights.npz and (with a dataset) OUT_data.npz; return the paths."""
    graph = graph or Graph(doc["model"])
    graph.check("Keras")
    code = keras_code(doc, weights_name=companion(out, WEIGHTS_SUFFIX).name,
                      data_name=companion(out, DATA_SUFFIX).name)
    return write_program(out, code, keras_weights(doc, state, graph), dataset)


def _sequential_nodes(model):
    """The nodes in chain order from the Input; ExportError naming the first branch otherwise."""
    nodes = model["nodes"]
    by_id = {n["id"]: n for n in nodes}
    consumers = {n["id"]: [] for n in nodes}
    for n in nodes:
        for src in n.get("inputs", []):
            consumers.setdefault(src, []).append(n["id"])
        if len(n.get("inputs", [])) > 1 or n["type"] in ("Add", "Concatenate"):
            raise _refuse(n["id"], f"({n['type']}) joins several inputs: Keras code is "
                                   "generated for sequential networks only (one chain of layers)")
    inputs = [n for n in nodes if n["type"] == "Input"]
    if len(inputs) != 1:
        raise _refuse(None, f"the model needs exactly one Input node, found {len(inputs)}")
    chain, current = [], inputs[0]
    while True:
        chain.append(current)
        nxt = consumers.get(current["id"], [])
        if len(nxt) > 1:
            raise _refuse(current["id"], f"feeds {len(nxt)} nodes ({', '.join(nxt)}): Keras "
                                         "code is generated for sequential networks only")
        if not nxt or current["id"] == model.get("output"):
            break
        current = by_id[nxt[0]]
    if len(chain) != len(nodes):
        loose = sorted(set(by_id) - {n["id"] for n in chain})
        raise _refuse(None, f"nodes {', '.join(loose)} are not on the chain from the Input: "
                            "connect or delete them first")
    return chain


def _topological(nodes):
    by_id = {n["id"]: n for n in nodes}
    done, order = set(), []
    pending = list(nodes)
    while pending:
        ready = [n for n in pending if all(i in done for i in n.get("inputs", []))]
        if not ready:
            stuck = ", ".join(n["id"] for n in pending)
            raise _refuse(None, f"nodes {stuck} wait on inputs that never come (a cycle or a "
                                "missing node); fix the graph first")
        for n in ready:
            done.add(n["id"])
            order.append(by_id[n["id"]])
        pending = [n for n in pending if n["id"] not in done]
    return order


def _is_classification(doc):
    return doc.get("loss") in ("cross_entropy", "binary_cross_entropy") or \
        doc.get("dataset", {}).get("kind") in ("mnist", "fashion-mnist", "circle", "xor", "gauss",
                                               "spiral", "and", "or", "nand", "xor-gate")


def _output_units(nodes):
    for node in reversed(nodes):
        if node["type"] in ("Dense",):
            return node["params"]["units"]
    return None


def _shape(shape):
    """Channels-first [C, H, W] -> Keras' channels-last (H, W, C); other shapes unchanged."""
    shape = list(shape)
    if len(shape) == 3:
        shape = shape[1:] + shape[:1]
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _fmt(value):
    return repr(float(value)) if isinstance(value, float) else repr(value)


def _initializer(params, default):
    init = params.get("init") or default
    scale = params.get("init_scale")
    if init == "xavier":
        return "'glorot_normal'"
    if init == "he":
        return "'he_normal'"
    if init == "normal":
        return f"keras.initializers.RandomNormal(stddev={_fmt(scale or 0.01)})"
    a = _fmt(scale or 0.05)
    return f"keras.initializers.RandomUniform(-{a}, {a})"


class _Generator:
    """Layer expressions for one document. With `weights`, every layer is named after its
    node (so the program can load the trained arrays into it) and the channel order is kept
    exactly (Permute around Flatten and Reshape of images)."""

    def __init__(self, doc, weights=False):
        self.doc = doc
        self.model = doc["model"]
        self.reg = doc.get("regularization", {}) or {}
        self.weights = weights
        self.shapes = self._shapes()

    def _shapes(self):
        from nnplayground.engine import check_graph
        report = check_graph(self.model)
        if self.weights and not report.ok:
            raise ExportError([ExportProblem(p.node_id, p.message) for p in report.problems],
                              "Keras")
        return report.shapes

    def rank(self, node_id):
        shape = self.shapes.get(node_id)
        return None if shape is None else len(shape)

    def data_lines(self, data_name):
        dataset = self.doc.get("dataset", {}) or {}
        kind = dataset.get("kind")
        input_rank = next((len(n["params"]["shape"]) for n in self.model["nodes"]
                           if n["type"] == "Input"), 1)
        if data_name:
            lines = ["# the preset's data as nnplayground made it (images channels first)",
                     "with np.load(DATA) as data:",
                     "    x_train, y_train = data['x_train'], data['y_train']",
                     "    x_test, y_test = data['x_test'], data['y_test']"]
            if input_rank == 3:
                lines += ["# Keras wants images channels last: (N, H, W, C)",
                          "x_train = x_train.transpose(0, 2, 3, 1)",
                          "x_test = x_test.transpose(0, 2, 3, 1)"]
        elif kind in ("mnist", "fashion-mnist"):
            name = "mnist" if kind == "mnist" else "fashion_mnist"
            lines = [f"(x_train, y_train), (x_test, y_test) = keras.datasets.{name}.load_data()",
                     "# pixels to [0, 1]; channels-last images (N, 28, 28, 1)",
                     "x_train = x_train.reshape(-1, 28, 28, 1).astype('float32') / 255",
                     "x_test = x_test.reshape(-1, 28, 28, 1).astype('float32') / 255"]
            for key, var in (("train_limit", "train"), ("test_limit", "test")):
                if dataset.get(key):
                    n = int(dataset[key])
                    lines.append(f"x_{var}, y_{var} = x_{var}[:{n}], y_{var}[:{n}]")
        else:
            lines = [f"# x_train, y_train, x_test, y_test: the {kind!r} dataset as numpy arrays",
                     "# (nnplayground's generator; e.g. np.load('data.npz') with arrays x and y)",
                     "data = np.load('data.npz')",
                     "split = len(data['x']) // 2",
                     "x_train, y_train = data['x'][:split], data['y'][:split]",
                     "x_test, y_test = data['x'][split:], data['y'][split:]"]
        if self.doc.get("loss") == "mse" and _is_classification(self.doc):
            n = _output_units(self.model["nodes"]) or 1
            if n > 1:
                lines += ["# mean squared error compares the outputs to one-hot targets",
                          f"y_train = keras.utils.to_categorical(y_train, {n})",
                          f"y_test = keras.utils.to_categorical(y_test, {n})"]
        return lines

    def functional_lines(self):
        """(nodes in topological order, code lines) building a keras.Model from the graph."""
        nodes = _topological(self.model["nodes"])
        names = identifiers([n["id"] for n in nodes], _TAKEN)
        lines = []
        for node in nodes:
            var = names[node["id"]]
            if node["type"] == "Input":
                lines.append(f"{var} = {self.layers(node)[0]}")
                continue
            if node["type"] in ("Add", "Concatenate"):
                args = "[" + ", ".join(names[i] for i in node["inputs"]) + "]"
                lines.append(f"{var} = {self.layers(node)[0]}({args})")
                continue
            source = names[node["inputs"][0]]
            for layer in self.layers(node):
                lines.append(f"{var} = {layer}({source})")
                source = var
        output = names[self.model.get("output") or nodes[-1]["id"]]
        inputs = [names[n["id"]] for n in nodes if n["type"] == "Input"]
        lines.append(f"model = keras.Model({inputs[0]}, {output})")
        return nodes, lines

    def _name(self, node, suffix=""):
        return f", name={node['id'] + suffix!r}" if self.weights else ""

    def _weights_args(self, params, default_init):
        args = [f"kernel_initializer={_initializer(params, default_init)}"]
        if params.get("bias_init", 0.0):
            args.append(f"bias_initializer=keras.initializers.Constant("
                        f"{_fmt(params['bias_init'])})")
        if not params.get("use_bias", True):
            args.append("use_bias=False")
        # our L2 penalty is 0.5 * l2 * sum(W**2) (gradient l2 * W); Keras' is l2 * sum(W**2)
        l1 = float(self.reg.get("l1", 0.0) or 0.0)
        l2 = float(self.reg.get("l2", 0.0) or 0.0) / 2
        if l1 or l2:
            args.append(f"kernel_regularizer=keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})")
        return args

    def _activation(self, node, name, alpha=None):
        """(activation argument for the layer, extra layer to add after it or None)."""
        name = name or "identity"
        label = self._name(node, "_" + name)
        if name in _ACTIVATIONS and not (name == "elu" and alpha not in (None, 1.0)):
            if name == "softmax" and self.rank(node["id"]) not in (None, 1, 3):
                # Keras' softmax runs along the last axis; nnplayground's along axis 1
                return None, f"layers.Softmax(axis=1{label})"
            return f"activation={_ACTIVATIONS[name]!r}", None
        if name == "leaky_relu":
            slope = _fmt(alpha if alpha is not None else 0.01)
            return None, f"layers.LeakyReLU(negative_slope={slope}{label})"
        if name == "elu":
            return None, f"layers.ELU(alpha={_fmt(alpha)}{label})"
        if name == "step":
            # Keras has no step activation; a Lambda layer computes it (its gradient is 0 too)
            return None, f"layers.Lambda(lambda t: keras.ops.cast(t > 0, 'float32'){label})"
        raise _refuse(node["id"], f"activation {name!r} has no Keras equivalent here")

    def layers(self, node):
        """The Keras layer expressions for one node (usually one; two for e.g. Dense +
        LeakyReLU, or a Permute that keeps the channel order)."""
        t, p = node["type"], node.get("params", {})
        name = self._name(node)
        if t == "Input":
            return [f"keras.Input(shape={_shape(p['shape'])}{name})"]
        if t == "Dense":
            act, extra = self._activation(node, p.get("activation"), p.get("alpha"))
            args = [str(p["units"])] + ([act] if act else []) + \
                self._weights_args(p, "xavier")
            return [f"layers.Dense({', '.join(args)}{name})"] + ([extra] if extra else [])
        if t == "Conv2D":
            kernel = p["kernel"] if isinstance(p["kernel"], int) else tuple(p["kernel"])
            kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
            if kh == kw:
                kernel = kh
            stride, pad = p.get("stride", 1), p.get("padding", 0)
            out = []
            if pad == 0:
                mode = "valid"
            elif stride == 1 and kh == kw and kh % 2 == 1 and pad == kh // 2:
                mode = "same"
            else:
                out.append(f"layers.ZeroPadding2D(padding={pad}{self._name(node, '_pad')})")
                mode = "valid"
            act, extra = self._activation(node, p.get("activation"), p.get("alpha"))
            args = [str(p["filters"]), f"kernel_size={kernel!r}", f"strides={stride}",
                    f"padding={mode!r}"] + ([act] if act else []) + self._weights_args(p, "he")
            out.append(f"layers.Conv2D({', '.join(args)}{name})")
            return out + ([extra] if extra else [])
        if t in ("MaxPool2D", "AvgPool2D"):
            keras_name = "MaxPooling2D" if t == "MaxPool2D" else "AveragePooling2D"
            size = p.get("size", 2)
            stride = p.get("stride") or size
            return [f"layers.{keras_name}(pool_size={size}, strides={stride}{name})"]
        if t == "Flatten":
            if self.weights and self.rank(node["inputs"][0]) == 3:
                # back to channels first, so the features come in nnplayground's (C, H, W) order
                return [f"layers.Permute((3, 1, 2){self._name(node, '_chw')})",
                        f"layers.Flatten({name[2:]})"]
            return [f"layers.Flatten({name[2:]})"]
        if t == "Reshape":
            if not self.weights:
                return [f"layers.Reshape({_shape(p['shape'])})"]
            out = []
            if self.rank(node["inputs"][0]) == 3:
                out.append(f"layers.Permute((3, 1, 2){self._name(node, '_chw')})")
            target = self.shapes[node["id"]]
            out.append(f"layers.Reshape({tuple(target)!r}{name})")
            if len(target) == 3:
                out.append(f"layers.Permute((2, 3, 1){self._name(node, '_hwc')})")
            return out
        if t == "Dropout":
            return [f"layers.Dropout({_fmt(p.get('rate', 0.5))}{name})"]
        if t == "BatchNorm":
            return [(f"layers.BatchNormalization(momentum={_fmt(p.get('momentum', 0.9))}, "
                     f"epsilon={_fmt(p.get('eps', 1e-5))}{name})")]
        if t == "Activation":
            act, extra = self._activation(node, p["function"], p.get("alpha"))
            return [f"layers.Activation({act.split('=', 1)[1]}{name})"] if act else [extra]
        if t == "Add":
            return [f"layers.Add({name[2:]})"]
        if t == "Concatenate":
            axis = 1 if self.rank(node["id"]) not in (None, 1, 3) else -1
            return [f"layers.Concatenate(axis={axis}{name})"]
        raise _refuse(node["id"], f"layer type {t!r} has no Keras equivalent here")


def _optimizer(opt):
    """Keras optimizer for a preset's; hyperparameters left out take the engine's defaults
    (not Keras', which differ: e.g. AdaGrad's eps is 1e-10 here, 1e-7 in Keras)."""
    kind = opt["type"]
    if kind not in OPTIMIZERS:
        raise _refuse(None, f"optimizer {kind!r} has no Keras equivalent here")
    hyper = {**OPTIMIZERS[kind].DEFAULTS, **opt}

    def h(key):
        return _fmt(float(hyper[key]))

    if kind == "sgd":
        return f"keras.optimizers.SGD(learning_rate={h('lr')})"
    if kind in ("momentum", "nesterov"):
        nesterov = ", nesterov=True" if kind == "nesterov" else ""
        return f"keras.optimizers.SGD(learning_rate={h('lr')}, momentum={h('momentum')}{nesterov})"
    if kind == "adagrad":
        return f"keras.optimizers.Adagrad(learning_rate={h('lr')}, epsilon={h('eps')})"
    if kind == "rmsprop":
        return (f"keras.optimizers.RMSprop(learning_rate={h('lr')}, rho={h('rho')}, "
                f"epsilon={h('eps')})")
    return (f"keras.optimizers.Adam(learning_rate={h('lr')}, beta_1={h('beta1')}, "
            f"beta_2={h('beta2')}, epsilon={h('eps')})")

