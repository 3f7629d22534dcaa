"""ONNX export: one `.onnx` file built with the `onnx` package's helpers.

The graph takes one input named "input" of shape (batch, *input shape) in nnplayground's own
layout (images channels first, [N, C, H, W], which is ONNX's layout too) and returns "output",
the output node's values after its final activation (probabilities for a classifier). The
batch dimension is symbolic ("batch"), so any batch size runs. Inference only: Dropout is the
identity and BatchNorm uses its running statistics, as `model.forward(x)` does.

Opset 17: every operator used here (Conv, MaxPool, BatchNormalization, Softmax on one axis,
...) has had its present meaning since opset 13, and 17 is read by onnxruntime >= 1.11,
OpenCV, TensorRT and the browsers' onnxruntime-web.
"""

from __future__ import annotations

import numpy as np

from .graph import Graph

OPSET = 17
INPUT_NAME = "input"
OUTPUT_NAME = "output"


def onnx_model(doc, state, graph=None):
    """The onnx.ModelProto of a preset document and its trained state dict (checked)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = graph or Graph(doc["model"])
    graph.check("ONNX")
    nodes, inits = [], []
    names = {}

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    for node in graph.nodes:
        out = OUTPUT_NAME if node.id == graph.output else node.id
        p = node.params
        src = [names[i] for i in node.inputs]
        t = node.type
        if t == "Input":
            names[node.id] = INPUT_NAME
            continue
        pre = out if node.activation is None or node.activation[0] == "identity" \
            else node.id + "/pre"
        if t == "Dense":
            W = const(node.id + "/W", graph.weights(state, node.id, "W"))
            if p.get("use_bias", True):
                b = const(node.id + "/b", graph.weights(state, node.id, "b"))
                nodes.append(helper.make_node("Gemm", [src[0], W, b], [pre], name=node.id))
            else:
                nodes.append(helper.make_node("MatMul", [src[0], W], [pre], name=node.id))
        elif t == "Conv2D":
            kh, kw = p["kernel"]
            pad, stride = int(p["padding"]), int(p["stride"])
            W = const(node.id + "/W", graph.weights(state, node.id, "W"))
            b = const(node.id + "/b", graph.weights(state, node.id, "b"))
            nodes.append(helper.make_node("Conv", [src[0], W, b], [pre], name=node.id,
                                          kernel_shape=[kh, kw], strides=[stride, stride],
                                          pads=[pad, pad, pad, pad]))
        elif t in ("MaxPool2D", "AvgPool2D"):
            size = int(p["size"])
            stride = int(p["stride"] or size)
            op = "MaxPool" if t == "MaxPool2D" else "AveragePool"
            nodes.append(helper.make_node(op, src, [out], name=node.id,
                                          kernel_shape=[size, size], strides=[stride, stride]))
        elif t == "Flatten":
            nodes.append(helper.make_node("Flatten", src, [out], name=node.id, axis=1))
        elif t == "Reshape":
            shape = const(node.id + "/shape", np.array((-1,) + node.shape, dtype=np.int64))
            nodes.append(helper.make_node("Reshape", [src[0], shape], [out], name=node.id))
        elif t == "Dropout":
            nodes.append(helper.make_node("Identity", src, [out], name=node.id))
        elif t == "BatchNorm":
            args = [src[0]] + [const(f"{node.id}/{k}", graph.weights(state, node.id, k))
                               for k in ("gamma", "beta", "running_mean", "running_var")]
            # ONNX's momentum is the weight of the running value, like nnplayground's
            nodes.append(helper.make_node("BatchNormalization", args, [out], name=node.id,
                                          epsilon=float(p["eps"]),
                                          momentum=float(p["momentum"])))
        elif t == "Activation":
            pre = src[0]
        elif t == "Add":
            nodes.append(helper.make_node("Sum", src, [out], name=node.id))
        elif t == "Concatenate":
            nodes.append(helper.make_node("Concat", src, [out], name=node.id, axis=1))
        if node.activation is not None and node.activation[0] != "identity":
            nodes += _activation(helper, node, pre, out, const)
        elif t == "Activation":
            nodes.append(helper.make_node("Identity", [pre], [out], name=node.id))
        names[node.id] = out

    batch = ["batch"]
    model = helper.make_model(
        helper.make_graph(
            nodes, _graph_name(doc),
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT,
                                           batch + list(graph.input.shape))],
            [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT,
                                           batch + list(graph.output_node.shape))],
            initializer=inits),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="nnplayground",
        doc_string=f"{doc.get('name', 'model')}: exported by nnplayground; input {INPUT_NAME!r} "
                   f"(batch, {', '.join(map(str, graph.input.shape))}), output after the final "
                   f"activation")
    # The IR version onnxruntime 1.11+ reads (helper.make_model picks the newest known).
    model.ir_version = min(model.ir_version, 8)
    onnx.checker.check_model(model, full_check=True)
    return model


def _activation(helper, node, x, out, const):
    name, alpha = node.activation
    label = node.id + "/" + name
    if name == "sigmoid":
        return [helper.make_node("Sigmoid", [x], [out], name=label)]
    if name == "tanh":
        return [helper.make_node("Tanh", [x], [out], name=label)]
    if name == "relu":
        return [helper.make_node("Relu", [x], [out], name=label)]
    if name == "leaky_relu":
        return [helper.make_node("LeakyRelu", [x], [out], name=label, alpha=alpha)]
    if name == "elu":
        return [helper.make_node("Elu", [x], [out], name=label, alpha=alpha)]
    if name == "softplus":
        return [helper.make_node("Softplus", [x], [out], name=label)]
    if name == "softmax":       # along axis 1: the features, or the channels of an image
        return [helper.make_node("Softmax", [x], [out], name=label, axis=1)]
    if name == "step":          # 1 where x > 0, else 0
        from onnx import TensorProto
        zero = const(node.id + "/zero", np.zeros((), np.float32))
        return [helper.make_node("Greater", [x, zero], [label], name=label),
                helper.make_node("Cast", [label], [out], name=label + "/cast",
                                 to=TensorProto.FLOAT)]
    raise AssertionError(name)      # Graph refuses unknown activations first


def _graph_name(doc):
    return str(doc.get("name") or "nnplayground model")


def write_onnx(doc, state, path, graph=None):
    """Write the ONNX model to `path` atomically."""
    from nnplayground.presets.io import atomic_write_bytes

    data = onnx_model(doc, state, graph).SerializeToString()
    atomic_write_bytes(path, writer=lambda fh: fh.write(data))
