"""PyTorch export: a readable, runnable `.py` with an `nn.Module` of the same graph, its trained
weights in a `.npz` beside it (torch state-dict names; plain arrays, no pickle) and a training
loop with the preset's loss, optimizer, learning rate and batch size that runs on a GPU when
there is one and under `torchrun` with DistributedDataParallel.

Conventions that make the numbers match exactly:
- nn.Linear keeps W as (out, in): nnplayground's Dense W (in, out) is written transposed.
- Conv2d's weight (out_c, in_c, kh, kw) and the image layout [N, C, H, W] are nnplayground's
  own, so `torch.flatten(x, 1)` flattens in the same (C, H, W) order.
- BatchNorm: PyTorch's momentum is the weight of the *new* batch (1 - nnplayground's), and
  both keep the running variance unbiased; eval() uses the running statistics.
- The module returns the output after its final activation; `logits=True` stops before a
  final softmax/sigmoid, which the fused losses (F.cross_entropy, BCE with logits) take.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import (DATA_SUFFIX, WEIGHTS_SUFFIX, companion, task_of, training_settings,
                     write_program)
from .graph import Graph

# names the generated code uses itself, and nn.Module attributes a layer must not shadow
_TAKEN = {"self", "logits", "torch", "nn", "F", "np", "os", "Path", "main", "Net",
          "training", "forward", "parameters", "modules", "children", "buffers", "state_dict",
          "load_state_dict", "train", "eval", "to", "cuda", "cpu", "type", "float", "double",
          "half", "apply", "zero_grad", "add_module", "register_buffer", "register_parameter",
          "register_module", "named_parameters", "named_modules", "named_children",
          "named_buffers", "extra_repr", "requires_grad_", "share_memory", "compile",
          "bfloat16", "get_submodule", "get_parameter", "get_buffer", "dump_patches"}


def _attr_names(graph):
    from .graph import identifiers

    names = identifiers([n.id for n in graph.nodes], _TAKEN)
    return {k: (v + "_" if v.startswith("_") else v) for k, v in names.items()}


def torch_state(graph, state, names=None):
    """{torch state-dict key: array}: the trained arrays under the generated module's names."""
    names = names or _attr_names(graph)
    out = {}
    for node in graph.nodes:
        a = names[node.id]
        if node.type == "Dense":
            out[f"{a}.weight"] = graph.weights(state, node.id, "W").T
            if node.params.get("use_bias", True):
                out[f"{a}.bias"] = graph.weights(state, node.id, "b")
        elif node.type == "Conv2D":
            out[f"{a}.weight"] = graph.weights(state, node.id, "W")
            out[f"{a}.bias"] = graph.weights(state, node.id, "b")
        elif node.type == "BatchNorm":
            for ours, theirs in (("gamma", "weight"), ("beta", "bias"),
                                 ("running_mean", "running_mean"), ("running_var", "running_var")):
                out[f"{a}.{theirs}"] = graph.weights(state, node.id, ours)
            out[f"{a}.num_batches_tracked"] = np.array(0, dtype=np.int64)
    return out


