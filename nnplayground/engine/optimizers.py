"""Gradient-descent optimizers: SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam.

Every optimizer follows PyTorch's update formulas (`torch.optim`, default options), written
out in each class docstring so a student can check them against the textbook. With a constant
learning rate they match "Deep Learning from Scratch" too; where the two books differ (how the
learning rate enters the momentum buffer) PyTorch's form is used because it lets the learning
rate change mid-run without rescaling the stored velocity.

Usage::

    opt = make_optimizer({"type": "adam", "lr": 1e-3})
    opt.step(params, grads)      # {key: ndarray}, same keys; params are updated in place
    opt.lr = 1e-4                # hyperparameters may change between steps; state is kept

State (velocities, moments) lives in `opt.state`, a dict keyed by the parameter's key (any
hashable, e.g. `(node_id, "W")`), so nothing depends on string-built names. Scratch buffers are
allocated once per parameter, so a step allocates no large temporaries.
"""

import math

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
           "OPTIMIZERS", "make_optimizer"]


class Optimizer:
    """Base class: walks `params`/`grads` and updates each parameter in place.

    Subclasses implement `_delta(state, p, g, s) -> d`, the amount to subtract from `p`,
    written into the scratch array `s` (shaped like `p`), where `state` is this parameter's own
    dict (empty on the first step). Hyperparameters are plain attributes, listed in `HYPER`, so
    a driver can change them between steps (`opt.lr = 0.01`) and the state survives.
    """

    name = "optimizer"
    HYPER = ("lr",)
    DEFAULTS = {"lr": 0.01}

    def __init__(self, **hyper):
        self.state = {}
        self._scratch_src, self._scratch_flat, self._scratch_views = None, None, []
        for key, value in {**self.DEFAULTS, **hyper}.items():
            setattr(self, key, value)

    def _scratch(self, params):
        """The work arrays, one per parameter, that receive the updates d (so a step allocates
        no temporaries). When all parameters share a dtype they are views into one flat
        buffer, so that checking every update is a single dot product (tiny networks pay per
        numpy call, not per number). Rebuilt only when a different params dict comes in."""
        if params is self._scratch_src and len(params) == len(self._scratch_views):
            return self._scratch_flat, self._scratch_views
        dtypes = {p.dtype for p in params.values()}
        if len(dtypes) == 1:
            flat = np.empty(sum(p.size for p in params.values()), dtypes.pop())
            views, start = [], 0
            for p in params.values():
                views.append(flat[start:start + p.size].reshape(p.shape))
                start += p.size
        else:
            flat, views = None, [np.empty_like(p) for p in params.values()]
        self._scratch_src, self._scratch_flat, self._scratch_views = params, flat, views
        return flat, views

    def _deltas(self, params, grads):
        """Compute every update into the scratch arrays; returns (flat, [(key, p, d)])."""
        state, delta = self.state, self._delta
        flat, views = self._scratch(params)
        out = []
        for (key, p), s in zip(params.items(), views):
            st = state.get(key)
            if st is None:
                st = state[key] = {}
            out.append((key, p, delta(st, p, grads[key], s)))
        return flat, out

    def step(self, params, grads):
        """Update every array of `params` in place from the gradient with the same key."""
        for _, p, d in self._deltas(params, grads)[1]:
            p -= d

    def guarded_step(self, params, grads, parts=None):
        """Like `step`, but first checks every update: if one holds inf or NaN (or is so large
        that its sum of squares overflows, |d| > ~1e19 in float32) nothing is applied and its
        key is returned; else all are applied and None is returned.

        Why this is enough to keep the parameters finite without copying them: a finite p minus
        a finite d with |d| < 1e19 cannot overflow, because such a d is far below half the
        spacing of floats near the largest float, so the result rounds to a finite number.
        The trainer relies on it to avoid a per-step backup of all parameters. After a refusal
        the state (moments) may already hold the bad gradient: call `reset()`, as the trainer
        does.

        `parts`: when `params` holds one array packing many (a packed model), a list of
        (key, slice of the flat array) so that the key of the first bad part is returned.
        """
        flat, deltas = self._deltas(params, grads)
        isfinite, vdot = math.isfinite, np.vdot
        if flat is None or not isfinite(vdot(flat, flat)):
            for key, _, d in deltas:
                if not isfinite(vdot(d, d)):
                    return _first_bad_part(d, parts) if parts else key
        for _, p, d in deltas:
            p -= d
        return None

    def _delta(self, state, p, g, s):
        raise NotImplementedError

    def reset(self):
        """Forget all per-parameter state (e.g. after a divergence poisoned the moments)."""
        self.state.clear()

    @property
    def hyperparameters(self):
        """The current hyperparameters as a plain dict (type included), e.g. for a preset."""
        return {"type": self.name, **{k: getattr(self, k) for k in self.HYPER}}

    def set_hyperparameters(self, **values):
        """Validate and apply new hyperparameters; state is kept. Raises ValueError."""
        spec = {**self.hyperparameters, **values}
        _validate(spec)
        for key, value in values.items():
            if key in self.HYPER:
                setattr(self, key, float(value))

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.HYPER)
        return f"{type(self).__name__}({args})"


