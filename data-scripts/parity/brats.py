"""BraTS 2021 cases: src/segtrain.py with models/segmodel.py (DeepLabMultiInput + SegClassifier)."""
import json
import os
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import common
import loopcase
import pattern
import released
from recorder import LoopRecorder

SCRIPT = "run/brats_run.py"
SIZE = 160                       # SegClassifier upsamples to a hard-coded (160, 160) (models/segmodel.py l.369-372)
MODALITIES = ("flair", "t1ce", "t1", "t2")
CE_WEIGHT = [0.2, 0.3, 0.25, 0.25]     # src/segtrain.py l.26
MODEL_STREAM, CLASSIFIER_STREAM = 1, 2
IMAGE_STREAM = 40                # + modality index
# Class means added to the pattern noise, per modality (rows) and label 0..3 (columns); multiples of 1/8.
CLASS_MEANS = [[0.0, 0.5, 1.0, 0.75],
               [0.0, 0.25, 0.125, 1.25],
               [0.0, -0.5, -0.25, -0.375],
               [0.0, 0.75, 1.125, 0.5]]
NARROW = 16                      # loop case: every channel count >= 16 divided by 16
CGGM_TENSORS = ["model/decoder.last_conv.7.weight", "model/decoder.last_conv.7.bias"] + \
               [f"classifier/decoder{i}.last_conv.7.{w}" for i in range(1, 5) for w in ("weight", "bias")]


# ----------------------------------------------------------------------------------------------------------------------
# Data: nested discs (label 3 inside 1 inside 2) on a 160 x 160 slice; images = pattern noise / 2 + class means
# ----------------------------------------------------------------------------------------------------------------------
def label_params(n, seed):
    """[n, 5] int64: cy, cx, r_wt, r_tc, r_et (r_et = -1: no enhancing tumour)."""
    rng = np.random.default_rng(seed)
    cy = rng.integers(40, 120, n)
    cx = rng.integers(40, 120, n)
    r_wt = rng.integers(12, 41, n)
    r_tc = (r_wt * rng.integers(4, 9, n)) // 10
    r_et = (r_tc * rng.integers(3, 8, n)) // 10
    r_et = np.where(rng.random(n) < 0.2, -1, r_et)
    return np.stack([cy, cx, r_wt, r_tc, r_et], axis=1).astype(np.int64)


def label_map(p):
    cy, cx, r_wt, r_tc, r_et = [int(v) for v in p]
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    d2 = (y - cy) ** 2 + (x - cx) ** 2
    lab = np.zeros((SIZE, SIZE), dtype=np.int64)
    lab[d2 <= r_wt * r_wt] = 2
    lab[d2 <= r_tc * r_tc] = 1
    if r_et >= 0:
        lab[d2 <= r_et * r_et] = 3
    return lab


def image(m, i, lab):
    v = pattern.unit(IMAGE_STREAM + m, i, SIZE * SIZE).reshape(SIZE, SIZE)
    t = 0.5 * v
    t = t + np.asarray(CLASS_MEANS[m], dtype=np.float64)[lab]
    return t.astype(np.float32)


class _BratsSamples(Dataset):
    """Items shaped like the released BraTSData.__getitem__: (flair, t1ce, t1, t2 as [1,160,160], label [160,160])."""

    def __init__(self, params, offset=0):
        self.params, self.offset = params, offset

    def __len__(self):
        return len(self.params)

    def __getitem__(self, i):
        lab = label_map(self.params[i])
        ims = [torch.from_numpy(image(m, self.offset + i, lab)).unsqueeze(0) for m in range(4)]
        return (*ims, torch.from_numpy(lab))


DATA_DOC = {
    "label": "label_params[i] = (cy, cx, r_wt, r_tc, r_et); d2 = (y-cy)^2 + (x-cx)^2 over y, x in 0..159; "
             "label = 2 where d2 <= r_wt^2, overwritten by 1 where d2 <= r_tc^2, overwritten by 3 where r_et >= 0 and "
             "d2 <= r_et^2, else 0",
    "image": f"modality m (0 flair, 1 t1ce, 2 t1, 3 t2) of sample i: (float32)(0.5 * v(stream {IMAGE_STREAM}+m, "
             f"p = image_p + i, k = y*160 + x) + class_means[m][label[y, x]]), computed in float64 then cast once",
    "class_means": CLASS_MEANS,
}