def pytorch_code(doc, weights_name, data_name, dataset=None, graph=None):
    """The program's text; `weights_name`/`data_name`: the files it reads beside itself."""
    graph = graph or Graph(doc["model"])
    graph.check("PyTorch")
    names = _attr_names(graph)
    opt, batch_size, epochs, seed, l1, l2 = training_settings(doc)
    task = task_of(doc, dataset)
    final, alpha = graph.final_activation()
    loss = doc.get("loss", "mse")
    fused = (loss, final) in (("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid"))
    n_out = graph.output_node.shape[0]
    title = doc.get("name") or "model"
    stem = Path(weights_name).name[:-len(WEIGHTS_SUFFIX)] if weights_name.endswith(
        WEIGHTS_SUFFIX) else Path(weights_name).stem

    lines = [
        f'"""{_doc_text(title)}: a network exported from nnplayground.',
        "",
        "The preset's network as a PyTorch nn.Module, its trained weights",
        f"({weights_name}, beside this file) and its training settings, so training goes on",
        "here: on a GPU when there is one, or on several with PyTorch's distributed training:",
        "",
        f"    python {stem}.py                          # CPU or one GPU",
        f"    torchrun --nproc_per_node=4 {stem}.py     # 4 processes (one per GPU), DDP",
        "",
        f"The data ({data_name}: x_train, y_train, x_test, y_test) is the preset's, as",
        "nnplayground made it; put your own arrays in a file of that form to train on more.",
        "Images are [N, C, H, W] (channels first) as in nnplayground.",
        '"""',
        "",
        "import os",
        "from pathlib import Path",
        "",
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "from torch import nn",
        "",
        "HERE = Path(__file__).resolve().parent",
        f"WEIGHTS = HERE / {weights_name!r}",
        f"DATA = HERE / {data_name!r}",
        f"LEARNING_RATE = {float(opt.get('lr', 0.01))!r}",
        f"BATCH_SIZE = {batch_size}",
        f"EPOCHS = {epochs}",
        f"SEED = {seed}",
    ]
    if l1 or l2:
        lines += [f"L1 = {l1!r}    # loss += L1 * sum|W| (Dense and Conv2D weights)",
                  f"L2 = {l2!r}    # loss += L2 / 2 * sum(W**2)"]
    lines += ["", ""] + _module_lines(graph, names, final, alpha, fused) + ["", ""]
    lines += _LOADERS.strip("\n").split("\n") + ["", ""]
    lines += _loss_lines(loss, fused, task, n_out, l1, l2)
    lines += ["", ""] + _optimizer_lines(opt) + ["", ""]
    lines += _evaluate_lines(task, n_out)
    lines += ["", ""] + _main_lines(l1 or l2)
    return "\n".join(lines) + "\n"


def _doc_text(text):
    return str(text).replace('"""', "'''").replace("\\", "/")


def _module_lines(graph, names, final, alpha, fused):
    inp = graph.input
    out = graph.output_node
    lines = ["class Net(nn.Module):",
             f'    """{_shape_text(inp.shape)} -> {_shape_text(out.shape)}, after the final {final}."""',
             "",
             "    def __init__(self):",
             "        super().__init__()"]
    body = []
    for node in graph.nodes:
        decl = _declaration(graph, node)
        if node.type == "BatchNorm":
            body.append(f"        # momentum: the new batch's share (nnplayground's "
                        f"{float(node.params['momentum'])!r} is the running value's)")
        if decl:
            body.append(f"        self.{names[node.id]} = {decl}")
    lines += body or ["        pass"]
    x = names[inp.id]
    lines += ["",
              f"    def forward(self, {x}, logits=False):" if fused else
              f"    def forward(self, {x}):"]
    for node in graph.nodes[1:]:
        expr = _expression(graph, node, names, last=(node.id == graph.output and fused))
        lines.append(f"        {names[node.id]} = {expr}")
    result = names[out.id]
    if fused:
        lines.append(f"        # logits: before the final {final} (what the fused loss takes)")
        lines.append(f"        return {result} if logits else "
                     f"{_activate(final, alpha, result)}")
    else:
        lines.append(f"        return {result}")
    return lines


def _shape_text(shape):
    return "(N, " + ", ".join(map(str, shape)) + ")"


def _declaration(graph, node):
    p, t = node.params, node.type
    if t == "Dense":
        bias = "" if p.get("use_bias", True) else ", bias=False"
        return f"nn.Linear({graph.input_shape(node)[0]}, {p['units']}{bias})"
    if t == "Conv2D":
        kh, kw = p["kernel"]
        kernel = kh if kh == kw else (kh, kw)
        return (f"nn.Conv2d({graph.input_shape(node)[0]}, {p['filters']}, kernel_size={kernel}, "
                f"stride={p['stride']}, padding={p['padding']})")
    if t in ("MaxPool2D", "AvgPool2D"):
        size = int(p["size"])
        return f"nn.{t[:-2]}2d({size}, stride={int(p['stride'] or size)})"
    if t == "Dropout":
        return f"nn.Dropout({float(p['rate'])!r})"
    if t == "BatchNorm":
        dim = "1d" if len(graph.input_shape(node)) == 1 else "2d"
        # PyTorch's momentum weighs the new batch: 1 - nnplayground's
        return (f"nn.BatchNorm{dim}({graph.input_shape(node)[0]}, eps={float(p['eps'])!r}, "
                f"momentum={round(1 - float(p['momentum']), 12)!r})")
    return None


