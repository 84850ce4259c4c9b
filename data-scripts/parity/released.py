"""Imports the released CGGM code (github.com/zrguo/CGGM at 21e428c) from a checkout given on the command line.

Nothing of the released code is copied here. What this module adds around it:

* verification that the checkout is the released commit (SHA-256 of every released file the generator imports);
* stand-ins for two third-party packages Debian does not serve:
  - `einops`: only `rearrange` is used, by `SegLoss.forward` (src/eval_metrics.py) with the two patterns
    'b n h w -> b n (h w)' and 'b h w n -> b n (h w)'; the stand-in implements plain axis permutation + grouping;
  - `transformers`: `ViTModel` / `BertModel` (imported by src/foodtrain.py). The generator feeds precomputed token
    features, so `from_pretrained` returns a frozen "extractor" that hands its input back as `last_hidden_state`;
* `cuda_as_cpu()`: a context in which `.cuda()` returns the same CPU tensor/module and `torch.cuda.device(i)` is a
  no-op context (the released SegLoss calls `.cuda()` unconditionally, and foodtrain only reads the text inputs on its
  CUDA branch);
* `narrow_segmodel(d)`: builds models/segmodel.py's classes with every channel count c >= 16 divided by d.
"""
import contextlib
import hashlib
import importlib
import os
import sys
import types

import torch

RELEASED_COMMIT = "21e428cb7e666b8640453557380bb6414b7d246f"
RELEASED_URL = "https://github.com/zrguo/CGGM"
RELEASED_SHA256 = {
    "src/eval_metrics.py": "042c79310f301d22017b6bbb46af5947bdedaf4038f857818fe2b8ce4b66a847",
    "src/foodtrain.py": "089ad2f2acedede31089160e3700c768d0e059f18f2d13d46d19510491e67e20",
    "src/msatrain.py": "48ecbcc5dde41aa166b2dcd074558d929be61a5eef570a638844cf29b1323a15",
    "src/segtrain.py": "5ec5dfef03957af29a6a13c43456c545448d9a64566d895887424bc42155ab6c",
    "models/foodmodel.py": "61205654cf206d4e7bc23f0c2e01d2cf01ccf91152f90b3bba21d521ec359488",
    "models/msamodel.py": "ea35698d5e978ba5271e3eb9d2d4d8b7246dab9d6e0a48295683d2f0de82ae7c",
    "models/segmodel.py": "f4688a3758276a298d96d3af4d5594dae6017ba51479fab4dd77dfdd0848185b",
    "modules/multihead_attention.py": "17f6d199f49a772fa613849c2cd48319a8e0fd50514a8a7860952153594a6b53",
    "modules/position_embedding.py": "6b5a637b9a3538ddce2bb84722e4352f8b08e889294620adf2c4705be533640e",
    "modules/transformer.py": "b1894438d7efbe0c934846a030958ff3a6513a4dc3c53ac0906448641b842236",
    "datasets/CMUDataset.py": "8a9c84947f1a74966a3be01e2154d086b9f800f18fec4fb4b18b9e77f392a091",
    "datasets/IEMODataset.py": "11e1c0ae1e41a724595526aa15c8c2d3fc0cc2ca1771d73dd7ebf8f948d37cfe",
}

STUBBED = []   # names of stand-in modules actually installed (reported in case.json)


