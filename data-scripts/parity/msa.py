"""CMU-MOSI and IEMOCAP cases: src/msatrain.py with models/msamodel.py."""
import functools
import os
import pickle
import tempfile

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import common
from recorder import LoopRecorder

# Tiny loop models: what the released constructors allow (MSAModel/ClassifierGuided take every size from hyp_params).
LOOP_MODEL = dict(proj_dim=4, num_heads=2, nlevels=3, cls_layers=0)
# Feature widths per dataset. They change the initial weights (the Conv1d projections come first in the RNG stream),
# and were chosen with the data seeds so that both batch sizes show degenerate and exploding steps.
LOOP_DIMS_BY_DATASET = {"mosi": dict(text=8, audio=5, vision=4), "iemo": dict(text=8, audio=6, vision=4)}
LOOP_DIMS = dict(LOOP_DIMS_BY_DATASET["mosi"])
LOOP_LENS = dict(text=4, audio=3, vision=2)          # sequence lengths (IEMOCAP audio is then padded to 350 by collate)
MODALITIES = ("text", "audio", "vision")             # the released order [text, audio, vision] = encoders.0/1/2

DATASETS = {
    "mosi": dict(script="run/mosi_run.py", output_dim=1, criterion="L1Loss", num_mod=3),
    "iemo": dict(script="run/iemo_run.py", output_dim=4, criterion="CrossEntropyLoss", num_mod=3),
}


def loop_data(dataset, n, seed):
    """n samples with the loop widths; MOSI labels in [-3, 3] on a 0.2 grid (some exactly 0), IEMOCAP labels 0..3."""
    rng = np.random.default_rng(seed)
    d = {m: rng.standard_normal((n, LOOP_LENS[m], LOOP_DIMS[m])).astype(np.float32) for m in MODALITIES}
    if dataset == "mosi":
        d["labels"] = (rng.integers(-15, 16, size=(n, 1, 1)) * 0.2).astype(np.float32)
    else:
        d["labels"] = rng.integers(0, 4, size=(n,)).astype(np.int64)
    return d


class _IemoSamples(Dataset):
    """Items shaped like the released IEMOData.__getitem__: ([L_feat, A_feat, V_feat], label)."""

    def __init__(self, d, n):
        self.d, self.n = d, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ([torch.from_numpy(self.d["text"][i]), torch.from_numpy(self.d["audio"][i]),
                 torch.from_numpy(self.d["vision"][i])], torch.tensor(self.d["labels"][i]))


def loader(R, dataset, d, n, batch_size, tmp):
    if dataset == "mosi":
        # The released CMUData reads one pickle {split: {'text','audio','vision','labels'}}; write one and use it.
        path = os.path.join(tmp, "mosi.pkl")
        with open(path, "wb") as f:
            split = {m: d[m][:n] for m in (*MODALITIES, "labels")}
            pickle.dump({"train": split, "valid": split, "test": split}, f)
        ds = R.cmu.CMUData(path, "train")
        return DataLoader(ds, batch_size=batch_size, shuffle=False)
    # IEMOCAP: IEMOData needs the MMIN h5 files, so the items come from memory; the released collate_fn (which does
    # not use self) pads audio to 350 frames and builds the {'text','audio','vision','labels'} batch.
    collate = functools.partial(R.iemo.IEMOData.collate_fn, None)
    return DataLoader(_IemoSamples(d, n), batch_size=batch_size, shuffle=False, collate_fn=collate)


def loop_hyp(R, dataset, batch_size, n_train):
    ds = DATASETS[dataset]
    a = common.run_script_defaults(R.root, ds["script"])
    a.update(attn_dropout=0.0, relu_dropout=0.0, embed_dropout=0.0, res_dropout=0.0, out_dropout=0.0,
             batch_size=batch_size, proj_dim=LOOP_MODEL["proj_dim"], num_heads=LOOP_MODEL["num_heads"],
             nlevels=LOOP_MODEL["nlevels"], cls_layers=LOOP_MODEL["cls_layers"])
    h = common.hyp(**a)
    # What the run script sets after parse_args (run/mosi_run.py l.97-106, run/iemo_run.py l.94-103):
    h.orig_dim = (LOOP_DIMS["text"], LOOP_DIMS["audio"], LOOP_DIMS["vision"])
    h.layers = h.nlevels
    h.use_cuda = False
    h.dataset = dataset
    h.n_train, h.n_valid, h.n_test = n_train, 1, 1
    h.output_dim = ds["output_dim"]
    h.criterion = ds["criterion"]
    h.num_mod = ds["num_mod"]
    return h


def full_snapshot(model, classifier):
    return {"model": common.state_arrays(model), "classifier": common.state_arrays(classifier)}


