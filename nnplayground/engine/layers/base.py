"""The Layer base class and the helpers every layer shares.

A layer is one node of the model graph. It owns:

- ``params``: trainable arrays, and ``grads``: their gradients, dicts with the same keys;
- ``buffers``: arrays that are saved but not trained (BatchNorm's running statistics);
- ``forward(x, training)`` and ``backward(dy)``; layers with several inputs (Add, Concatenate)
  take and return lists. ``backward`` never writes into ``dy``.

Each class also says, as ``output_shape(params, in_shapes, in_ids)``, what shape it produces
from the shapes it is given (without the batch dimension), raising ``ShapeError`` with a message
that says what it expected and how to fix the graph. The graph checker builds its messages from
these, so the layer that computes a shape is also the one that explains it.
"""

from ..activations import make_activation


class ShapeError(ValueError):
    """A layer cannot take the input shape(s) it was given; the message says why and the fix."""


def fmt_shape(shape):
    """(batch, 1, 28, 28): a shape as the user thinks of it, batch dimension included."""
    return "(" + ", ".join(["batch"] + [str(int(s)) for s in shape]) + ")"


def pair(value):
    """An int or a [h, w] pair as a (h, w) tuple."""
    if isinstance(value, (list, tuple)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


class Layer:
    """Base class: empty params, grads and buffers; single input, single output."""

    n_inputs = 1          # exact number of inputs; None means "2 or more"
    needs_input_grad = True   # the model clears it for layers fed directly by the Input

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.buffers = {}

    # The param that sets a layer's size (Dense "units", Conv2D "filters"), for the advice
    # in the graph checker's "too large" message; None when the size follows from the input.
    width_param = None

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        return tuple(in_shapes[0])

    @staticmethod
    def n_weights(params, in_shapes):
        """How many trainable values the node would hold, known before anything is
        allocated, so the graph checker can refuse a size that would exhaust the memory."""
        return 0

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v.shape}' for k, v in self.params.items())})"


class ActivatedLayer(Layer):
    """A layer whose output passes through an activation (Dense, Conv2D, Activation).

    It keeps the pre-activation ``z`` (the logits, when it is the model's output) so a fused
    loss can start the backward pass at ``backward_logits`` and skip the softmax/sigmoid.
    """

    def __init__(self, activation="identity", alpha=None):
        super().__init__()
        self.activation = make_activation(activation, alpha)
        self._identity = self.activation.name == "identity"
        self.z = None
        self.y = None

    def _activate(self, z):
        self.z = z
        self.y = z if self._identity else self.activation.forward(z)
        return self.y

    def backward(self, dy):
        if not self._identity:
            dy = self.activation.backward(self.z, self.y, dy)
        return self.backward_logits(dy)

    def backward_logits(self, dz):
        """The backward pass from d loss / d z (the gradient before the activation)."""
        raise NotImplementedError