def _first_bad_part(d, parts):
    """The key of the part to blame: the first holding inf or NaN, else (every value is
    finite, only the sum of squares overflowed) the one with the largest update."""
    flat = d.reshape(-1)
    for key, where in parts:
        if not np.isfinite(flat[where]).all():
            return key
    return max(parts, key=lambda part: float(np.abs(flat[part[1]]).max(initial=0.0)))[0]


class SGD(Optimizer):
    """Plain stochastic gradient descent (PyTorch `SGD`, DLFS `SGD`).

    p <- p - lr * g
    """

    name = "sgd"
    HYPER = ("lr",)
    DEFAULTS = {"lr": 0.01}

    def _delta(self, state, p, g, s):
        return np.multiply(g, self.lr, out=s)


def _velocity(state, p, g, momentum):
    """v <- momentum * v + g in place, the buffer Momentum and Nesterov share; the first v is
    g itself (v starts at 0)."""
    v = state.get("velocity")
    if v is None:
        v = state["velocity"] = g.astype(p.dtype, copy=True)
    else:
        v *= momentum
        v += g
    return v


class Momentum(Optimizer):
    """SGD with momentum (PyTorch `SGD(momentum=mu)`, dampening 0).

    v <- mu * v + g            (v starts at 0, so the first v is g)
    p <- p - lr * v

    DLFS writes v <- mu * v - lr * g; p <- p + v, which is the same with a constant lr.
    """

    name = "momentum"
    HYPER = ("lr", "momentum")
    DEFAULTS = {"lr": 0.01, "momentum": 0.9}

    def _delta(self, state, p, g, s):
        v = _velocity(state, p, g, self.momentum)
        return np.multiply(v, self.lr, out=s)


class Nesterov(Optimizer):
    """Nesterov accelerated gradient (PyTorch `SGD(momentum=mu, nesterov=True)`).

    v <- mu * v + g
    p <- p - lr * (g + mu * v)
    """

    name = "nesterov"
    HYPER = ("lr", "momentum")
    DEFAULTS = {"lr": 0.01, "momentum": 0.9}

    def _delta(self, state, p, g, s):
        v = _velocity(state, p, g, self.momentum)
        np.multiply(v, self.momentum, out=s)
        s += g
        s *= self.lr
        return s


def _scaled_step(g, accumulator, s, lr, eps):
    """lr * g / (sqrt(accumulator) + eps), written into s: the step AdaGrad and RMSprop share
    (they differ only in how they accumulate the squared gradients)."""
    np.sqrt(accumulator, out=s)
    s += eps
    np.divide(g, s, out=s)
    s *= lr
    return s


class AdaGrad(Optimizer):
    """AdaGrad (PyTorch `Adagrad`, no lr decay; DLFS `AdaGrad` with eps outside the root).

    h <- h + g * g
    p <- p - lr * g / (sqrt(h) + eps)
    """

    name = "adagrad"
    HYPER = ("lr", "eps")
    DEFAULTS = {"lr": 0.01, "eps": 1e-10}

    def _delta(self, state, p, g, s):
        h = state.get("sum_sq")
        if h is None:
            h = state["sum_sq"] = np.zeros_like(p)
        np.multiply(g, g, out=s)
        h += s
        return _scaled_step(g, h, s, self.lr, self.eps)


