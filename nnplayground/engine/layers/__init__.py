"""The reference layers: one small class per layer type, written to be read beside "Deep
Learning from Scratch". LAYER_TYPES maps the graph's type names to them.

They are what inference, the gradient check and the teaching views run; a training step may
run faster kernels from `engine/fast/` instead, which tests prove equal to these.
"""

from .activation import Activation
from .base import ActivatedLayer, Layer, ShapeError, fmt_shape
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .merge import Add, Concatenate
from .pool import AvgPool2D, MaxPool2D
from .shape import Flatten, Input, Reshape

LAYER_TYPES = {cls.__name__: cls for cls in (
    Input, Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Reshape, Dropout, BatchNorm,
    Activation, Add, Concatenate)}

__all__ = ["LAYER_TYPES", "Layer", "ActivatedLayer", "ShapeError", "fmt_shape",
           *LAYER_TYPES]
