"""Lesson 14: the Keras program equivalent to a preset document.

Students meet Keras' five verbs - ``add``, ``compile``, ``fit``, ``evaluate``, ``predict`` - in
every tutorial. Generating the code from the diagram (rather than showing a fixed string) lets
them change a layer here and read the change there.

Mapping notes (documented in the generated code's comments where they matter):
- nnplayground images are channels-first ``[C, H, W]``; Keras defaults to channels-last, so image
  shapes are written as ``(H, W, C)``.
- Conv2D ``padding`` is an int here and ``"valid"``/``"same"`` in Keras: 0 is ``"valid"``, the
  half-kernel padding with stride 1 is ``"same"``, anything else becomes a ``ZeroPadding2D``.
- ``xavier`` is Keras' ``glorot_normal``, ``he`` is ``he_normal`` (both truncated in Keras).
- cross-entropy with integer labels is ``sparse_categorical_crossentropy``.
- the L2 penalty here is 0.5 * l2 * sum(W²), Keras' is l2 * sum(W²): the code halves l2.
"""

import keyword

from nnplayground.engine.optimizers import OPTIMIZERS

from .catalog import LessonError

_ACTIVATIONS = {"identity": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
                "elu": "elu", "softplus": "softplus", "softmax": "softmax"}
_LOSSES = {"cross_entropy": "sparse_categorical_crossentropy",
           "binary_cross_entropy": "binary_crossentropy", "mse": "mse"}


def keras_code(doc, style="auto"):
    """Return the Keras (TensorFlow 2 / Keras 3) program for a preset, as a string.

    ``style``: "sequential" (``model.add`` per layer, the tutorials' form; LessonError naming
    the node for a graph with branches), "functional" (``keras.Model(inputs, outputs)``, which
    also expresses Add and Concatenate skips), or "auto": sequential whenever the graph is one
    chain, functional otherwise.
    """
    if style not in ("auto", "sequential", "functional"):
        raise ValueError(f"style: must be 'auto', 'sequential' or 'functional', got {style!r}")
    reg = doc.get("regularization", {}) or {}
    lines = ["import numpy as np", "import keras", "from keras import layers", ""]
    lines += _data_lines(doc.get("dataset", {}), doc.get("loss"))
    try:
        nodes = _sequential_nodes(doc["model"]) if style != "functional" else None
    except LessonError:
        if style == "sequential":
            raise
        nodes = None
    if nodes is not None:
        lines += ["", "model = keras.Sequential()"]
        for node in nodes:
            lines += [f"model.add({layer})" for layer in _layers(node, reg)]
    else:
        nodes, body = _functional_lines(doc["model"], reg)
        lines += [""] + body
    opt = doc["optimizer"]
    metrics = ", metrics=['accuracy']" if doc.get("loss") != "mse" or _is_classification(doc) \
        else ""
    lines += ["", f"model.compile(optimizer={_optimizer(opt)},",
              f"              loss={_LOSSES[doc['loss']]!r}{metrics})",
              "model.summary()", ""]
    training = doc.get("training", {})
    if "seed" in training:
        lines.insert(4, f"keras.utils.set_random_seed({int(training['seed'])})")
    lines += [f"model.fit(x_train, y_train, batch_size={int(training.get('batch_size', 32))}, "
              f"epochs={int(training.get('epochs', 1))},",
              "          validation_data=(x_test, y_test))",
              "test_loss, *test_metrics = model.evaluate(x_test, y_test)",
              "print('test loss', test_loss, 'test metrics', test_metrics)",
              "predictions = model.predict(x_test[:10])",
              ]
    if _is_classification(doc):
        lines.append("print('predicted classes', " + (
            "(predictions[:, 0] > 0.5).astype(int))" if _output_units(nodes) == 1
            else "predictions.argmax(axis=1))"))
    else:
        lines.append("print('predicted values', predictions[:, 0])")
    return "\n".join(lines) + "\n"


