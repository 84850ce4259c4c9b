#!/usr/bin/env python3
"""Precompute the frozen ViT / BERT token features CGGM's Food-101 model trains on.

    python3 data-scripts/food101/extract_features.py --root data/food101 [--out data/food101/features]
    python3 data-scripts/food101/extract_features.py --root data/food101 --dry-run      # lists the samples only

Needs a machine with PyTorch, torchvision, transformers and Pillow (a GPU makes it hours instead of days; about 90k
images) and the Hugging Face models google/vit-base-patch16-224 and bert-base-uncased (Apache-2.0; downloaded by
transformers or given as local folders with --vit/--bert). It cannot run on the project's CPU CI machines, which have
neither the libraries nor the weights; --dry-run needs only numpy.

What it computes is what CGGM's src/foodtrain.py feeds its model under torch.no_grad():
  image: ViTModel(pixel_values).last_hidden_state   (197, 768)  pixel_values = Resize([224, 224]) -> ToTensor(), no
         mean/std normalisation (as CGGM's eval transform; --normalize applies ViT's (x - 0.5) / 0.5 instead)
  text:  BertModel(input_ids, attention_mask, token_type_ids).last_hidden_state   (50, 768), tokenizer called as in
         datasets/FOODDataset.py: add_special_tokens=True, padding='max_length', max_length=50, truncation=True
Deviation (documented in docs/datasets.md): CGGM augments training images every epoch before the frozen ViT
(flip, colour jitter, grayscale, blur); precomputed features are of the un-augmented image.

Input layouts (detected like src/Cggm/Data/FoodIndex.cs): CGGM train.json/test.json (text = ' '.join(text_tokens)),
MMBT/QMF train.jsonl/dev.jsonl/test.jsonl (text field), Kaggle texts/{train,test}_titles.csv (filename,text,label; no
header). Absolute img_path values are re-rooted under --root from their images/ part. Train rows are written in CGGM's
order: ids in file order, then random.Random(0).shuffle (FOODDataset.Food101); the same for the other splits.

Output (read by src/Cggm/Data/Food101Features.cs):
  index.json  {"format": "cggm-food101-features", "version": 1, ..., "splits": {split: {"count", "image", "text", "label", "id"}}}
  <split>_image.npy '<f2' (N, 197, 768)   <split>_text.npy '<f2' (N, 50, 768)   <split>_label.npy '<i8' (N,)   <split>_id.npy '|S' (N,)
"""
import argparse
import csv
import json
import os
import random
import sys

import numpy as np

CLASSES = ['apple_pie', 'baby_back_ribs', 'baklava', 'beef_carpaccio', 'beef_tartare', 'beet_salad', 'beignets',
           'bibimbap', 'bread_pudding', 'breakfast_burrito', 'bruschetta', 'caesar_salad', 'cannoli', 'caprese_salad',
           'carrot_cake', 'ceviche', 'cheese_plate', 'cheesecake', 'chicken_curry', 'chicken_quesadilla',
           'chicken_wings', 'chocolate_cake', 'chocolate_mousse', 'churros', 'clam_chowder', 'club_sandwich',
           'crab_cakes', 'creme_brulee', 'croque_madame', 'cup_cakes', 'deviled_eggs', 'donuts', 'dumplings',
           'edamame', 'eggs_benedict', 'escargots', 'falafel', 'filet_mignon', 'fish_and_chips', 'foie_gras',
           'french_fries', 'french_onion_soup', 'french_toast', 'fried_calamari', 'fried_rice', 'frozen_yogurt',
           'garlic_bread', 'gnocchi', 'greek_salad', 'grilled_cheese_sandwich', 'grilled_salmon', 'guacamole', 'gyoza',
           'hamburger', 'hot_and_sour_soup', 'hot_dog', 'huevos_rancheros', 'hummus', 'ice_cream', 'lasagna',
           'lobster_bisque', 'lobster_roll_sandwich', 'macaroni_and_cheese', 'macarons', 'miso_soup', 'mussels',
           'nachos', 'omelette', 'onion_rings', 'oysters', 'pad_thai', 'paella', 'pancakes', 'panna_cotta',
           'peking_duck', 'pho', 'pizza', 'pork_chop', 'poutine', 'prime_rib', 'pulled_pork_sandwich', 'ramen',
           'ravioli', 'red_velvet_cake', 'risotto', 'samosa', 'sashimi', 'scallops', 'seaweed_salad',
           'shrimp_and_grits', 'spaghetti_bolognese', 'spaghetti_carbonara', 'spring_rolls', 'steak',
           'strawberry_shortcake', 'sushi', 'tacos', 'takoyaki', 'tiramisu', 'tuna_tartare', 'waffles']


def resolve_image(root, path):
    joined = os.path.join(root, path)
    if os.path.isfile(joined):
        return joined
    normal = path.replace("\\", "/")
    at = 0 if normal.startswith("images/") else normal.rfind("/images/") + 1
    return os.path.join(root, normal[at:]) if normal.startswith("images/") or at > 0 else joined


