"""Small graph builders shared by the engine tests."""


def node(node_id, type_name, inputs=(), **params):
    return {"id": node_id, "type": type_name, "params": params, "inputs": list(inputs)}


def chain(input_shape, *layers):
    """A sequential graph spec: chain([2], ("Dense", {"units": 3}), ...)."""
    nodes = [node("x", "Input", shape=list(input_shape))]
    prev = "x"
    for k, (type_name, params) in enumerate(layers):
        nid = f"n{k}"
        nodes.append(node(nid, type_name, [prev], **params))
        prev = nid
    return {"nodes": nodes, "output": prev}


MNIST_CNN = chain([1, 28, 28],
                  ("Conv2D", {"filters": 16, "kernel": 3, "padding": 1, "activation": "relu"}),
                  ("MaxPool2D", {}),
                  ("Conv2D", {"filters": 32, "kernel": 3, "padding": 1, "activation": "relu"}),
                  ("MaxPool2D", {"size": 2}),
                  ("Flatten", {}),
                  ("Dense", {"units": 10, "activation": "softmax"}))
