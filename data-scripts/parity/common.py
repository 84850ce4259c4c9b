"""Helpers shared by the cases: released run-script defaults, seeding, snapshots, summaries, JSON output."""
import argparse
import ast
import json
import math
import os
import random

import numpy as np
import torch

import st_io

SEED = 666            # every released run script: --seed 666, setup_seed() before initiate()
STEPS = 20
BATCH_SIZES = (16, 12)
CANONICAL_COMMAND = ("/usr/bin/python3 data-scripts/parity/generate.py --released <CGGM checkout at 21e428c> "
                     "--out tests/Cggm.Tests/Parity/Fixtures")


def run_script_defaults(root, script):
    """The argparse defaults of a released run script (run/*.py), read from its source with the ast module."""
    with open(os.path.join(root, script)) as f:
        tree = ast.parse(f.read())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_argument":
            flag = node.args[0].value.lstrip("-")
            kw = {k.arg: k.value for k in node.keywords}
            if "default" in kw:
                out[flag] = ast.literal_eval(kw["default"])
            elif "action" in kw:
                out[flag] = ast.literal_eval(kw["action"]) == "store_false"
    return out


def setup_seed(seed=SEED):
    """What the released run scripts' setup_seed does (CPU part)."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def hyp(**kw):
    return argparse.Namespace(**kw)


def state_arrays(module):
    """state_dict as {released name: numpy array} (parameters and buffers, state_dict order)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def summary(a):
    """[sum, sum of squares, max |x|] in float64 of a float tensor's values."""
    a = np.asarray(a, dtype=np.float64).ravel()
    if a.size == 0:
        return [0.0, 0.0, 0.0]
    return [float(a.sum()), float(np.dot(a, a)), float(np.abs(a).max())]


def sample_index(n, count):
    """Fixed flat indices of a tensor with n >= 1 elements: floor(j * (n - 1) / (count - 1)) for j = 0..count-1
    (first and last element included; indices repeat when n < count)."""
    if count == 1:
        return np.zeros(1, dtype=np.int64)
    return np.asarray([(j * (n - 1)) // (count - 1) for j in range(count)], dtype=np.int64)


def table(arrays, count):
    """Summary and sample matrices of named tensors, rows in the given order:
    summary [N, 3] float64 (sum, sum of squares, max |x|), sample [N, count] float32 at sample_index(numel, count)."""
    names = list(arrays)
    summ = np.zeros((len(names), 3), dtype=np.float64)
    samp = np.zeros((len(names), count), dtype=np.float32)
    for i, n in enumerate(names):
        a = np.asarray(arrays[n])
        summ[i] = summary(a)
        samp[i] = a.ravel()[sample_index(max(a.size, 1), count)].astype(np.float32)
    return names, summ, samp


def check_finite(obj, where=""):
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"non-finite value at {where}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            check_finite(v, f"{where}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            check_finite(v, f"{where}[{i}]")


def _dumps(obj, indent):
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad} {json.dumps(k)}: {_dumps(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in obj):
            return "[" + ", ".join(json.dumps(v, allow_nan=False) for v in obj) + "]"
        return "[\n" + ",\n".join(pad + " " + _dumps(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def write_json(path, obj):
    """JSON with one key per line and lists of scalars on one line; floats as Python's shortest round-trip repr."""
    check_finite(obj)
    text = _dumps(obj, 0)
    json.loads(text)
    with open(path, "w") as f:
        f.write(text + "\n")


def write_st(folder, name, tensors):
    os.makedirs(folder, exist_ok=True)
    st_io.write(os.path.join(folder, name), tensors)
    return name


def tensor_index(arrays):
    """{name: shape} for FORMAT listings."""
    return {k: list(np.shape(v)) for k, v in arrays.items()}


def named_args(names, values):
    return {n: (list(v) if isinstance(v, tuple) else v) for n, v in zip(names, values)}


def state_listing(module):
    """{'names', 'shapes', 'parameter'} of module.state_dict() in order; 'parameter' marks trainable parameters
    (False: buffers). The parameters, in this order, are exactly module.named_parameters()."""
    sd = module.state_dict()
    params = [n for n, _ in module.named_parameters()]
    names = list(sd)
    pset = set(params)
    flags = [n in pset for n in names]
    assert [n for n, f in zip(names, flags) if f] == params, "named_parameters order differs from state_dict order"
    return {"names": names, "shapes": [list(sd[n].shape) for n in names], "parameter": flags}
