"""UPMC-Food 101 cases: src/foodtrain.py with models/foodmodel.py, over precomputed token features."""
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import common
import loopcase
import msa
import pattern
import released
from recorder import LoopRecorder

SCRIPT = "run/food_run.py"
CLASSES = 101            # hard-coded in src/foodtrain.py (FoodModel(101, ...), view(-1, 101)) and FoodModel
FEATURE = 768            # hard-coded Conv1d(768, 40) in FoodModel
MODALITIES = ("vision", "text")   # coeff[0] -> 'vision_encoder', coeff[1] -> 'text_encoder' (src/foodtrain.py l.125-129)

# Loop data: token features from the closed-form pattern (FORMAT.md), too large to store (320 x 6 x 768 floats).
LOOP_LENS = {"vision": 3, "text": 3}
LOOP_STREAMS = {"vision": 31, "text": 32}
LOOP_LABEL_SEED = 1
LOOP_SAMPLES = 16        # per-tensor samples in the loop tables, after the steps in LOOP_SAMPLE_STEPS
LOOP_SAMPLE_STEPS = (1, 20)


def model_args(a):
    # src/foodtrain.py l.14-20: FoodModel(101, 5, layers, relu, embed, res, out, attn);
    # ClassifierGuided(101, 2, proj_dim, 5, cls_layers, relu, embed, res, attn)
    m = [CLASSES, 5, a["nlevels"], a["relu_dropout"], a["embed_dropout"], a["res_dropout"], a["out_dropout"],
         a["attn_dropout"]]
    c = [CLASSES, 2, a["proj_dim"], 5, a["cls_layers"], a["relu_dropout"], a["embed_dropout"], a["res_dropout"],
         a["attn_dropout"]]
    return m, c


M_NAMES = ["output_dim", "num_heads", "layers", "relu_dropout", "embed_dropout", "res_dropout", "out_dropout",
           "attn_dropout"]
C_NAMES = ["output_dim", "num_mod", "proj_dim", "num_heads", "layers", "relu_dropout", "embed_dropout", "res_dropout",
           "attn_dropout"]


def build(R, a):
    common.setup_seed()
    m, c = model_args(a)
    model = R.foodmodel.FoodModel(*m)
    classifier = R.msamodel.ClassifierGuided(*c)
    msa.zero_uninitialized_buffers(model)
    msa.zero_uninitialized_buffers(classifier)
    return model, classifier, m, c