def read_layout(root):
    """{split: [(id, label_index, text, image_path)]} and the layout name."""
    def item(sample_id, label, text, image):
        if label not in CLASSES:
            sys.exit(f"{root}: sample {sample_id} has label '{label}', not one of CGGM's 101 class names")
        return sample_id, CLASSES.index(label), text, image

    if os.path.isfile(os.path.join(root, "train.json")) and os.path.isfile(os.path.join(root, "test.json")):
        splits = {}
        for split in ("train", "test"):
            with open(os.path.join(root, f"{split}.json")) as f:
                data = {x["id"]: x for x in json.load(f)}
            splits[split] = [item(i, x["label"], " ".join(x["text_tokens"]), resolve_image(root, x["img_path"])) for i, x in data.items()]
        return "json", splits
    if os.path.isfile(os.path.join(root, "train.jsonl")) and os.path.isfile(os.path.join(root, "test.jsonl")):
        splits = {}
        for split, file in (("train", "train.jsonl"), ("valid", "dev.jsonl"), ("test", "test.jsonl")):
            path = os.path.join(root, file)
            if not os.path.isfile(path):
                continue
            with open(path) as f:
                rows = [json.loads(line) for line in f if line.strip()]
            splits[split] = [item(r["id"], r["label"], r["text"], resolve_image(root, r["img"])) for r in rows]
        return "jsonl", splits
    if all(os.path.isfile(os.path.join(root, "texts", f"{s}_titles.csv")) for s in ("train", "test")):
        splits = {}
        for split in ("train", "test"):
            with open(os.path.join(root, "texts", f"{split}_titles.csv"), newline="", encoding="utf-8") as f:
                rows = [r for r in csv.reader(f) if r]
            if rows and rows[0][0] == "filename" and rows[0][-1] == "label":
                rows = rows[1:]
            splits[split] = [item(r[0], r[2], r[1], os.path.join(root, "images", split, r[2], r[0])) for r in rows]
        return "kaggle", splits
    sys.exit(f"{root}: no Food-101 layout (train.json+test.json, train.jsonl+test.jsonl or texts/*_titles.csv)")


def cggm_order(items):
    """FOODDataset.Food101: ids in file order, then random.Random(0).shuffle."""
    ids = [x[0] for x in items]
    if len(set(ids)) != len(ids):
        sys.exit("dataset has duplicated ids")
    by_id = {x[0]: x for x in items}
    random.Random(0).shuffle(ids)
    return [by_id[i] for i in ids]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--out", help="default: <root>/features")
    p.add_argument("--vit", default="google/vit-base-patch16-224")
    p.add_argument("--bert", default="bert-base-uncased")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--device", default="cuda")
    p.add_argument("--text-length", type=int, default=50)
    p.add_argument("--normalize", action="store_true", help="apply ViT's (x - 0.5) / 0.5 (CGGM does not)")
    p.add_argument("--dry-run", action="store_true", help="list the splits and check the image files, without models")
    a = p.parse_args()
    out = a.out or os.path.join(a.root, "features")
    layout, splits = read_layout(a.root)
    splits = {s: cggm_order(items) for s, items in splits.items()}
    missing = [x[3] for items in splits.values() for x in items if not os.path.isfile(x[3])]
    print(f"layout {layout}: " + ", ".join(f"{s} {len(v)}" for s, v in splits.items()) + f"; {len(missing)} missing image(s)")
    if missing:
        sys.exit(f"first missing image: {missing[0]}")
    if a.dry_run:
        return

    import torch
    from PIL import Image
    from torchvision import transforms
    from transformers import BertModel, BertTokenizer, ViTModel

    device = torch.device(a.device if torch.cuda.is_available() or a.device == "cpu" else "cpu")
    vit = ViTModel.from_pretrained(a.vit).to(device).eval()
    bert = BertModel.from_pretrained(a.bert).to(device).eval()
    tokenizer = BertTokenizer.from_pretrained(a.bert)
    steps = [transforms.Resize([224, 224]), transforms.ToTensor()]
    if a.normalize:
        steps.append(transforms.Normalize([0.5] * 3, [0.5] * 3))
    transform = transforms.Compose(steps)
    os.makedirs(out, exist_ok=True)
    index = {"format": "cggm-food101-features", "version": 1, "image_model": a.vit, "text_model": a.bert, "text_layout": layout,
             "image_tokens": None, "text_tokens": a.text_length, "width": None, "dtype": "float16", "normalized": a.normalize, "splits": {}}
    for split, items in splits.items():
        n = len(items)
        image_out = text_out = None
        for start in range(0, n, a.batch):
            chunk = items[start:start + a.batch]
            images = torch.stack([transform(Image.open(x[3]).convert("RGB")) for x in chunk]).to(device)
            tokens = tokenizer([x[2] for x in chunk], add_special_tokens=True, padding="max_length", max_length=a.text_length,
                               truncation=True, return_tensors="pt").to(device)
            with torch.no_grad():
                v = vit(images)["last_hidden_state"].half().cpu().numpy()
                t = bert(tokens["input_ids"], tokens["attention_mask"], tokens["token_type_ids"])["last_hidden_state"].half().cpu().numpy()
            if image_out is None:
                image_out = np.lib.format.open_memmap(os.path.join(out, f"{split}_image.npy"), "w+", "<f2", (n,) + v.shape[1:])
                text_out = np.lib.format.open_memmap(os.path.join(out, f"{split}_text.npy"), "w+", "<f2", (n,) + t.shape[1:])
                index["image_tokens"], index["width"] = int(v.shape[1]), int(v.shape[2])
            image_out[start:start + len(chunk)] = v
            text_out[start:start + len(chunk)] = t
            print(f"{split} {start + len(chunk)}/{n}", flush=True)
        image_out.flush()
        text_out.flush()
        np.save(os.path.join(out, f"{split}_label.npy"), np.array([x[1] for x in items], dtype="<i8"))
        np.save(os.path.join(out, f"{split}_id.npy"), np.array([x[0].encode() for x in items], dtype="S"))
        index["splits"][split] = {"count": n, "image": f"{split}_image.npy", "text": f"{split}_text.npy",
                                  "label": f"{split}_label.npy", "id": f"{split}_id.npy"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
