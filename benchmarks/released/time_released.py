#!/usr/bin/python3
"""Times the released CGGM code's training steps (github.com/zrguo/CGGM at 21e428c) at the shapes of `cggm bench`.

    git clone https://github.com/zrguo/CGGM && git -C CGGM checkout 21e428c
    /usr/bin/python3 benchmarks/released/time_released.py --released CGGM [--models mosi,iemocap,food101,brats2021-small]
        [--methods joint,cggm] [--steps 20] [--warmup 3] [--threads 2] [--json]

The released trainer times itself: its initiate() builds the model, the classifiers, the optimizers and the criterion from
the run script's defaults, and its train() loop runs on pre-made random batches from a loader that stamps the clock at
every batch fetch. A step is the time between two fetches. joint is the run script's `--modulation none`, cggm its default
`--modulation cggm`. README.md says what is measured and what is not.
"""
import argparse
import contextlib
import ctypes
import gc
import json
import os
import platform
import sys
import time
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = os.path.normpath(os.path.join(HERE, "..", "..", "data-scripts", "parity"))
sys.dont_write_bytecode = True          # no __pycache__ inside the repository
EXIT_SETUP = 2                          # python packages, checkout or arguments wrong: nothing was measured
PACKAGES = (("torch", "python3-torch"), ("numpy", "python3-numpy"), ("sklearn", "python3-sklearn"),
            ("h5py", "python3-h5py"), ("torchvision", "python3-torchvision"))
METHODS = ("joint", "cggm")
POOL = 2                                # distinct pre-made batches, cycled (a Food batch is 97 MB)


def fail(message):
    print(f"time_released.py: {message}", file=sys.stderr)
    sys.exit(EXIT_SETUP)


def require_packages():
    """The released modules import torch, numpy and sklearn; datasets/IEMODataset.py also h5py and torchvision."""
    missing = []
    for name, apt in PACKAGES:
        try:
            __import__(name)
        except ImportError:
            missing.append((name, apt))
    if missing:
        fail(f"{sys.executable} cannot import {', '.join(n for n, _ in missing)}, which the released code needs. Use Debian's "
             f"/usr/bin/python3 with apt-get install -y {' '.join(a for _, a in missing)} (cggm bench takes --python PATH).")


require_packages()
sys.path.insert(0, PARITY)
import torch  # noqa: E402

import common  # noqa: E402  (data-scripts/parity: run-script defaults, setup_seed)
import released  # noqa: E402  (data-scripts/parity: checkout check, stand-ins, cuda_as_cpu)


# ----------------------------------------------------------------------------------------------------------------------
# The cases: cggm bench's shapes and batch sizes (src/Cggm/Bench/BenchSuite.cs), the released run scripts' values
# ----------------------------------------------------------------------------------------------------------------------
def _msa_batch(dims, classes):
    def make(g, b):
        x = {m: torch.randn((b, length, width), generator=g) for m, (length, width) in zip(("text", "audio", "vision"), dims)}
        # CMUData items carry labels [1, 1] (train() squeezes the last axis); IEMOData.collate_fn gives int64 [B]
        x["labels"] = torch.rand((b, 1, 1), generator=g) * 6 - 3 if classes is None else torch.randint(0, classes, (b,), generator=g)
        return x
    return make


def _food_batch(g, b):
    # the Food101 item structure (text_input dict, image, label); the ViT/BERT stand-ins hand back the token features
    text = torch.randn((b, 50, 768), generator=g)
    text_input = {"input_ids": text, "attention_mask": torch.ones((b, 50), dtype=torch.long),
                  "token_type_ids": torch.zeros((b, 50), dtype=torch.long)}
    return text_input, torch.randn((b, 197, 768), generator=g), torch.randint(0, 101, (b,), generator=g)


def _brats_batch(g, b):
    # (flair, t1ce, t1, t2, label) as BraTSData items, batched
    return (*[torch.randn((b, 1, 160, 160), generator=g) for _ in range(4)], torch.randint(0, 4, (b, 160, 160), generator=g))


def _after_parse(dataset, orig_dim, use_cuda, num_mod, output_dim=None, criterion=None):
    """What a run script sets on its arguments after parse_args (run/*.py), apart from the loader sizes."""
    def apply(h):
        h.orig_dim, h.use_cuda, h.dataset, h.num_mod = orig_dim, use_cuda, dataset, num_mod
        if dataset != "brats":                          # run/brats_run.py sets no layers, output_dim or criterion
            h.layers, h.output_dim, h.criterion = h.nlevels, output_dim, criterion
    return apply


