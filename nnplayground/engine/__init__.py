"""A small numpy neural-network library: graphs of layers, exact gradients, a step trainer.

Names are resolved lazily (PEP 562) so that `import nnplayground.engine` stays cheap and each
module can be used on its own from a script or notebook.
"""

import importlib

_EXPORTS = {
    # graph building and shape inference
    "check_graph": "graph", "build_model": "graph", "GraphError": "graph",
    "GraphProblem": "graph", "GraphReport": "graph",
    "Model": "model",
    "make_loss": "losses", "Loss": "losses",
    "make_activation": "activations", "ACTIVATIONS": "activations",
    "gradient_check": "gradcheck",
    # training
    "make_optimizer": "optimizers", "Optimizer": "optimizers",
    "Trainer": "trainer", "StepResult": "trainer", "DivergenceError": "trainer",
    "History": "trainer", "EpochEvaluation": "trainer",
    "accuracy": "metrics", "confusion_matrix": "metrics", "rmse": "metrics", "r2_score": "metrics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nnplayground.engine' has no attribute {name!r}")
    module = importlib.import_module(f"nnplayground.engine.{_EXPORTS[name]}")
    return getattr(module, name)


def __dir__():
    return __all__
