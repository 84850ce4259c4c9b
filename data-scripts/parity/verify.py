#!/usr/bin/python3
"""Checks the written fixtures against the relations FORMAT.md states (numpy only; no torch, no released code).

    /usr/bin/python3 data-scripts/parity/verify.py tests/Cggm.Tests/Parity/Fixtures

For every loop run and step t:
  * loss == float32(task_loss + float32(float32(lambda) * l_gm_used))          (raw_loss += lamda * l_gm, float32)
  * diff_sum == sum(delta_eps) + 1e-8 and coeff_i == (diff_sum - delta_eps_i) / diff_sum   (float64, MSA/Food)
  * delta_eps == eps - eps_prev and eps_prev(t) == eps(t - 1)
  * l_gm ~= (sum |coeff_i| - sum coeff_i * cos_i) / M                            (float32 arithmetic, rel 1e-5)
  * cos(t) ~= cosine(classifier i out_layer.weight, model out_layer.weight) of the weights after step t - 1
    (initial weights for t = 1), where the loop stores full weights (MSA loops, BraTS CGGM tensors)
  * Food: projt.* never changes (its grad is None, so AdamW skips it)
"""
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True          # no __pycache__ inside the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

f32 = np.float32


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-8))


def check_run(case, folder, tag, run, weights_of):
    M = len(case["config"]["modalities"])
    lam = case["config"]["lambda"]
    prev_eps = [0.0] * M
    exact = case["value_types"]["coeff"] == "numpy.float64"
    bad = []
    for s in run["steps"]:
        t = s["step"]
        lgm = s["l_gm_used"]
        want = s["task_loss"] if lgm is None else float(f32(f32(s["task_loss"]) + f32(f32(lam) * f32(lgm))))
        if want != s["loss"]:
            bad.append(f"step {t}: loss {s['loss']} != {want}")
        if s["eps_prev"] != prev_eps:
            bad.append(f"step {t}: eps_prev")
        prev_eps = s["eps"]
        if exact:
            de = [e - p for e, p in zip(s["eps"], s["eps_prev"])]
            if de != s["delta_eps"]:
                bad.append(f"step {t}: delta_eps")
            total = 0
            for d in s["delta_eps"]:
                total += d
            if total != s["delta_eps_sum"] or total + 1e-8 != s["diff_sum"]:
                bad.append(f"step {t}: diff_sum")
            if [(s["diff_sum"] - d) / s["diff_sum"] for d in s["delta_eps"]] != s["coeff"]:
                bad.append(f"step {t}: coeff")
        l = (sum(abs(c) for c in s["coeff"]) - sum(c * x for c, x in zip(s["coeff"], s["cos"]))) / M
        if abs(l - s["l_gm"]) > 1e-5 * max(1.0, abs(l)):
            bad.append(f"step {t}: l_gm {s['l_gm']} vs {l}")
        w = weights_of(t - 1)
        if w is not None:
            fus, cls = w
            for i in range(M):
                c = cosine(cls[i], fus)
                if abs(c - s["cos"][i]) > 2e-6:
                    bad.append(f"step {t}: cos[{i}] {s['cos'][i]} vs {c}")
    return bad


def main(root):
    failures = 0
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        path = os.path.join(folder, "case.json")
        if not os.path.isfile(path):
            continue
        case = json.load(open(path))
        if case["kind"] != "loop":
            continue
        M = len(case["config"]["modalities"])
        for tag, run in case["runs"].items():
            wfile = st_io.read(os.path.join(folder, run["files"]["weights"]))
            weights_of = lambda k: None  # noqa: E731
            if name in ("mosi_loop", "iemo_loop"):
                init_m = st_io.read(os.path.join(folder, "model_init.safetensors"))
                init_c = st_io.read(os.path.join(folder, "classifier_init.safetensors"))

                def weights_of(k, wfile=wfile, init_m=init_m, init_c=init_c):
                    if k == 0:
                        return init_m["out_layer.weight"], [init_c[f"classifers.{i}.out_layer.weight"] for i in range(M)]
                    return (wfile["model/out_layer.weight"][k - 1],
                            [wfile[f"classifier/classifers.{i}.out_layer.weight"][k - 1] for i in range(M)])
            elif name == "brats_loop":
                def weights_of(k, wfile=wfile):
                    if k == 0:
                        return None
                    return (wfile["full/model/decoder.last_conv.7.weight"][k - 1],
                            [wfile[f"full/classifier/decoder{i}.last_conv.7.weight"][k - 1] for i in range(1, 5)])
            bad = check_run(case, folder, tag, run, weights_of)
            if name == "food_loop":
                names = case["state"]["model"]["names"]
                summ = wfile["model/summary"]
                for i, n in enumerate(names):
                    if n.startswith("projt.") and not (summ[:, i, :] == summ[0, i, :]).all():
                        bad.append(f"{n} changed")
            failures += len(bad)
            print(f"{name} {tag}: {'ok' if not bad else 'FAILED'}")
            for b in bad:
                print("   ", b)
    return failures


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1]) else 0)