def _sequential_nodes(model):
    """The nodes in chain order from the Input; LessonError naming the first branch otherwise."""
    nodes = model["nodes"]
    by_id = {n["id"]: n for n in nodes}
    consumers = {n["id"]: [] for n in nodes}
    for n in nodes:
        for src in n.get("inputs", []):
            consumers.setdefault(src, []).append(n["id"])
        if len(n.get("inputs", [])) > 1 or n["type"] in ("Add", "Concatenate"):
            raise LessonError(f"node {n['id']!r} ({n['type']}) joins several inputs: Keras code "
                              "is generated for sequential networks only (one chain of layers)")
    inputs = [n for n in nodes if n["type"] == "Input"]
    if len(inputs) != 1:
        raise LessonError(f"the model needs exactly one Input node, found {len(inputs)}")
    chain, current = [], inputs[0]
    while True:
        chain.append(current)
        nxt = consumers.get(current["id"], [])
        if len(nxt) > 1:
            raise LessonError(f"node {current['id']!r} feeds {len(nxt)} nodes ({', '.join(nxt)}):"
                              " Keras code is generated for sequential networks only")
        if not nxt or current["id"] == model.get("output"):
            break
        current = by_id[nxt[0]]
    if len(chain) != len(nodes):
        loose = sorted(set(by_id) - {n["id"] for n in chain})
        raise LessonError(f"nodes {', '.join(loose)} are not on the chain from the Input: "
                          "connect or delete them first")
    return chain


def _functional_lines(model, reg):
    """(nodes in topological order, code lines) building a keras.Model from the graph."""
    nodes = _topological(model["nodes"])
    names = {n["id"]: _identifier(n["id"]) for n in nodes}
    lines = []
    for node in nodes:
        var = names[node["id"]]
        if node["type"] == "Input":
            lines.append(f"{var} = {_layers(node, reg)[0]}")
            continue
        if node["type"] in ("Add", "Concatenate"):
            args = "[" + ", ".join(names[i] for i in node["inputs"]) + "]"
            layer = "layers.Add()" if node["type"] == "Add" else "layers.Concatenate(axis=-1)"
            lines.append(f"{var} = {layer}({args})")
            continue
        source = names[node["inputs"][0]]
        for layer in _layers(node, reg):
            lines.append(f"{var} = {layer}({source})")
            source = var
    inputs = [names[n["id"]] for n in nodes if n["type"] == "Input"]
    output = names[model.get("output") or nodes[-1]["id"]]
    lines.append(f"model = keras.Model({inputs[0]}, {output})")
    return nodes, lines


def _topological(nodes):
    by_id = {n["id"]: n for n in nodes}
    done, order = set(), []
    pending = list(nodes)
    while pending:
        ready = [n for n in pending if all(i in done for i in n.get("inputs", []))]
        if not ready:
            stuck = ", ".join(n["id"] for n in pending)
            raise LessonError(f"nodes {stuck} wait on inputs that never come (a cycle or a "
                              "missing node); fix the graph first")
        for n in ready:
            done.add(n["id"])
            order.append(by_id[n["id"]])
        pending = [n for n in pending if n["id"] not in done]
    return order


_TAKEN = {"np", "keras", "layers", "model", "data", "split", "predictions", "test_loss",
          "test_metrics", "x_train", "y_train", "x_test", "y_test"}


def _identifier(node_id):
    """A node id as a Python variable name: ids may hold '-', be keywords ('in') or clash
    with the program's own names ('model')."""
    name = node_id.replace("-", "_")
    return name + "_" if keyword.iskeyword(name) or name in _TAKEN else name


def _is_classification(doc):
    return doc.get("loss") in ("cross_entropy", "binary_cross_entropy") or \
        doc.get("dataset", {}).get("kind") in ("mnist", "fashion-mnist", "circle", "xor", "gauss",
                                               "spiral", "and", "or", "nand", "xor-gate")


def _output_units(nodes):
    for node in reversed(nodes):
        if node["type"] in ("Dense",):
            return node["params"]["units"]
    return None


def _data_lines(dataset, loss):
    kind = dataset.get("kind")
    if kind in ("mnist", "fashion-mnist"):
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
    if loss == "mse" and kind in ("mnist", "fashion-mnist"):
        lines += ["# mean squared error compares the outputs to one-hot targets",
                  "y_train = keras.utils.to_categorical(y_train, 10)",
                  "y_test = keras.utils.to_categorical(y_test, 10)"]
    return lines


def _shape(shape):
    """Channels-first [C, H, W] -> Keras' channels-last (H, W, C); other shapes unchanged."""
    shape = list(shape)
    if len(shape) == 3:
        shape = shape[1:] + shape[:1]
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _fmt(value):
    return repr(float(value)) if isinstance(value, float) else repr(value)


def _initializer(params, default):
    init = params.get("init", default)
    scale = params.get("init_scale")
    if init == "xavier":
        return "'glorot_normal'"
    if init == "he":
        return "'he_normal'"
    if init == "normal":
        return f"keras.initializers.RandomNormal(stddev={_fmt(scale or 0.01)})"
    a = _fmt(scale or 0.05)
    return f"keras.initializers.RandomUniform(-{a}, {a})"