def verify(root):
    bad = []
    for rel, want in RELEASED_SHA256.items():
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            bad.append(f"{rel}: missing")
            continue
        with open(path, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        if got != want:
            bad.append(f"{rel}: sha256 {got}, expected {want}")
    if bad:
        raise SystemExit(f"{root} is not {RELEASED_URL} at {RELEASED_COMMIT[:7]}:\n  " + "\n  ".join(bad) +
                         f"\nGet it with: git clone {RELEASED_URL} && git -C CGGM checkout {RELEASED_COMMIT[:7]}")


def _rearrange(tensor, pattern):
    """einops.rearrange for patterns whose left side lists plain axis names and whose right side may group them."""
    left, right = [s.strip() for s in pattern.split("->")]
    names = left.split()
    if any("(" in n for n in names) or len(names) != tensor.dim():
        raise NotImplementedError(f"stand-in rearrange cannot do {pattern!r}")
    groups, cur, token = [], None, ""
    for ch in right + " ":
        if ch == "(":
            cur = []
        elif ch == ")":
            if token:
                cur.append(token)
                token = ""
            groups.append(cur)
            cur = None
        elif ch == " ":
            if token:
                (cur if cur is not None else groups).append(token if cur is not None else [token])
                token = ""
        else:
            token += ch
    order = [a for g in groups for a in g]
    if sorted(order) != sorted(names):
        raise NotImplementedError(f"stand-in rearrange cannot do {pattern!r}")
    x = tensor.permute(*[names.index(a) for a in order])
    shape, i = [], 0
    for g in groups:
        size = 1
        for _ in g:
            size *= x.shape[i]
            i += 1
        shape.append(size)
    return x.reshape(shape)


class FeatureExtractorStandIn(torch.nn.Module):
    """Stands in for the frozen ViT/BERT: returns its first input as 'last_hidden_state' (precomputed features)."""

    def __init__(self, name):
        super().__init__()
        self.name = name

    def forward(self, x, *unused):
        return {"last_hidden_state": x}

    @classmethod
    def from_pretrained(cls, name, *a, **k):
        return cls(name)


def _install_stubs():
    try:
        importlib.import_module("einops")
    except ImportError:
        m = types.ModuleType("einops")
        m.rearrange = _rearrange
        m.__doc__ = "parity-generator stand-in: rearrange only"
        sys.modules["einops"] = m
        STUBBED.append("einops.rearrange (axis permutation + grouping; used by SegLoss)")
    # Always stand in for transformers: the parity suite bypasses the frozen extractors with precomputed features,
    # and a real transformers would try to download ViT/BERT weights.
    t = types.ModuleType("transformers")

    class ViTModel(FeatureExtractorStandIn):
        pass

    class BertModel(FeatureExtractorStandIn):
        pass

    t.ViTModel, t.BertModel = ViTModel, BertModel
    t.__doc__ = "parity-generator stand-in: frozen extractors return precomputed features"
    sys.modules["transformers"] = t
    STUBBED.append("transformers.ViTModel/BertModel (identity over precomputed token features)")


class Released:
    """The released modules, imported from a verified checkout."""

    def __init__(self, root):
        root = os.path.abspath(root)
        verify(root)
        self.root = root
        _install_stubs()
        sys.path.insert(0, root)
        for pkg in ("src", "models", "modules", "datasets"):
            if pkg in sys.modules:
                del sys.modules[pkg]
        self.eval_metrics = importlib.import_module("src.eval_metrics")
        self.msatrain = importlib.import_module("src.msatrain")
        self.foodtrain = importlib.import_module("src.foodtrain")
        self.segtrain = importlib.import_module("src.segtrain")
        self.msamodel = importlib.import_module("models.msamodel")
        self.foodmodel = importlib.import_module("models.foodmodel")
        self.segmodel = importlib.import_module("models.segmodel")
        self.transformer = importlib.import_module("modules.transformer")
        self.cmu = importlib.import_module("datasets.CMUDataset")
        self.iemo = importlib.import_module("datasets.IEMODataset")
        for m in (self.eval_metrics, self.msatrain, self.foodtrain, self.segtrain, self.msamodel, self.foodmodel,
                  self.segmodel, self.transformer, self.cmu, self.iemo):
            if not os.path.abspath(m.__file__).startswith(root + os.sep):
                raise SystemExit(f"{m.__name__} was imported from {m.__file__}, not from {root}")


@contextlib.contextmanager
def cuda_as_cpu():
    """.cuda() on tensors and modules returns them unchanged; torch.cuda.device(i) does nothing."""
    saved = (torch.Tensor.cuda, torch.nn.Module.cuda, torch.cuda.device)
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self
    torch.cuda.device = lambda *a, **k: contextlib.nullcontext()
    try:
        yield
    finally:
        torch.Tensor.cuda, torch.nn.Module.cuda, torch.cuda.device = saved


def _narrow(c, d):
    if c < 16:
        return c
    if c % d:
        raise ValueError(f"channel count {c} is not divisible by {d}")
    return c // d


@contextlib.contextmanager
def narrow_segmodel(segmodel, d):
    """While active, models/segmodel.py builds Conv2d/BatchNorm2d with every channel count c >= 16 divided by d.

    The released classes run unchanged; only the `nn` name in segmodel's namespace is replaced by a namespace whose
    Conv2d/BatchNorm2d are torch.nn subclasses with narrowed channel counts (everything else is torch.nn itself).
    Counts below 16 (the 1-channel MRI input and the 4 classes) are kept.
    """
    class Conv2d(torch.nn.Conv2d):
        def __init__(self, in_channels, out_channels, *a, **k):
            super().__init__(_narrow(in_channels, d), _narrow(out_channels, d), *a, **k)

    class BatchNorm2d(torch.nn.BatchNorm2d):
        def __init__(self, num_features, *a, **k):
            super().__init__(_narrow(num_features, d), *a, **k)

    class NarrowNN(types.SimpleNamespace):
        def __getattr__(self, name):
            return getattr(torch.nn, name)

    saved = segmodel.nn
    segmodel.nn = NarrowNN(Conv2d=Conv2d, BatchNorm2d=BatchNorm2d)
    try:
        yield
    finally:
        segmodel.nn = saved