# ----------------------------------------------------------------------------------------------------------------------
# Model case
# ----------------------------------------------------------------------------------------------------------------------
def write_model_case(R, out_dir, meta):
    name = "food_model"
    folder = f"{out_dir}/{name}"
    a = common.run_script_defaults(R.root, SCRIPT)
    model, classifier, m_args, c_args = build(R, a)
    common.write_st(folder, "model.safetensors", common.state_arrays(model))
    common.write_st(folder, "classifier.safetensors", common.state_arrays(classifier))
    rng = np.random.default_rng(102)
    x = {"vision": rng.standard_normal((2, 5, FEATURE)).astype(np.float32),
         "text": rng.standard_normal((2, 4, FEATURE)).astype(np.float32),
         "labels": np.array([7, 93], dtype=np.int64)}
    model.eval()
    classifier.eval()
    criterion = torch.nn.CrossEntropyLoss()
    preds, hs = model(torch.from_numpy(x["vision"]), torch.from_numpy(x["text"]))
    y = torch.from_numpy(x["labels"])
    task_loss = criterion(preds.view(-1, CLASSES), y)
    model.zero_grad()
    task_loss.backward()
    cls_res = [r.view(-1, CLASSES) for r in classifier(hs)]
    cls_losses = [criterion(r, y) for r in cls_res]
    cls_loss = cls_losses[0] + cls_losses[1]
    classifier.zero_grad()
    cls_loss.backward()
    cos = R.eval_metrics.cal_cos([classifier.classifers[i].out_layer.weight for i in range(2)], model.out_layer.weight)
    eps = classifier.cal_coeff("food", y, cls_res)
    io = {f"inputs/{k}": v for k, v in x.items()}
    io["outputs/preds"] = preds.detach().numpy()
    for i in range(2):
        io[f"outputs/hs.{i}"] = hs[i].numpy()
        io[f"outputs/cls_out.{i}"] = cls_res[i].detach().numpy()
    common.write_st(folder, "io.safetensors", io)
    g_model, l_model = msa.grad_tables(model, "model")
    g_cls, l_cls = msa.grad_tables(classifier, "classifier")
    common.write_st(folder, "grads.safetensors", {**g_model, **g_cls})
    case = {
        "case": name,
        "kind": "model",
        "description": "models/foodmodel.py FoodModel + models/msamodel.py ClassifierGuided as src/foodtrain.py builds "
                       "them with run/food_run.py's values, released init under seed 666, evaluation mode, fed "
                       "precomputed ViT/BERT token features (FoodModel.forward(v, t) takes the extractors' "
                       "last_hidden_state directly).",
        **meta(trainer="src/foodtrain.py", run_script=SCRIPT),
        "config": {
            "model": {"class": "models.foodmodel.FoodModel", "args": common.named_args(M_NAMES, m_args)},
            "classifier": {"class": "models.msamodel.ClassifierGuided", "args": common.named_args(C_NAMES, c_args)},
            "criterion": "torch.nn.CrossEntropyLoss",
            "modalities": list(MODALITIES),
            "feature_width": FEATURE,
            "sequence_lengths": [5, 4],
            "batch": 2,
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
        "gradients": {"samples_per_tensor": msa.GRAD_SAMPLES,
                      "rows": "the state entries with parameter = true, in state order (= named_parameters())",
                      "no_grad": {"model": l_model, "classifier": l_cls}},
    }
    common.write_json(f"{folder}/case.json", case)
    return name


# ----------------------------------------------------------------------------------------------------------------------
# Loop case
# ----------------------------------------------------------------------------------------------------------------------
def loop_features(n):
    return {m: pattern.values(LOOP_STREAMS[m], 0, (n, LOOP_LENS[m], FEATURE), 1.0, 0.0) for m in MODALITIES}


def loop_labels(R, a, feats, n):
    """Labels that make the classifiers' batch accuracies move: each sample's label is, with probability 0.35, the
    initial vision classifier's prediction, with 0.25 the initial text classifier's, otherwise a random class."""
    model, classifier, _, _ = build(R, a)
    with torch.no_grad():
        _, hs = model(torch.from_numpy(feats["vision"]), torch.from_numpy(feats["text"]))
        pv, pt = [r.view(-1, CLASSES).argmax(1).numpy() for r in classifier(hs)]
    rng = np.random.default_rng(LOOP_LABEL_SEED)
    r = rng.random(n)
    rand = rng.integers(0, CLASSES, n)
    return np.where(r < 0.35, pv, np.where(r < 0.6, pt, rand)).astype(np.int64)


class _FoodSamples(Dataset):
    """Items shaped like the released Food101.__getitem__: (text_input dict, image, label). The precomputed BERT
    features ride in text_input['input_ids'] and the ViT features in `image`; the extractor stand-ins return them."""

    def __init__(self, feats, labels, n):
        self.f, self.y, self.n = feats, labels, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        t = torch.from_numpy(self.f["text"][i])
        text_input = {"input_ids": t, "attention_mask": torch.ones(t.shape[0], dtype=torch.long),
                      "token_type_ids": torch.zeros(t.shape[0], dtype=torch.long)}
        return text_input, torch.from_numpy(self.f["vision"][i]), torch.tensor(self.y[i], dtype=torch.long)


def _frame_arrays(loc, settings):
    g = settings["model"].out_layer.weight.grad.detach().numpy()
    return {"preds_argmax": loc["preds"].detach().argmax(1).numpy(),
            "cls_argmax": np.stack([r.detach().argmax(1).numpy() for r in loc["cls_res"]]),
            "preds_summary": np.asarray(common.summary(loc["preds"].detach().numpy())),
            "out_layer_grad_summary": np.asarray(common.summary(g))}


def _snapshot(model, classifier):
    return msa.full_snapshot(model, classifier)


def write_loop_case(R, out_dir, meta):
    name = "food_loop"
    folder = f"{out_dir}/{name}"
    a = common.run_script_defaults(R.root, SCRIPT)
    n_pool = common.STEPS * max(common.BATCH_SIZES)
    feats = loop_features(n_pool)
    labels = loop_labels(R, a, feats, n_pool)
    check = {f"check/{m}": np.asarray(common.summary(feats[m])) for m in MODALITIES}
    common.write_st(folder, "data.safetensors", {"labels": labels, **check})
    runs = {}
    init_model, init_cls, _, _ = build(R, a)
    init = {"model": common.state_arrays(init_model), "classifier": common.state_arrays(init_cls)}
    for bs in common.BATCH_SIZES:
        n = common.STEPS * bs
        train_loader = DataLoader(_FoodSamples(feats, labels, n), batch_size=bs, shuffle=False)
        h = dict(a)
        h.update(attn_dropout=0.0, relu_dropout=0.0, embed_dropout=0.0, res_dropout=0.0, out_dropout=0.0,
                 batch_size=bs)
        h = common.hyp(**h)
        # run/food_run.py l.97-109 after parse_args
        h.orig_dim = None
        h.layers = h.nlevels
        h.use_cuda = True          # see README: the CPU branch of foodtrain.train never reads the text inputs
        h.dataset = "food"
        h.n_train, h.n_valid, h.n_test = len(train_loader), 1, 1
        h.output_dim = CLASSES
        h.criterion = "CrossEntropyLoss"
        h.num_mod = 2
        rec = LoopRecorder(R.foodtrain, common.STEPS, _snapshot, on_attach=msa._attach, frame_hook=_frame_arrays)
        common.setup_seed()
        with released.cuda_as_cpu():
            rec.run(R.foodtrain.initiate, h, train_loader, None, None)
        for part in ("model", "classifier"):
            for k, v in init[part].items():
                assert np.array_equal(v, rec.initial[part][k]), f"food loop initial {part} {k} differs from food_model"
        tag = f"b{bs}"
        loopcase.require_events(rec.records, f"{name} b{bs}")
        tables = loopcase.stacked_tables(rec.snapshots, LOOP_SAMPLES, LOOP_SAMPLE_STEPS)
        common.write_st(folder, f"{tag}_weights.safetensors", tables)
        arrays = {k: np.stack([x[k] for x in rec.step_arrays]) for k in rec.step_arrays[0]}
        common.write_st(folder, f"{tag}_outputs.safetensors", arrays)
        s = rec.settings
        runs[tag] = {"batch_size": bs, "samples": n,
                     "files": {"weights": f"{tag}_weights.safetensors", "outputs": f"{tag}_outputs.safetensors"},
                     "events": loopcase.event_counts(rec.records),
                     "steps": loopcase.ordered_steps(rec.records)}
        hyp_cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(vars(h).items()) if k != "batch_size"}
        opt_cfg = {"optimizer": loopcase.optimizer_config(s["optimizer"]),
                   "cls_optimizer": loopcase.optimizer_config(s["cls_optimizer"]),
                   "criterion": f"torch.nn.{type(s['criterion'].released).__name__}",
                   "scheduler": f"torch.optim.lr_scheduler.{type(s['scheduler']).__name__} (never steps: validation is not reached)"}
        value_types = rec.value_types
        m_args, c_args = model_args(vars(h))
    case = {
        "case": name,
        "kind": "loop",
        "description": "The CGGM loop of src/foodtrain.py (2 modalities, 101-class CE), driven through the released "
                       "initiate()/train_model()/train() with the released Food model sizes (768-d features, proj 40, "
                       "4 layers, 2 classifier layers; FoodModel hard-codes 768/40/101) and dropouts 0.",
        **meta(trainer="src/foodtrain.py", run_script=SCRIPT),
        "config": {
            "hyp_params": hyp_cfg,
            "model": {"class": "models.foodmodel.FoodModel", "args": common.named_args(M_NAMES, m_args)},
            "classifier": {"class": "models.msamodel.ClassifierGuided", "args": common.named_args(C_NAMES, c_args)},
            **opt_cfg,
            "rho": h.rou, "lambda": h.lamda, "clip": h.clip, "steps": common.STEPS,
            "batch_sizes": list(common.BATCH_SIZES),
            "modalities": list(MODALITIES),
            "init_seed": common.SEED,
            "shuffle": False,
        },
        "data": {
            "file": "data.safetensors",
            "samples": n_pool,
            "features": {m: {"shape": [n_pool, LOOP_LENS[m], FEATURE], "pattern_stream": LOOP_STREAMS[m],
                             "pattern_p": 0, "scale": 1.0, "offset": 0.0} for m in MODALITIES},
            "features_note": "vision[i, t, c] / text[i, t, c] = pattern value (stream, p = 0) at flat index "
                             "k = (i * T + t) * 768 + c; data.safetensors check/<modality> holds [sum, sum of squares, "
                             "max |x|] of the whole pool to verify a reimplementation",
            "labels": "data.safetensors labels [320] int64",
            "batching": "run bB uses samples 0..20*B-1; step t (1-based) sees samples (t-1)*B .. t*B-1, in order",
            "collate": "default collate of (text_input, image, label) items; text_input['input_ids'] carries the text "
                       "features, image the vision features",
        },
        "initial_weights": {"model": "../food_model/model.safetensors",
                            "classifier": "../food_model/classifier.safetensors",
                            "note": "the food_model case's state dicts: the same constructors, values and seed"},
        "state": {"model": common.state_listing(s["model"]), "classifier": common.state_listing(s["classifier"])},
        "tables": {"rows": "every state entry, in state order", "samples_per_tensor": LOOP_SAMPLES,
                   "sample_steps": list(LOOP_SAMPLE_STEPS)},
        "value_types": value_types,
        "runs": runs,
    }
    common.write_json(f"{folder}/case.json", case)
    return name