class BasicBlock(torch.nn.Module):
    """ResNet-18's basic block with the DeepLab backbone's dilation on both 3x3 convs, as the C# BasicBlock
    (src/Cggm/Models/Blocks/ResidualBlocks.cs): 3x3 (stride s, dilation r) -> BN -> ReLU -> 3x3 (dilation r) -> BN,
    plus the shortcut, then ReLU. The released models/segmodel.py has only the bottleneck; this block takes the released
    Bottleneck's constructor arguments, so that the released ResNet class builds the backbone from it."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None, BatchNorm=None):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = BatchNorm(planes)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = BatchNorm(planes)
        self.relu = torch.nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


@contextlib.contextmanager
def resnet18_segmodel(segmodel):
    """While active, models/segmodel.py's DeepLabMultiInput and SegClassifier are built as cggm bench's brats2021-small:
    ResNet-18 backbones (BratsDeepLabOptions { Depth = ResNet18 }, every other size as released).

    * `ResNet101(output_stride, BatchNorm)` returns the released `ResNet` class built from BasicBlock with counts
      [2, 2, 2] in layers 1-3; its layer4 is the released multi-grid unit of 3 blocks (the fourth count is unused).
    * Two input widths are hard-coded for ResNet-101: ASPP's 2048 (layer4 output) and the decoder's low-level
      256 x heads (layer1 output). segmodel's `nn` is swapped for a namespace whose Conv2d reads 2048 as 512 and gives
      the decoder's 1x1 reduction to 48 channels 64 x heads inputs (as released.narrow_segmodel swaps it). The released
      classes and their forward passes run unchanged.
    """
    class Conv2d(torch.nn.Conv2d):
        def __init__(self, in_channels, out_channels, kernel_size, *a, **k):
            if in_channels == 2048:
                in_channels = 512                       # ASPP's four branches and its image-pooling conv
            elif out_channels == 48 and kernel_size == 1:
                in_channels //= 4                       # Decoder.conv1: 256 per head -> 64 per head
            super().__init__(in_channels, out_channels, kernel_size, *a, **k)

    class ResNet18NN(types.SimpleNamespace):
        def __getattr__(self, name):
            return getattr(torch.nn, name)

    def resnet18(output_stride, BatchNorm, input_dim=1):
        return segmodel.ResNet(BasicBlock, [2, 2, 2, 2], output_stride, BatchNorm, input_dim=input_dim)

    saved = segmodel.nn, segmodel.ResNet101
    segmodel.nn, segmodel.ResNet101 = ResNet18NN(Conv2d=Conv2d), resnet18
    try:
        yield
    finally:
        segmodel.nn, segmodel.ResNet101 = saved


# cggm bench's brats2021-small (BratsDeepLab with ResNetDepth.ResNet18; its 4 SegModalityClassifiers): parameters
BRATS_SMALL_PARAMETERS = (83_165_028, 5_181_840)


def check_resnet18(settings):
    """The released classes built as brats2021-small: the patched widths, and exactly cggm bench's parameter counts."""
    m, c = settings["model"], settings["classifier"]
    widths = [m.backbone1.layer4[-1].conv2.out_channels, m.aspp1.aspp1.atrous_conv.in_channels,
              m.aspp1.global_avg_pool[1].in_channels, m.decoder.conv1.in_channels, m.decoder.condconv1.in_channels]
    if c is not None:
        widths.append(c.decoder1.conv1.in_channels)
    want = [512, 512, 512, 256, 4 * 256 + 48] + ([64] if c is not None else [])
    if widths != want:
        raise RuntimeError(f"the ResNet-18 DeepLab was built with widths {widths}, expected {want}")
    counts = [sum(p.numel() for p in x.parameters()) for x in (m, c) if x is not None]
    if counts != list(BRATS_SMALL_PARAMETERS[:len(counts)]):
        raise RuntimeError(f"the ResNet-18 DeepLab (and classifiers) have {counts} parameters; cggm bench's brats2021-small has "
                           f"{list(BRATS_SMALL_PARAMETERS)}")


CASES = {
    "mosi": dict(trainer="msatrain", script="run/mosi_run.py", batch=64, make=_msa_batch([(50, 300), (50, 5), (50, 20)], None),
                 after_parse=_after_parse("mosi", (300, 5, 20), False, 3, 1, "L1Loss")),
    "iemocap": dict(trainer="msatrain", script="run/iemo_run.py", batch=64,
                    make=_msa_batch([(22, 1024), (350, 130), (50, 342)], 4),
                    after_parse=_after_parse("iemo", (1024, 130, 342), False, 3, 4, "CrossEntropyLoss")),
    # use_cuda: foodtrain's CPU branch never reads the text inputs (NameError), so Food runs its CUDA branch on the CPU
    "food101": dict(trainer="foodtrain", script="run/food_run.py", batch=128, make=_food_batch,
                    after_parse=_after_parse("food", None, True, 2, 101, "CrossEntropyLoss")),
    "brats2021-small": dict(trainer="segtrain", script="run/brats_run.py", batch=8, make=_brats_batch, resnet18=True,
                            after_parse=_after_parse("brats", None, False, 4)),
}


