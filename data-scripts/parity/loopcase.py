"""Writing a loop case: per-step series in case.json, per-step tensors in safetensors files."""
import numpy as np

import common

EXPLODING = 1e5      # |coeff| above this counts as an exploding step (the released 1e-8 guard at work)

STEP_KEYS = ("step", "batch", "lr", "task_loss", "l_gm_used", "loss", "cls_losses", "cos", "eps_prev", "eps",
             "delta_eps", "delta_eps_sum", "diff_sum", "coeff", "coeff_rho", "l_gm", "grad_norm")


def ordered_steps(records):
    return [{k: r[k] for k in STEP_KEYS if k in r} for r in records]


def event_counts(records):
    zero = [r["step"] for r in records if r["delta_eps_sum"] == 0.0]
    residue = [r["step"] for r in records if r["delta_eps_sum"] != 0.0 and abs(r["delta_eps_sum"]) < 1e-12]
    all_zero = [r["step"] for r in records if all(d == 0.0 for d in r["delta_eps"])]
    exploding = [r["step"] for r in records if max(abs(c) for c in r["coeff"]) > EXPLODING]
    return {
        "zero_sum_steps": zero,
        "round_off_sum_steps": residue,
        "all_delta_zero_steps": all_zero,
        "exploding_steps": exploding,
        "max_abs_coeff": max(max(abs(c) for c in r["coeff"]) for r in records),
        "note": "zero_sum: sum(diff) == 0 exactly (diff_sum is exactly 1e-8); round_off_sum: 0 < |sum(diff)| < 1e-12 "
                "(accuracies k/B that do not cancel exactly in float64); all_delta_zero: every diff is 0 (coeff = 1); "
                f"exploding: max |coeff| > {EXPLODING:g}",
    }


def require_events(records, where):
    """The data were chosen so that every MSA/Food run has a step with sum(diff) == 0 (or a round-off residue) and a
    step whose coefficients explode; fail loudly if a different torch/numpy/sklearn changed that."""
    ev = event_counts(records)
    if not (ev["zero_sum_steps"] or ev["round_off_sum_steps"]) or not ev["exploding_steps"]:
        raise RuntimeError(f"{where}: the data no longer produce degenerate and exploding steps: {ev}")


def stacked_full(snapshots):
    """{'model/<name>': [steps, *shape], 'classifier/<name>': ...} from full snapshots."""
    out = {}
    for part in ("model", "classifier"):
        for name in snapshots[0][part]:
            out[f"{part}/{name}"] = np.stack([s[part][name] for s in snapshots])
    return out


def stacked_tables(snapshots, samples, sample_steps):
    """Per part: 'summary' [steps, N, 3] F64 over the state_dict entries in order, and 'stepNN/sample' [N, samples]
    F32 after each step NN in sample_steps."""
    out = {}
    for part in ("model", "classifier"):
        summs = []
        for t, s in enumerate(snapshots, start=1):
            _, summ, samp = common.table(s[part], samples)
            summs.append(summ)
            if t in sample_steps:
                out[f"step{t:02d}/{part}/sample"] = samp
        out[f"{part}/summary"] = np.stack(summs)
    return out


def optimizer_config(opt):
    g = opt.param_groups[0]
    d = {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items() if k != "params"}
    d = {k: (float(v) if isinstance(v, (np.floating,)) else v) for k, v in d.items()}
    return {"type": f"torch.optim.{type(opt).__name__}", "param_group": d}