def run_loop(R, dataset, batch_size, d, tmp, **recorder_options):
    """One released run: setup_seed(666), then msatrain.initiate() on a 20-batch loader, recorded."""
    n = common.STEPS * batch_size
    train_loader = loader(R, dataset, d, n, batch_size, tmp)
    assert len(train_loader) == common.STEPS
    h = loop_hyp(R, dataset, batch_size, len(train_loader))
    rec = LoopRecorder(R.msatrain, common.STEPS, full_snapshot, **recorder_options)
    common.setup_seed()
    rec.run(R.msatrain.initiate, h, train_loader, None, None)
    return rec, h


# ----------------------------------------------------------------------------------------------------------------------
# Loop case
# ----------------------------------------------------------------------------------------------------------------------
LOOP_DATA_SEED = {"mosi": 1, "iemo": 1}   # chosen so both batch sizes show zero-sum and exploding steps (see case.json)


def zero_uninitialized_buffers(module):
    """SinusoidalPositionalEmbedding registers `_float_tensor = torch.FloatTensor(1)` (uninitialised memory, used only
    for its dtype); it is set to 0 so that state dicts are reproducible byte for byte."""
    with torch.no_grad():
        for name, b in module.named_buffers():
            if name.endswith("_float_tensor"):
                b.zero_()


def _attach(settings):
    zero_uninitialized_buffers(settings["model"])
    zero_uninitialized_buffers(settings["classifier"])


def _frame_arrays(dataset):
    def hook(loc, settings):
        out = {"preds": loc["preds"].detach().numpy().copy(),
               "cls_out": np.stack([r.detach().numpy() for r in loc["cls_res"]]),
               "out_layer_grad": settings["model"].out_layer.weight.grad.detach().numpy().copy()}
        return out
    return hook


def write_loop_case(R, dataset, out_dir, meta):
    import loopcase
    name = f"{dataset}_loop"
    folder = f"{out_dir}/{name}"
    seed = LOOP_DATA_SEED[dataset]
    LOOP_DIMS.clear()
    LOOP_DIMS.update(LOOP_DIMS_BY_DATASET[dataset])
    n_pool = common.STEPS * max(common.BATCH_SIZES)
    d = loop_data(dataset, n_pool, seed)
    data_file = {m: d[m] for m in (*MODALITIES, "labels")}
    common.write_st(folder, "data.safetensors", data_file)
    runs = {}
    init = None
    for bs in common.BATCH_SIZES:
        n = common.STEPS * bs
        with tempfile.TemporaryDirectory() as tmp:
            rec, h = run_loop(R, dataset, bs, d, tmp, on_attach=_attach, frame_hook=_frame_arrays(dataset))
        if init is None:
            init = rec.initial
            common.write_st(folder, "model_init.safetensors", init["model"])
            common.write_st(folder, "classifier_init.safetensors", init["classifier"])
        else:
            for part in ("model", "classifier"):
                for k, v in init[part].items():
                    assert np.array_equal(v, rec.initial[part][k]), f"initial {part} {k} differs between runs"
        tag = f"b{bs}"
        loopcase.require_events(rec.records, f"{name} b{bs}")
        weights = loopcase.stacked_full(rec.snapshots)
        common.write_st(folder, f"{tag}_weights.safetensors", weights)
        arrays = {k: np.stack([a[k] for a in rec.step_arrays]) for k in rec.step_arrays[0]}
        common.write_st(folder, f"{tag}_outputs.safetensors", arrays)
        s = rec.settings
        runs[tag] = {
            "batch_size": bs,
            "samples": n,
            "files": {"weights": f"{tag}_weights.safetensors", "outputs": f"{tag}_outputs.safetensors"},
            "events": loopcase.event_counts(rec.records),
            "steps": loopcase.ordered_steps(rec.records),
        }
        hyp_cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(vars(h).items()) if k != "batch_size"}
        opt_cfg = {"optimizer": loopcase.optimizer_config(s["optimizer"]),
                   "cls_optimizer": loopcase.optimizer_config(s["cls_optimizer"]),
                   "criterion": f"torch.nn.{type(s['criterion'].released).__name__}",
                   "scheduler": f"torch.optim.lr_scheduler.{type(s['scheduler']).__name__} (never steps: validation is not reached)"}
        value_types = rec.value_types
        state = {"model": common.state_listing(s["model"]), "classifier": common.state_listing(s["classifier"])}
    ds = DATASETS[dataset]
    case = {
        "case": name,
        "kind": "loop",
        "description": f"The CGGM loop of src/msatrain.py ({'CMU-MOSI regression, L1' if dataset == 'mosi' else 'IEMOCAP 4-class, CE'}), "
                       "driven through the released initiate()/train_model()/train() on tiny in-memory data.",
        **meta(trainer="src/msatrain.py", run_script=ds["script"]),
        "config": {
            "hyp_params": hyp_cfg,
            "model": {"class": "models.msamodel.MSAModel", "args": {
                k: hyp_cfg[v] for k, v in (("output_dim", "output_dim"), ("orig_dim", "orig_dim"),
                                           ("proj_dim", "proj_dim"), ("num_heads", "num_heads"), ("layers", "layers"),
                                           ("relu_dropout", "relu_dropout"), ("embed_dropout", "embed_dropout"),
                                           ("res_dropout", "res_dropout"), ("out_dropout", "out_dropout"),
                                           ("attn_dropout", "attn_dropout"))}},
            "classifier": {"class": "models.msamodel.ClassifierGuided", "args": {
                k: hyp_cfg[v] for k, v in (("output_dim", "output_dim"), ("num_mod", "num_mod"),
                                           ("proj_dim", "proj_dim"), ("num_heads", "num_heads"),
                                           ("layers", "cls_layers"), ("relu_dropout", "relu_dropout"),
                                           ("embed_dropout", "embed_dropout"), ("res_dropout", "res_dropout"),
                                           ("attn_dropout", "attn_dropout"))}},
            **opt_cfg,
            "rho": h.rou, "lambda": h.lamda, "clip": h.clip, "steps": common.STEPS,
            "batch_sizes": list(common.BATCH_SIZES),
            "modalities": list(MODALITIES),
            "init_seed": common.SEED,
            "shuffle": False,
        },
        "data": {
            "file": "data.safetensors",
            "seed": seed,
            "samples": n_pool,
            "shapes": {k: list(v.shape) for k, v in data_file.items()},
            "batching": "run bB uses samples 0..20*B-1; step t (1-based) sees samples (t-1)*B .. t*B-1, in order",
            "collate": ("default collate of the released CMUData items (labels [B,1,1], squeezed to [B,1] by train())"
                        if dataset == "mosi" else
                        "the released IEMOData.collate_fn: audio zero-padded to 350 frames, labels [B] int64"),
        },
        "initial_weights": {"model": "model_init.safetensors", "classifier": "classifier_init.safetensors",
                            "note": "identical for both runs: setup_seed(666) then the released constructors"},
        "state": state,
        "value_types": value_types,
        "runs": runs,
    }
    common.write_json(f"{folder}/case.json", case)
    return name