def context(R, case):
    stack = contextlib.ExitStack()
    if case["trainer"] in ("foodtrain", "segtrain"):
        stack.enter_context(released.cuda_as_cpu())     # foodtrain's CUDA branch; SegLoss calls .cuda() unconditionally
    if case.get("resnet18"):
        stack.enter_context(resnet18_segmodel(R.segmodel))
    return stack


def hyp_params(R, case, method, count, cls_layers):
    a = common.run_script_defaults(R.root, case["script"])
    a.update(batch_size=case["batch"], modulation="cggm" if method == "cggm" else "none")
    if cls_layers is not None and "cls_layers" in a:
        a["cls_layers"] = cls_layers
    h = common.hyp(**a)
    case["after_parse"](h)
    h.n_train, h.n_valid, h.n_test = count, 1, 1
    return h


# ----------------------------------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------------------------------
class StopTiming(Exception):
    """Raised by the loader's fetch after the last batch: ends the released train_model before validation."""


class TimedBatches:
    """A train_loader of `count` batches cycling through `pool`; stamps time.perf_counter() at every fetch."""

    def __init__(self, pool, count):
        self.pool, self.count, self.stamps = pool, count, []

    def __len__(self):
        return self.count

    def __iter__(self):
        for i in range(self.count):
            self.stamps.append(time.perf_counter())
            yield self.pool[i % len(self.pool)]
        self.stamps.append(time.perf_counter())
        raise StopTiming


@contextlib.contextmanager
def captured_settings(trainer, into):
    """Wraps the trainer module's train_model to keep the settings initiate() built (model, classifier, ...)."""
    real = trainer.train_model

    def wrapper(settings, *a, **k):
        into.update(settings)
        return real(settings, *a, **k)
    trainer.train_model = wrapper
    try:
        yield
    finally:
        trainer.train_model = real


