"""Training-time kernels: the speed work, kept apart from the textbook layers.

The layers in `engine/layers/` are the reference: what inference, the gradient check and the
teaching views run. For a training step the Model asks `training_plan` which kernel computes
each node; a kernel here reads its reference layer's params, fills its grads, and is proven
equal to it (outputs and gradients, to float32 rounding) by tests/engine/test_fast_kernels.py.

- `dense.DenseParts`: a fully connected layer's products split between threads, BLAS held to
  one thread for the whole step (`threads.py`: BLAS's own threads spin, and two trainings at
  once then crawl);
- `conv.Conv2DParts`: a convolution in batch parts shared between threads, BLAS held to one
  thread for the whole step, images channels first;
- `conv_pool.ConvMaxPool2x2`: a convolution with few inputs per filter and the 2x2 max-pool
  that alone reads it, in one pass (mnist-cnn's first layer);
- `conv_pool.ConvReLUMaxPool`: another ReLU convolution and the max-pool that alone reads it,
  the ReLU applied after pooling, on the 4x smaller array;
- `pool.MaxPool2x2` / `pool.MaxPoolWindows`: max-pooling by whole strided slices;
- `packed.pack_parameters`: all parameters (and gradients) in one flat array, so an optimizer
  updates a network in a few numpy calls;
- `memory.keep_freed_memory`: a model with these kernels keeps freed memory for the next step
  (glibc), instead of faulting its megabytes of temporaries in again every step.

A kernel has `forward(x, training=True) -> y` and `backward(dy) -> dx` (None when the input
needs no gradient), like a layer, and keeps its own state between the two.
"""

from ..layers import Conv2D, Dense, MaxPool2D
from .conv import Conv2DParts
from .conv_pool import ConvMaxPool2x2, ConvReLUMaxPool
from .dense import DenseParts
from .pool import max_pool_kernel

# kernels that share matrix products between threads: BLAS is held to one thread meanwhile
THREADED_KERNELS = (Conv2DParts, ConvMaxPool2x2, ConvReLUMaxPool, DenseParts)


def training_plan(order, layers, inputs, shapes, output_id):
    """[(kernel, input ids, output id)] in the order a training step runs them.

    A kernel is the node's own layer unless a faster one applies. A fused kernel computes a
    convolution and the max-pool that alone reads it; its output is the pool's, and the
    convolution's own output is never formed. The output node always runs its own layer (a
    fused loss reads its logits `z`).
    """
    readers = {i: [] for i in order}
    for node_id in order:
        for i in inputs[node_id]:
            readers[i].append(node_id)
    plan, fused_pools = [], set()
    for node_id in order:
        if node_id in fused_pools:
            continue
        layer, ins = layers[node_id], inputs[node_id]
        kernel, out = layer, node_id
        if node_id != output_id and isinstance(layer, Conv2D):
            in_shape = shapes[ins[0]]
            only = readers[node_id][0] if len(readers[node_id]) == 1 else None
            pool = layers[only] if only is not None and only != output_id else None
            if isinstance(pool, MaxPool2D) and ConvMaxPool2x2.fits(layer, pool, in_shape):
                kernel, out = ConvMaxPool2x2(layer), only
            elif isinstance(pool, MaxPool2D) and ConvReLUMaxPool.fits(layer, pool):
                kernel, out = ConvReLUMaxPool(layer, pool, in_shape), only
            else:
                kernel = Conv2DParts(layer)
            if out != node_id:
                fused_pools.add(out)
        elif node_id != output_id and isinstance(layer, MaxPool2D):
            kernel = max_pool_kernel(layer, shapes[ins[0]])
        elif node_id != output_id and isinstance(layer, Dense) and DenseParts.fits(layer):
            kernel = DenseParts(layer)
        plan.append((kernel, list(ins), out))
    return plan