def _expression(graph, node, names, last=False):
    """The forward-pass line of one node; `last`: stop before a final activation."""
    args = [names[i] for i in node.inputs]
    src = args[0] if args else None
    t = node.type
    if t in ("Dense", "Conv2D"):
        z = f"self.{names[node.id]}({src})"
    elif t in ("MaxPool2D", "AvgPool2D", "Dropout", "BatchNorm"):
        return f"self.{names[node.id]}({src})"
    elif t == "Flatten":
        return f"torch.flatten({src}, 1)    # (C, H, W) order, as in nnplayground"
    elif t == "Reshape":
        return f"{src}.reshape(len({src}), {', '.join(map(str, node.shape))})"
    elif t == "Add":
        return " + ".join(args)
    elif t == "Concatenate":
        return f"torch.cat([{', '.join(args)}], dim=1)"
    elif t == "Activation":
        z = src
    else:
        raise AssertionError(t)   # Graph refuses unknown types first
    if last:
        return z
    name, alpha = node.activation
    return _activate(name, alpha, z)


def _activate(name, alpha, z):
    return {
        "identity": z,
        "step": f"({z} > 0).float()",      # 1 where z > 0, else 0 (no gradient)
        "sigmoid": f"torch.sigmoid({z})",
        "tanh": f"torch.tanh({z})",
        "relu": f"torch.relu({z})",
        "leaky_relu": f"F.leaky_relu({z}, {alpha!r})",
        "elu": f"F.elu({z}, {alpha!r})",
        "softplus": f"F.softplus({z})",
        "softmax": f"torch.softmax({z}, dim=1)",
    }[name]


def _loss_lines(loss, fused, task, n_out, l1, l2):
    lines = ["def compute_loss(model, x, y):",
             f'    """The preset\'s loss ({loss}), a mean over the batch as in nnplayground."""']
    if loss == "cross_entropy":
        lines += ["    return F.cross_entropy(model(x, logits=True), y)" if fused else
                  "    return F.nll_loss(torch.log(model(x).clamp_min(1e-12)), y)"]
    elif loss == "binary_cross_entropy":
        lines += ["    z = model(x, logits=True)" if fused else "    p = model(x)",
                  "    t = y.to(z.dtype).reshape(z.shape)" if fused else
                  "    t = y.to(p.dtype).reshape(p.shape)",
                  "    return F.binary_cross_entropy_with_logits(z, t)" if fused else
                  "    return F.binary_cross_entropy(p, t)"]
    else:
        lines += ["    out = model(x)"]
        if task == "classification":
            lines += ["    # classes compared as one-hot targets (0/1 for one output unit)",
                      "    t = F.one_hot(y, out.shape[1]).to(out.dtype)" if n_out > 1 else
                      "    t = y.to(out.dtype).reshape(out.shape)"]
        else:
            lines += ["    t = y.to(out.dtype).reshape(out.shape)"]
        lines += ["    return F.mse_loss(out, t)"]
    if l1 or l2:
        lines += ["", "", "def penalty(model):",
                  '    """nnplayground\'s regularisation of the Dense and Conv2D weights."""',
                  "    layers = (nn.Linear, nn.Conv2d)",
                  "    weights = [m.weight for m in model.modules() if isinstance(m, layers)]",
                  "    return sum(L1 * w.abs().sum() + L2 / 2 * (w * w).sum() for w in weights)"]
    return lines


def _optimizer_lines(opt):
    kind = opt.get("type", "sgd")
    lr = "lr=LEARNING_RATE"
    if kind == "sgd":
        call = f"torch.optim.SGD(parameters, {lr})"
    elif kind in ("momentum", "nesterov"):
        nesterov = ", nesterov=True" if kind == "nesterov" else ""
        call = f"torch.optim.SGD(parameters, {lr}, momentum={float(opt['momentum'])!r}{nesterov})"
    elif kind == "adagrad":
        call = f"torch.optim.Adagrad(parameters, {lr}, eps={float(opt['eps'])!r})"
    elif kind == "rmsprop":
        call = (f"torch.optim.RMSprop(parameters, {lr}, alpha={float(opt['rho'])!r}, "
                f"eps={float(opt['eps'])!r})")
    elif kind == "adam":
        call = (f"torch.optim.Adam(parameters, {lr}, betas=({float(opt['beta1'])!r}, "
                f"{float(opt['beta2'])!r}), eps={float(opt['eps'])!r})")
    else:
        from .graph import ExportError, ExportProblem
        raise ExportError([ExportProblem(None, f"optimizer {kind!r} has no PyTorch "
                                               f"equivalent here")], "PyTorch")
    return ["def make_optimizer(parameters):",
            f'    """The preset\'s optimizer ({kind}); its state starts fresh."""',
            f"    return {call}"]