class RMSprop(Optimizer):
    """RMSprop (PyTorch `RMSprop`, alpha = rho, not centred, no momentum).

    v <- rho * v + (1 - rho) * g * g
    p <- p - lr * g / (sqrt(v) + eps)
    """

    name = "rmsprop"
    HYPER = ("lr", "rho", "eps")
    DEFAULTS = {"lr": 0.01, "rho": 0.99, "eps": 1e-8}

    def _delta(self, state, p, g, s):
        v = state.get("square_avg")
        if v is None:
            v = state["square_avg"] = np.zeros_like(p)
        np.multiply(g, g, out=s)
        s *= 1.0 - self.rho
        v *= self.rho
        v += s
        return _scaled_step(g, v, s, self.lr, self.eps)


class Adam(Optimizer):
    """Adam with bias correction (PyTorch `Adam`, Kingma & Ba 2015, Algorithm 1).

    t <- t + 1                                  (counted per parameter)
    m <- beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g * g
    p <- p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Changing beta1/beta2 mid-run keeps m, v and t; the bias correction then uses the new betas.
    """

    name = "adam"
    HYPER = ("lr", "beta1", "beta2", "eps")
    DEFAULTS = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def _delta(self, state, p, g, s):
        m = state.get("m")
        if m is None:
            m = state["m"] = np.zeros_like(p)
            state["v"] = np.zeros_like(p)
            state["t"] = 0
        v = state["v"]
        t = state["t"] = state["t"] + 1
        b1, b2 = self.beta1, self.beta2
        np.multiply(g, 1.0 - b1, out=s)
        m *= b1
        m += s
        np.multiply(g, g, out=s)
        s *= 1.0 - b2
        v *= b2
        v += s
        # lr * m_hat / (sqrt(v_hat) + eps) with the corrections folded into two scalars.
        np.sqrt(v, out=s)
        s *= 1.0 / math.sqrt(1.0 - b2 ** t)
        s += self.eps
        np.divide(m, s, out=s)
        s *= self.lr / (1.0 - b1 ** t)
        return s


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)}

# Every hyperparameter any optimizer understands, with the rule it must satisfy. A spec may
# carry keys its type does not use (the GUI keeps them when switching type); they are ignored.
_RULES = {
    "lr": (lambda v: v > 0, "a positive number, e.g. 0.01"),
    "momentum": (lambda v: 0 <= v < 1, "a number in [0, 1), e.g. 0.9"),
    "beta1": (lambda v: 0 <= v < 1, "a number in [0, 1), e.g. 0.9"),
    "beta2": (lambda v: 0 <= v < 1, "a number in [0, 1), e.g. 0.999"),
    "rho": (lambda v: 0 <= v < 1, "a number in [0, 1), e.g. 0.99"),
    "eps": (lambda v: v > 0, "a small positive number, e.g. 1e-8"),
}


def _validate(spec):
    if not isinstance(spec, dict):
        raise ValueError(f"optimizer: expected a dict such as {{'type': 'sgd', 'lr': 0.1}}, "
                         f"got {type(spec).__name__}")
    kind = spec.get("type")
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer.type: unknown optimizer {kind!r}; "
                         f"choose one of {', '.join(OPTIMIZERS)}")
    for key, value in spec.items():
        if key == "type":
            continue
        if key not in _RULES:
            raise ValueError(f"optimizer.{key}: unknown hyperparameter; "
                             f"known ones are {', '.join(_RULES)}")
        ok, wanted = _RULES[key]
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not is_number or not math.isfinite(value) or not ok(value):
            raise ValueError(f"optimizer.{key}: must be {wanted}, got {value!r}")


def make_optimizer(spec):
    """Build an optimizer from a preset's `optimizer` dict, e.g. {"type": "adam", "lr": 1e-3}.

    Raises ValueError naming the offending key and what it should be. Hyperparameters that the
    chosen type does not use (say `momentum` for Adam) are accepted and ignored, so a spec can
    switch type without being cleaned first.
    """
    _validate(spec)
    cls = OPTIMIZERS[spec["type"]]
    return cls(**{k: float(v) for k, v in spec.items() if k in cls.HYPER})