# ----------------------------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------------------------
def no_dropout(*modules):
    for mod in modules:
        for m in mod.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0


def group_of(name):
    return name.split(".", 1)[0]


def group_tables(snapshot):
    """Per group (top-level child) and kind (parameters / buffers): [sum, sum of squares, max |x|] over all elements."""
    rows, vals = [], []
    for part in ("model", "classifier"):
        groups = {}
        for name, a in snapshot[part].items():
            kind = "buffers" if name.rsplit(".", 1)[-1] in ("running_mean", "running_var", "num_batches_tracked") \
                else "parameters"
            groups.setdefault((group_of(name), kind), []).append(np.asarray(a, dtype=np.float64).ravel())
        for (g, kind), arrs in groups.items():
            rows.append(f"{part}/{g}/{kind}")
            vals.append(common.summary(np.concatenate(arrs)))
    return rows, np.asarray(vals, dtype=np.float64)


# ----------------------------------------------------------------------------------------------------------------------
# Loop case: width-narrowed released DeepLabMultiInput / SegClassifier, pattern weights, 20 steps
# ----------------------------------------------------------------------------------------------------------------------
LOOP_LABEL_SEED = 7


def _attach(settings):
    model, classifier = settings["model"], settings["classifier"]
    no_dropout(model, classifier)
    pattern.fill_module(model, MODEL_STREAM)
    pattern.fill_module(classifier, CLASSIFIER_STREAM)


def _snapshot(model, classifier):
    return {"model": common.state_arrays(model), "classifier": common.state_arrays(classifier)}


def _frame_arrays(loc, settings):
    return {"preds_summary": np.asarray(common.summary(loc["preds"].detach().numpy())),
            "cls_out_summary": np.asarray([common.summary(r.detach().numpy()) for r in loc["cls_res"]]),
            "preds_argmax_counts": np.stack([np.bincount(loc["preds"].detach().argmax(1).numpy().ravel(), minlength=4)]),
            "cls_argmax_counts": np.stack([np.bincount(r.detach().argmax(1).numpy().ravel(), minlength=4)
                                           for r in loc["cls_res"]]),
            "fusion_grad": settings["model"].decoder.last_conv[7].weight.grad.detach().numpy().copy()}


def loop_hyp(a, bs, n_train):
    h = dict(a)
    h.update(batch_size=bs)
    h = common.hyp(**h)
    # run/brats_run.py l.74-80 after parse_args
    h.orig_dim = None
    h.use_cuda = False
    h.dataset = "brats"
    h.n_train, h.n_valid, h.n_test = n_train, 1, 1
    h.num_mod = 4
    return h