def _evaluate_lines(task, n_out):
    lines = ["@torch.no_grad()",
             "def evaluate(model, x, y, batch=1000):",
             '    """Mean loss (and accuracy) on (x, y), in inference mode."""',
             "    model.eval()",
             "    loss, right = 0.0, 0",
             "    for xb, yb in zip(torch.split(x, batch), torch.split(y, batch)):",
             "        loss += compute_loss(model, xb, yb).item() * len(xb)"]
    if task == "classification":
        guess = "(out[:, 0] > 0.5).long()" if n_out == 1 else "out.argmax(dim=1)"
        lines += ["        out = model(xb)",
                  f"        right += int(({guess} == yb).sum())",
                  '    return f"test loss {loss / len(x):.4f}, accuracy {right / len(x):.2%}"']
    else:
        lines += ["    return f\"test loss {loss / len(x):.4f}\""]
    return lines


_MAIN = '''
def main(epochs=EPOCHS, save=HERE / (WEIGHTS.stem + "_continued.npz")):
    """Train on from the exported weights; save them (same .npz form) at the end."""
    distributed = "LOCAL_RANK" in os.environ      # set by torchrun
    if distributed:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        torch.distributed.init_process_group(backend)
    rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{rank}" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(SEED)
    model = load_trained().to(device)
    net = model
    if distributed:
        # DDP averages the gradients of all processes after each backward()
        ids = [rank] if device.type == "cuda" else None
        net = nn.parallel.DistributedDataParallel(model, device_ids=ids)
    x_train, y_train, x_test, y_test = load_data()
    train_set = torch.utils.data.TensorDataset(x_train, y_train)
    sampler = None
    if distributed:     # each process trains on its own share of every epoch
        sampler = torch.utils.data.distributed.DistributedSampler(train_set, seed=SEED)
    loader = torch.utils.data.DataLoader(train_set, batch_size=BATCH_SIZE,
                                         shuffle=sampler is None, sampler=sampler)
    optimizer = make_optimizer(model.parameters())
    for epoch in range(1, epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = $LOSS
            loss.backward()
            optimizer.step()
        if rank == 0:
            print(f"epoch {epoch}:", evaluate(model, x_test.to(device), y_test.to(device)))
    if rank == 0 and save:
        np.savez(save, **{k: v.cpu().numpy() for k, v in model.state_dict().items()})
        print("saved", save)
    if distributed:
        torch.distributed.destroy_process_group()
    return model


if __name__ == "__main__":
    main()
'''

_LOADERS = '''
def load_trained(path=WEIGHTS):
    """A Net with the weights trained in nnplayground (or saved by main())."""
    model = Net()
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})
    return model


def load_data(path=DATA):
    """(x_train, y_train, x_test, y_test) as tensors."""
    if not Path(path).exists():
        raise SystemExit(f"{path} not found: export with the data, or write x_train, "
                         "y_train, x_test, y_test arrays there with np.savez")
    with np.load(path) as data:
        return tuple(torch.from_numpy(data[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
'''


def _main_lines(regularised):
    loss = "compute_loss(net, xb, yb) + penalty(model)" if regularised \
        else "compute_loss(net, xb, yb)"
    return _MAIN.replace("$LOSS", loss).strip("\n").split("\n")


def write_pytorch(doc, state, out, dataset=None, graph=None):
    """Write OUT.py, OUT_weights.npz and (with a dataset) OUT_data.npz; return the paths."""
    graph = graph or Graph(doc["model"])
    code = pytorch_code(doc, companion(out, WEIGHTS_SUFFIX).name,
                        companion(out, DATA_SUFFIX).name, dataset, graph)
    return write_program(out, code, torch_state(graph, state), dataset)