def _weights_args(params, default_init, reg):
    args = [f"kernel_initializer={_initializer(params, default_init)}"]
    if params.get("bias_init", 0.0):
        args.append(f"bias_initializer=keras.initializers.Constant({_fmt(params['bias_init'])})")
    if not params.get("use_bias", True):
        args.append("use_bias=False")
    # our L2 penalty is 0.5 * l2 * sum(W**2) (gradient l2 * W); Keras' is l2 * sum(W**2)
    l1, l2 = float(reg.get("l1", 0.0) or 0.0), float(reg.get("l2", 0.0) or 0.0) / 2
    if l1 or l2:
        args.append(f"kernel_regularizer=keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})")
    return args


def _activation(name, alpha=None):
    """(activation argument for the layer, extra layer to add after it or None)."""
    name = name or "identity"
    if name in _ACTIVATIONS and not (name == "elu" and alpha not in (None, 1.0)):
        return f"activation={_ACTIVATIONS[name]!r}", None
    if name == "leaky_relu":
        slope = _fmt(alpha if alpha is not None else 0.01)
        return None, f"layers.LeakyReLU(negative_slope={slope})"
    if name == "elu":
        return None, f"layers.ELU(alpha={_fmt(alpha)})"
    if name == "step":
        # Keras has no step activation; a Lambda layer computes it (its gradient is 0 too)
        return None, "layers.Lambda(lambda t: keras.ops.cast(t > 0, 'float32'))"
    raise LessonError(f"activation {name!r} has no Keras equivalent here")


def _layers(node, reg):
    """The Keras layer expressions for one node (usually one; two for e.g. Dense + LeakyReLU)."""
    t, p = node["type"], node.get("params", {})
    if t == "Input":
        return [f"keras.Input(shape={_shape(p['shape'])})"]
    if t == "Dense":
        act, extra = _activation(p.get("activation"))
        args = [str(p["units"])] + ([act] if act else []) + _weights_args(p, "xavier", reg)
        return [f"layers.Dense({', '.join(args)})"] + ([extra] if extra else [])
    if t == "Conv2D":
        kernel = p["kernel"] if isinstance(p["kernel"], int) else tuple(p["kernel"])
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        stride, pad = p.get("stride", 1), p.get("padding", 0)
        out = []
        if pad == 0:
            mode = "valid"
        elif stride == 1 and kh == kw and kh % 2 == 1 and pad == kh // 2:
            mode = "same"
        else:
            out.append(f"layers.ZeroPadding2D(padding={pad})")
            mode = "valid"
        act, extra = _activation(p.get("activation"))
        args = [str(p["filters"]), f"kernel_size={kernel!r}", f"strides={stride}",
                f"padding={mode!r}"] + ([act] if act else []) + _weights_args(p, "he", reg)
        out.append(f"layers.Conv2D({', '.join(args)})")
        return out + ([extra] if extra else [])
    if t in ("MaxPool2D", "AvgPool2D"):
        keras_name = "MaxPooling2D" if t == "MaxPool2D" else "AveragePooling2D"
        size = p.get("size", 2)
        stride = p.get("stride") or size
        return [f"layers.{keras_name}(pool_size={size}, strides={stride})"]
    if t == "Flatten":
        return ["layers.Flatten()"]
    if t == "Reshape":
        return [f"layers.Reshape({_shape(p['shape'])})"]
    if t == "Dropout":
        return [f"layers.Dropout({_fmt(p.get('rate', 0.5))})"]
    if t == "BatchNorm":
        return [f"layers.BatchNormalization(momentum={_fmt(p.get('momentum', 0.9))}, "
                f"epsilon={_fmt(p.get('eps', 1e-5))})"]
    if t == "Activation":
        act, extra = _activation(p["function"], p.get("alpha"))
        return [f"layers.Activation({act.split('=', 1)[1]})"] if act else [extra]
    raise LessonError(f"node {node['id']!r}: layer type {t!r} has no Keras equivalent here")


def _optimizer(opt):
    """Keras optimizer for a preset's; hyperparameters left out take the engine's defaults
    (not Keras', which differ: e.g. AdaGrad's eps is 1e-10 here, 1e-7 in Keras)."""
    kind = opt["type"]
    if kind not in OPTIMIZERS:
        raise LessonError(f"optimizer {kind!r} has no Keras equivalent here")
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