# ----------------------------------------------------------------------------------------------------------------------
# Model case (the released MOSI / IEMOCAP configurations)
# ----------------------------------------------------------------------------------------------------------------------
MODEL_CASE = {
    # widths of the word-aligned MulT release (GloVe 300 / COVAREP 5 / FACET 20); lengths shortened and made distinct
    "mosi": dict(dims=(300, 5, 20), lens=(8, 7, 6), batch=2),
    # widths of the MMIN release (BERT-large 1024 / ComParE 130 / DenseFace 342); the last 3 audio frames are zeros
    # (as the released collate pads audio)
    "iemo": dict(dims=(1024, 130, 342), lens=(4, 7, 5), batch=2),
}
GRAD_SAMPLES = 16


def model_case_inputs(dataset, seed):
    c = MODEL_CASE[dataset]
    rng = np.random.default_rng(seed)
    x = {m: rng.standard_normal((c["batch"], L, D)).astype(np.float32)
         for m, L, D in zip(MODALITIES, c["lens"], c["dims"])}
    if dataset == "iemo":
        x["audio"][:, -3:, :] = 0.0
        x["labels"] = np.array([2, 0], dtype=np.int64)
    else:
        x["labels"] = np.array([[[1.4]], [[-0.6]]], dtype=np.float32)
    return x


def grad_tables(module, part, samples=GRAD_SAMPLES):
    """{f'{part}/grad_summary': [N, 3], f'{part}/grad_sample': [N, samples]} over named_parameters() in order, and the
    name list (parameters whose grad is None, e.g. FoodModel.projt, get a zero row and are listed in no_grad)."""
    grads, no_grad = {}, []
    for name, p in module.named_parameters():
        if p.grad is None:
            no_grad.append(name)
            grads[name] = np.zeros(tuple(p.shape), dtype=np.float32)
        else:
            grads[name] = p.grad.detach().numpy()
    names, summ, samp = common.table(grads, samples)
    return {f"{part}/grad_summary": summ, f"{part}/grad_sample": samp}, no_grad