def write_loop_case(R, out_dir, meta):
    name = "brats_loop"
    folder = f"{out_dir}/{name}"
    a = common.run_script_defaults(R.root, SCRIPT)
    n_pool = common.STEPS * max(common.BATCH_SIZES)
    params = label_params(n_pool, LOOP_LABEL_SEED)
    common.write_st(folder, "data.safetensors", {"label_params": params})
    runs = {}
    for bs in common.BATCH_SIZES:
        n = common.STEPS * bs
        train_loader = DataLoader(_BratsSamples(params[:n]), batch_size=bs, shuffle=False)
        h = loop_hyp(a, bs, len(train_loader))
        rec = LoopRecorder(R.segtrain, common.STEPS, _snapshot, on_attach=_attach, frame_hook=_frame_arrays)
        common.setup_seed()
        with released.cuda_as_cpu(), released.narrow_segmodel(R.segmodel, NARROW):
            rec.run(R.segtrain.initiate, h, train_loader, None, None)
        tag = f"b{bs}"
        g_rows, _ = group_tables(rec.snapshots[0])
        out = {"groups/summary": np.stack([group_tables(s)[1] for s in rec.snapshots])}
        for step in (common.STEPS,):
            for part in ("model", "classifier"):
                names, summ, _ = common.table(rec.snapshots[step - 1][part], 1)
                out[f"step{step:02d}/{part}/summary"] = summ
        for key in CGGM_TENSORS:
            part, tname = key.split("/", 1)
            out[f"full/{key}"] = np.stack([s[part][tname] for s in rec.snapshots])
        common.write_st(folder, f"{tag}_weights.safetensors", out)
        arrays = {k: np.stack([x[k] for x in rec.step_arrays]) for k in rec.step_arrays[0]}
        common.write_st(folder, f"{tag}_outputs.safetensors", arrays)
        s = rec.settings
        runs[tag] = {"batch_size": bs, "samples": n,
                     "files": {"weights": f"{tag}_weights.safetensors", "outputs": f"{tag}_outputs.safetensors"},
                     "events": loopcase.event_counts(rec.records),
                     "steps": loopcase.ordered_steps(rec.records)}
        hyp_cfg = {k: v for k, v in sorted(vars(h).items()) if k != "batch_size"}
        opt_cfg = {"optimizer": loopcase.optimizer_config(s["optimizer"]),
                   "cls_optimizer": loopcase.optimizer_config(s["cls_optimizer"]),
                   "criterion": "src.eval_metrics.SegLoss(n_classes=4, weight=[0.2, 0.3, 0.25, 0.25], alpha=0.5)",
                   "scheduler": "src.eval_metrics.cosine_scheduler(base_lr, final_lr, num_epochs, len(train_loader) = 20, "
                                "warmup_epochs, start_warmup_value): per-iteration lr written into optimizer.param_groups[0]"}
        opt_cfg["optimizer"]["param_group"]["lr"] = "set every step from the schedule (steps[].lr)"
        value_types = rec.value_types
        state = {}
        for part in ("model", "classifier"):
            full = common.state_listing(s[part])
            state[part] = {"names": f"the same as ../brats_model/case.json state.{part}.names",
                           "parameter": f"the same as ../brats_model/case.json state.{part}.parameter",
                           "shapes": full["shapes"]}
            NAMES_CHECK[part] = full["names"]
        model_case = f"{out_dir}/brats_model/case.json"
        if os.path.isfile(model_case):
            with open(model_case) as f:
                mc = json.load(f)
            for part in ("model", "classifier"):
                assert mc["state"][part]["names"] == NAMES_CHECK[part], f"brats_loop {part} names differ from brats_model"
    case = {
        "case": name,
        "kind": "loop",
        "description": "The CGGM loop of src/segtrain.py (4 modalities, SegLoss), driven through the released "
                       "initiate()/train_model()/train() with models/segmodel.py's classes built 16x narrower "
                       "(every Conv2d/BatchNorm2d channel count >= 16 divided by 16; ResNet-101 depth, output stride "
                       "16, ASPP dilations 2/4/6 and all layer structure as released), pattern weights, dropouts 0.",
        **meta(trainer="src/segtrain.py", run_script=SCRIPT),
        "config": {
            "hyp_params": hyp_cfg,
            "model": {"class": "models.segmodel.DeepLabMultiInput", "args": {"output_stride": 16, "num_classes": 4},
                      "narrowed_by": NARROW,
                      "equivalent_widths": {"base_width": 4, "aspp_channels": 16, "low_level_reduction": 3,
                                            "decoder_channels": 16, "backbone_output_channels": 128,
                                            "low_level_channels": 16}},
            "classifier": {"class": "models.segmodel.SegClassifier", "args": {"num_classes": 4}, "narrowed_by": NARROW},
            **opt_cfg,
            "rho": h.rou, "lambda": h.lamda, "clip": "unused by src/segtrain.py", "steps": common.STEPS,
            "batch_sizes": list(common.BATCH_SIZES),
            "modalities": list(MODALITIES),
            "dropouts": "every nn.Dropout (ASPP 0.5, decoder 0.5 and 0.1) set to p = 0 after construction",
            "magnitude_modulation": "no-op: src/segtrain.py l.106-110 scales parameters named vision_encoder / "
                                    "text_encoder, and DeepLabMultiInput has none (its names are backbone1..4, "
                                    "aspp1..4, decoder); coeff_rho is recorded but never applied",
            "shuffle": False,
        },
        "data": {"file": "data.safetensors", "samples": n_pool, "label_params": "data.safetensors label_params [320, 5]",
                 **DATA_DOC, "image_p": 0,
                 "batching": "run bB uses samples 0..20*B-1; step t (1-based) sees samples (t-1)*B .. t*B-1, in order"},
        "initial_weights": {"rule": "pattern (FORMAT.md): model stream 1, classifier stream 2, p = position in "
                                    "state_dict() order (the order of `state` below); every entry overwritten after "
                                    "the released constructors"},
        "state": state,
        "tables": {"groups": g_rows, "per_tensor_steps": [common.STEPS], "full": CGGM_TENSORS},
        "value_types": value_types,
        "runs": runs,
    }
    common.write_json(f"{folder}/case.json", case)
    return name