def _status_mb(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _release_freed_memory():
    """glibc keeps freed memory for reuse; give it back, as cggm bench does between cases, so that a peak is the case's own."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def measure(R, name, method, steps, warmup, cls_layers):
    """One (model, method): a fresh released run of warmup + steps batches; the measured steps' times."""
    case = CASES[name]
    trainer = getattr(R, case["trainer"])
    g = torch.Generator().manual_seed(0)
    loader = TimedBatches([case["make"](g, case["batch"]) for _ in range(POOL)], warmup + steps)
    h = hyp_params(R, case, method, warmup + steps, cls_layers)
    settings = {}
    gc.collect()
    _release_freed_memory()
    _reset_peak()
    before = _status_mb("VmRSS:")
    common.setup_seed()                                 # as the run scripts, before initiate()
    with context(R, case), captured_settings(trainer, settings), contextlib.redirect_stdout(sys.stderr):
        try:
            trainer.initiate(h, loader, None, None)
        except StopTiming:
            pass
    peak = _status_mb("VmHWM:")
    if case.get("resnet18"):
        check_resnet18(settings)
    if len(loader.stamps) != warmup + steps + 1:
        raise RuntimeError(f"{name} {method}: the released loop fetched {len(loader.stamps) - 1} batches, expected {warmup + steps}")
    times = sorted(1000.0 * (b - a) for a, b in list(zip(loader.stamps, loader.stamps[1:]))[warmup:])

    def at(q):
        return times[min(len(times) - 1, int(q * len(times)))]
    model, classifier = settings["model"], settings.get("classifier")
    return {
        "model": name, "method": method, "batchSize": case["batch"], "steps": len(times),
        "medianMs": at(0.5), "p10Ms": at(0.1), "p90Ms": at(0.9),
        "peakMemoryMb": peak, "baselineMemoryMb": before,
        "modelParameters": sum(p.numel() for p in model.parameters()),
        "classifierParameters": 0 if classifier is None else sum(p.numel() for p in classifier.parameters()),
    }


def blas_libraries():
    """The BLAS libraries mapped into this process: Debian's libblas.so.3 is an alternative, .../blas/ the reference
    (netlib) BLAS, .../openblas-pthread/ OpenBLAS (apt-get install libopenblas0-pthread)."""
    found = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if base.startswith("lib") and ("blas" in base or "mkl" in base) and path not in found:
                    found.append(path)
    except OSError:
        pass
    return [os.path.realpath(p) for p in found]


def set_blas_threads(threads):
    """OpenBLAS keeps its own thread pool, which torch.set_num_threads does not size: give it the same count."""
    for path in blas_libraries():
        try:
            ctypes.CDLL(path).openblas_set_num_threads(threads)
        except (OSError, AttributeError):             # the reference BLAS has no threads
            pass


def names(text, known, option):
    out = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in out if s not in known]
    if bad or not out:
        fail(f"{option} {text!r}: expected a comma-separated list of {', '.join(known)}.")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--released", required=True, help="checkout of github.com/zrguo/CGGM at 21e428c")
    ap.add_argument("--models", default=",".join(CASES), help=f"comma-separated: {', '.join(CASES)} (default: all)")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated: joint, cggm (default: both)")
    ap.add_argument("--steps", type=int, default=20, help="measured steps per (model, method) (default 20)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up steps, not measured (default 3)")
    ap.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's; Debian's torch 1.13 takes 1)")
    ap.add_argument("--cls-layers", type=int, help="the run scripts' --cls_layers (default: theirs, 2)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--check", action="store_true", help="check python, packages and checkout; print them as JSON; time nothing")
    args = ap.parse_args()
    models, methods = names(args.models, list(CASES), "--models"), names(args.methods, METHODS, "--methods")
    if args.steps < 1 or args.warmup < 0 or (args.threads is not None and args.threads < 1) or (args.cls_layers is not None and args.cls_layers < 0):
        fail("--steps and --threads must be at least 1, --warmup and --cls-layers at least 0.")
    root = os.path.abspath(args.released)
    if not os.path.isdir(root):
        fail(f"--released {args.released}: no such folder; expected a checkout of {released.RELEASED_URL} at "
             f"{released.RELEASED_COMMIT[:7]}. Get it with: git clone {released.RELEASED_URL} && git -C CGGM checkout "
             f"{released.RELEASED_COMMIT[:7]}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
        set_blas_threads(args.threads)
    # the released make_positions() resizes an out= tensor (modules/position_embedding.py l.20); torch warns each time
    warnings.filterwarnings("ignore", message="The number of elements in the out tensor", category=UserWarning)
    try:
        R = released.Released(root)
    except SystemExit as e:                             # released.verify: the files that differ and how to get 21e428c
        fail(f"--released {args.released}: {e.code}")
    env = {
        "released": {"repository": released.RELEASED_URL, "commit": released.RELEASED_COMMIT, "path": root},
        "python": platform.python_version(), "executable": sys.executable, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "blas": blas_libraries(), "standIns": list(released.STUBBED),
    }
    if args.check:
        print(json.dumps(env, indent=1))
        return
    measurements = []
    for name in models:
        for method in methods:
            m = measure(R, name, method, args.steps, args.warmup, args.cls_layers)
            measurements.append(m)
            print(f"{name} {method}: median {m['medianMs']:.1f} ms/step, peak {m['peakMemoryMb']:.0f} MiB", file=sys.stderr, flush=True)
    ratios = []
    for name in models:
        by = {m["method"]: m for m in measurements if m["model"] == name}
        if "joint" in by and "cggm" in by:
            ratios.append({"model": name, "cggmOverJoint": by["cggm"]["medianMs"] / by["joint"]["medianMs"]})
    report = {**env, "steps": args.steps, "warmup": args.warmup, "clsLayers": args.cls_layers,
              "measurements": measurements, "ratios": ratios}
    if args.json:
        print(json.dumps(report, indent=1, allow_nan=False))
        return
    print(f"released CGGM {released.RELEASED_COMMIT[:7]} · python {env['python']} · torch {env['torch']} · "
          f"{env['threads']} threads · BLAS {', '.join(env['blas']) or '?'}")
    print(f"{'model':<16} {'method':<6} {'median ms':>10} {'p10-p90':>13} {'peak MiB':>9} {'x joint':>8}")
    for m in measurements:
        r = next((x["cggmOverJoint"] for x in ratios if x["model"] == m["model"]), None)
        ratio = "1.00" if m["method"] == "joint" and r is not None else f"{r:.2f}" if r is not None else ""
        print(f"{m['model']:<16} {m['method']:<6} {m['medianMs']:>10.1f} {m['p10Ms']:>6.0f}-{m['p90Ms']:<6.0f} "
              f"{m['peakMemoryMb']:>9.0f} {ratio:>8}")


if __name__ == "__main__":
    main()