def write_model_case(R, dataset, out_dir, meta):
    name = f"{dataset}_model"
    folder = f"{out_dir}/{name}"
    ds = DATASETS[dataset]
    a = common.run_script_defaults(R.root, ds["script"])
    c = MODEL_CASE[dataset]
    common.setup_seed()
    # the constructors exactly as src/msatrain.py initiate() calls them, with the run script's values
    model_args = [ds["output_dim"], c["dims"], a["proj_dim"], a["num_heads"], a["nlevels"], a["relu_dropout"],
                  a["embed_dropout"], a["res_dropout"], a["out_dropout"], a["attn_dropout"]]
    cls_args = [ds["output_dim"], ds["num_mod"], a["proj_dim"], a["num_heads"], a["cls_layers"], a["relu_dropout"],
                a["embed_dropout"], a["res_dropout"], a["attn_dropout"]]
    model = R.msamodel.MSAModel(*model_args)
    classifier = R.msamodel.ClassifierGuided(*cls_args)
    zero_uninitialized_buffers(model)
    zero_uninitialized_buffers(classifier)
    common.write_st(folder, "model.safetensors", common.state_arrays(model))
    common.write_st(folder, "classifier.safetensors", common.state_arrays(classifier))
    x = model_case_inputs(dataset, seed=100 + (dataset == "iemo"))
    model.eval()
    classifier.eval()
    criterion = getattr(torch.nn, ds["criterion"])()
    inputs = [torch.from_numpy(x[m]) for m in MODALITIES]
    preds, hs = model(inputs)
    y = torch.from_numpy(x["labels"])
    y = y.squeeze(-1)                                     # eval_attr = batch_Y.squeeze(-1)
    if dataset == "iemo":
        preds_l, y_l = preds.view(-1, 4), y.view(-1)
    else:
        preds_l, y_l = preds, y
    task_loss = criterion(preds_l, y_l)
    model.zero_grad()
    task_loss.backward()
    cls_res = classifier(hs)
    cls_res_l = [r.view(-1, 4) if dataset == "iemo" else r for r in cls_res]
    cls_losses = [criterion(r, y_l) for r in cls_res_l]
    cls_loss = cls_losses[0]
    for l in cls_losses[1:]:
        cls_loss = cls_loss + l
    classifier.zero_grad()
    cls_loss.backward()
    cos = R.eval_metrics.cal_cos([classifier.classifers[i].out_layer.weight for i in range(ds["num_mod"])],
                                 model.out_layer.weight)
    eps = classifier.cal_coeff(dataset, y_l, cls_res_l)
    io = {f"inputs/{m}": x[m] for m in (*MODALITIES, "labels")}
    io["outputs/preds"] = preds.detach().numpy()
    for i in range(ds["num_mod"]):
        io[f"outputs/hs.{i}"] = hs[i].numpy()
        io[f"outputs/cls_out.{i}"] = cls_res[i].detach().numpy()
    common.write_st(folder, "io.safetensors", io)
    g_model, l_model = grad_tables(model, "model")
    g_cls, l_cls = grad_tables(classifier, "classifier")
    common.write_st(folder, "grads.safetensors", {**g_model, **g_cls})
    case = {
        "case": name,
        "kind": "model",
        "description": f"models/msamodel.py MSAModel + ClassifierGuided in the released {dataset.upper()} configuration "
                       f"({ds['script']}), released init under seed 666, evaluation mode.",
        **meta(trainer="src/msatrain.py", run_script=ds["script"]),
        "config": {
            "model": {"class": "models.msamodel.MSAModel", "args": common.named_args(
                ["output_dim", "orig_dim", "proj_dim", "num_heads", "layers", "relu_dropout", "embed_dropout",
                 "res_dropout", "out_dropout", "attn_dropout"], model_args)},
            "classifier": {"class": "models.msamodel.ClassifierGuided", "args": common.named_args(
                ["output_dim", "num_mod", "proj_dim", "num_heads", "layers", "relu_dropout", "embed_dropout",
                 "res_dropout", "attn_dropout"], cls_args)},
            "criterion": f"torch.nn.{ds['criterion']}",
            "modalities": list(MODALITIES),
            "feature_widths": list(c["dims"]),
            "sequence_lengths": list(c["lens"]),
            "batch": c["batch"],
            "mode": "eval (dropout off) for forward, loss and backward",
            "init_seed": common.SEED,
        },
        "results": {
            "task_loss": float(task_loss.item()),
            "cls_losses": [float(l.item()) for l in cls_losses],
            "cls_loss": float(cls_loss.item()),
            "cos": [float(v.item()) for v in cos],
            "eps": [float(e) for e in eps],
        },
        "files": {"model": "model.safetensors", "classifier": "classifier.safetensors", "io": "io.safetensors",
                  "grads": "grads.safetensors"},
        "state": {"model": common.state_listing(model), "classifier": common.state_listing(classifier)},
        "gradients": {"samples_per_tensor": GRAD_SAMPLES,
                      "rows": "the state entries with parameter = true, in state order (= named_parameters())",
                      "no_grad": {"model": l_model, "classifier": l_cls}},
    }
    common.write_json(f"{folder}/case.json", case)
    return name