# ----------------------------------------------------------------------------------------------------------------------
# Model case: the full released DeepLabMultiInput(output_stride=16, num_classes=4) + SegClassifier(4)
# ----------------------------------------------------------------------------------------------------------------------
MODEL_BATCH = 2
MODEL_LABEL_SEED = 11
MODEL_IMAGE_OFFSET = 1000        # images use p = 1000 + i
MODEL_SAMPLES = 8
NAMES_CHECK = {}             # the loop's state names, checked against the model case's (same classes)
TIMING = {}


def write_model_case(R, out_dir, meta):
    name = "brats_model"
    folder = f"{out_dir}/{name}"
    common.setup_seed()
    model = R.segmodel.DeepLabMultiInput(output_stride=16, num_classes=4)
    classifier = R.segmodel.SegClassifier(num_classes=4)
    pattern.fill_module(model, MODEL_STREAM)
    pattern.fill_module(classifier, CLASSIFIER_STREAM)
    check = {}
    for part, mod in (("model", model), ("classifier", classifier)):
        names, summ, samp = common.table({k: v.numpy() for k, v in mod.state_dict().items()}, 2)
        check[f"{part}/summary"], check[f"{part}/sample"] = summ, samp
    params = label_params(MODEL_BATCH, MODEL_LABEL_SEED)
    ds = _BratsSamples(params, offset=MODEL_IMAGE_OFFSET)
    items = [ds[i] for i in range(MODEL_BATCH)]
    x = [torch.stack([it[m] for it in items]) for m in range(4)]
    y = torch.stack([it[4] for it in items])
    model.eval()
    classifier.eval()
    with released.cuda_as_cpu():
        criterion = R.eval_metrics.SegLoss(n_classes=4, weight=torch.tensor(CE_WEIGHT)).cuda()
    captured = {}
    hook = model.decoder.register_forward_hook(lambda mod, i, o: captured.__setitem__("decoder_out", o))
    t0 = time.time()
    preds, hf, lf = model(*x)
    task_loss = criterion(preds, y)
    model.zero_grad()
    task_loss.backward()
    TIMING["forward_backward_s"] = time.time() - t0
    hook.remove()
    cls_res = classifier(hf, lf)
    cls_losses = [criterion(r, y) for r in cls_res]
    cls_loss = cls_losses[0]
    for l in cls_losses[1:]:
        cls_loss = cls_loss + l
    classifier.zero_grad()
    cls_loss.backward()
    cos = R.eval_metrics.cal_cos([getattr(classifier, f"decoder{i}").last_conv[7].weight for i in range(1, 5)],
                                 model.decoder.last_conv[7].weight)
    eps = classifier.cal_coeff(cls_res, y)
    s = slice(0, SIZE, 8)
    s16 = slice(0, SIZE, 16)
    io = {"inputs/label_params": params,
          "outputs/decoder_out": captured["decoder_out"].detach().numpy(),
          "outputs/preds_stride8": preds.detach().numpy()[:, :, s, s].copy(),
          "outputs/preds_summary": np.asarray(common.summary(preds.detach().numpy()))}
    for m in range(4):
        io[f"inputs/check/{MODALITIES[m]}"] = np.asarray(common.summary(x[m].numpy()))
        io[f"outputs/cls_out_stride16.{m}"] = cls_res[m].detach().numpy()[:, :, s16, s16].copy()
        io[f"outputs/cls_out_summary.{m}"] = np.asarray(common.summary(cls_res[m].detach().numpy()))
        for kind, t in (("hf", hf[m]), ("lf", lf[m])):
            a = t.numpy()
            io[f"outputs/{kind}_summary.{m}"] = np.asarray(common.summary(a))
            io[f"outputs/{kind}_sample.{m}"] = a.ravel()[common.sample_index(a.size, MODEL_SAMPLES)].copy()
    common.write_st(folder, "io.safetensors", io)
    import msa
    g_model, l_model = msa.grad_tables(model, "model", MODEL_SAMPLES)
    g_cls, l_cls = msa.grad_tables(classifier, "classifier", MODEL_SAMPLES)
    common.write_st(folder, "grads.safetensors", {**g_model, **g_cls})
    common.write_st(folder, "weights_check.safetensors", check)
    n_params = sum(p.numel() for p in model.parameters())
    n_cls = sum(p.numel() for p in classifier.parameters())
    case = {
        "case": name,
        "kind": "model",
        "description": "models/segmodel.py DeepLabMultiInput(output_stride=16, num_classes=4) (4 x ResNet-101 + ASPP, "
                       "decoder with input_heads=4) and SegClassifier(num_classes=4), as src/segtrain.py builds them, "
                       "every parameter and buffer set to the closed-form pattern, evaluation mode, batch 2 of "
                       "160x160 slices, released SegLoss.",
        **meta(trainer="src/segtrain.py", run_script=SCRIPT),
        "config": {
            "model": {"class": "models.segmodel.DeepLabMultiInput", "args": {"output_stride": 16, "num_classes": 4},
                      "parameters": n_params},
            "classifier": {"class": "models.segmodel.SegClassifier", "args": {"num_classes": 4}, "parameters": n_cls},
            "criterion": "src.eval_metrics.SegLoss(n_classes=4, weight=[0.2, 0.3, 0.25, 0.25], alpha=0.5)",
            "modalities": list(MODALITIES),
            "batch": MODEL_BATCH,
            "input_size": [SIZE, SIZE],
            "mode": "eval (BatchNorm uses the pattern running statistics, dropout off) for forward, loss and backward",
        },
        "data": {"label_params": "io.safetensors inputs/label_params [2, 5]", **DATA_DOC,
                 "image_p": MODEL_IMAGE_OFFSET},
        "weights": {"rule": "pattern (FORMAT.md): model stream 1, classifier stream 2, p = position in state_dict() "
                            "order (the order of `state` below); weights_check.safetensors holds [sum, sum of "
                            "squares, max |x|] and the first and last value of every entry to verify a reimplementation"},
        "state": {"model": common.state_listing(model), "classifier": common.state_listing(classifier)},
        "results": {
            "task_loss": float(task_loss.item()),
            "cls_losses": [float(l.item()) for l in cls_losses],
            "cls_loss": float(cls_loss.item()),
            "cos": [float(v.item()) for v in cos],
            "eps": [float(e) for e in eps],
        },
        "files": {"io": "io.safetensors", "grads": "grads.safetensors", "weights_check": "weights_check.safetensors"},
        "gradients": {"samples_per_tensor": MODEL_SAMPLES,
                      "rows": "the state entries with parameter = true, in state order (= named_parameters())",
                      "no_grad": {"model": l_model, "classifier": l_cls}},
    }
    common.write_json(f"{folder}/case.json", case)
    return name
