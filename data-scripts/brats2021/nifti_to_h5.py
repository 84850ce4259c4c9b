#!/usr/bin/env python3
"""Convert the official BraTS 2021 NIfTI release into the per-case .h5 layout CGGM's loader reads.

    python3 data-scripts/brats2021/nifti_to_h5.py --root data/brats2021 [--out data/brats2021] [--seed 0]

Input: <root>/BraTS2021_Training_Data/BraTS2021_xxxxx/BraTS2021_xxxxx_{flair,t1ce,t1,t2,seg}.nii.gz or .nii (or the case
folders directly under <root>). Output: <out>/{train,valid,test}/BraTS2021_xxxxx.h5 with
  image  float32 (4, W, H, D')  channels FLAIR, T1ce, T1, T2
  label  uint8   (W, H, D')     values {0, 1, 2, 4} (the loader maps 4 -> 3)
  tumour_slices int32 (K,) depth indices whose label slice has tumour (ignored by CGGM's Python loader)
and <out>/splits.json with the case lists.

The CGGM authors did not publish their preprocessing. This script applies OUR documented assumption, identical to the
C# NIfTI reader (src/Cggm/Data/BratsCase.cs, BratsNiftiCase):
  * each modality z-scored over the brain voxels (sum of the four raw modalities > 0; population std; 0 elsewhere),
  * depth slices [depth_start, depth_start + depth_count) kept (default 20..147: 128 slices, as CGGM's sampler needs),
  * split: cases ordered by SHA-256 of "{seed}:{case id}" (hex), the first round(n*0.8) train, the next round(n*0.1)
    valid, the rest test (Python's round and .NET's MidpointRounding.ToEven agree).
Needs numpy, nibabel and h5py (Debian: apt-get install python3-numpy python3-nibabel python3-h5py). Nothing is
downloaded: BraTS 2021 requires a Synapse account and acceptance of the data-use terms.
"""
import argparse
import hashlib
import json
import os
import sys

import h5py
import nibabel as nib
import numpy as np

MODALITIES = ("flair", "t1ce", "t1", "t2")


def volume(folder, part):
    """A case's volume file: <case>_<part>.nii.gz, else the uncompressed <case>_<part>.nii (both are documented layouts)."""
    case = os.path.basename(folder)
    for ext in (".nii.gz", ".nii"):
        path = os.path.join(folder, f"{case}_{part}{ext}")
        if os.path.isfile(path):
            return path
    return None


def case_folders(root):
    base = os.path.join(root, "BraTS2021_Training_Data")
    base = base if os.path.isdir(base) else root
    found = []
    for name in sorted(os.listdir(base)):
        folder = os.path.join(base, name)
        if not (name.startswith("BraTS2021_") and os.path.isdir(folder)):
            continue
        if volume(folder, "seg"):
            found.append(folder)
        else:
            print(f"{folder}: no {name}_seg.nii(.gz); the case has no labels and is not converted", file=sys.stderr)
    return found


def split_cases(ids, train=0.8, valid=0.1, seed=0):
    ordered = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest().upper())
    n_train = round(len(ordered) * train)
    n_valid = min(round(len(ordered) * valid), len(ordered) - n_train)
    return [sorted(ordered[:n_train]), sorted(ordered[n_train:n_train + n_valid]), sorted(ordered[n_train + n_valid:])]


def preprocess(folder, depth_start, depth_count):
    case = os.path.basename(folder)
    missing = [m for m in MODALITIES if not volume(folder, m)]
    if missing:
        raise SystemExit(f"{folder}: no {case}_{missing[0]}.nii.gz or .nii")
    raw = [np.asarray(nib.load(volume(folder, m)).dataobj, dtype="f8") for m in MODALITIES]
    seg = np.asarray(nib.load(volume(folder, "seg")).dataobj)
    stack = np.stack(raw)
    if stack.shape[1:] != seg.shape:
        raise SystemExit(f"{folder}: modality shape {stack.shape[1:]} differs from the segmentation's {seg.shape}")
    brain = stack.sum(0) > 0
    image = np.zeros(stack.shape, dtype="f4")
    for c in range(4):
        v = stack[c]
        mean, std = (v[brain].mean(), v[brain].std()) if brain.any() else (0.0, 0.0)
        image[c] = np.where(brain, (v - mean) / (std if std > 0 else 1.0), 0).astype("f4")
    start = min(depth_start, seg.shape[2])
    stop = min(start + depth_count, seg.shape[2])
    if stop <= start:
        raise SystemExit(f"{folder}: depth {seg.shape[2]} leaves no slice after --depth-start {depth_start}")
    label = np.rint(seg[:, :, start:stop]).astype("u1")
    if not set(np.unique(label)).issubset({0, 1, 2, 4}):
        raise SystemExit(f"{folder}: segmentation values {sorted(np.unique(label))}, expected {{0, 1, 2, 4}}")
    return image[:, :, :, start:stop], label


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True, help="folder with BraTS2021_Training_Data/ or the case folders")
    p.add_argument("--out", help="output folder (default: --root)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train", type=float, default=0.8)
    p.add_argument("--valid", type=float, default=0.1)
    p.add_argument("--depth-start", type=int, default=20)
    p.add_argument("--depth-count", type=int, default=128)
    a = p.parse_args()
    out = a.out or a.root
    folders = case_folders(a.root)
    if not folders:
        sys.exit(f"{a.root}: no BraTS2021_xxxxx case folders with *_seg.nii.gz or *_seg.nii. Download BraTS2021_Training_Data (Synapse) first.")
    by_id = {os.path.basename(f): f for f in folders}
    splits = split_cases(list(by_id), a.train, a.valid, a.seed)
    for name, ids in zip(("train", "valid", "test"), splits):
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for i, case in enumerate(ids):
            image, label = preprocess(by_id[case], a.depth_start, a.depth_count)
            w, h = label.shape[:2]
            with h5py.File(os.path.join(out, name, f"{case}.h5"), "w") as f:
                f.create_dataset("image", data=image, chunks=(4, w, h, 1), compression="gzip", compression_opts=4)
                f.create_dataset("label", data=label, chunks=(w, h, 1), compression="gzip", compression_opts=4)
                # depth indices with tumour: the C# loader's sampling list without re-reading every label slice
                f.create_dataset("tumour_slices", data=np.flatnonzero(label.reshape(-1, label.shape[2]).any(0)).astype("i4"))
            print(f"{name} {i + 1}/{len(ids)} {case}", flush=True)
    with open(os.path.join(out, "splits.json"), "w") as f:
        json.dump({"seed": a.seed, "fractions": [a.train, a.valid], "depth": [a.depth_start, a.depth_count],
                   "train": splits[0], "valid": splits[1], "test": splits[2]}, f, indent=1)
    print(f"wrote {sum(map(len, splits))} cases under {out}")


if __name__ == "__main__":
    main()
