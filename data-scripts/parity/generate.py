#!/usr/bin/python3
"""Writes the CGGM parity fixtures from the released PyTorch code (github.com/zrguo/CGGM at 21e428c).

    git clone https://github.com/zrguo/CGGM && git -C CGGM checkout 21e428c
    /usr/bin/python3 data-scripts/parity/generate.py --released CGGM --out tests/Cggm.Tests/Parity/Fixtures

See README.md (how the released code is driven) and FORMAT.md (every file of every case).
"""
import argparse
import os
import platform
import shutil
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True          # no __pycache__ inside the repository
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import common  # noqa: E402
import released  # noqa: E402

CASES = ("mosi_model", "iemo_model", "food_model", "brats_model", "mosi_loop", "iemo_loop", "food_loop", "brats_loop")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--released", required=True, help="checkout of github.com/zrguo/CGGM at 21e428c")
    ap.add_argument("--out", required=True, help="fixture root (tests/Cggm.Tests/Parity/Fixtures)")
    ap.add_argument("--only", nargs="*", choices=CASES, help="write only these cases")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op threads (default 1; the committed fixtures use 1)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    # the released make_positions() resizes an out= tensor (modules/position_embedding.py l.20); torch warns each time
    warnings.filterwarnings("ignore", message="The number of elements in the out tensor", category=UserWarning)
    torch.use_deterministic_algorithms(True)
    R = released.Released(args.released)
    import sklearn

    def meta(trainer, run_script):
        return {
            "released": {"repository": released.RELEASED_URL, "commit": released.RELEASED_COMMIT,
                         "trainer": trainer, "run_script": run_script},
            "generator": {"command": common.CANONICAL_COMMAND, "script": "data-scripts/parity/generate.py",
                          "python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                          "sklearn": sklearn.__version__, "threads": args.threads,
                          "stand_ins": list(released.STUBBED)},
        }

    import msa
    import food
    import brats
    writers = {
        "mosi_model": lambda: msa.write_model_case(R, "mosi", args.out, meta),
        "iemo_model": lambda: msa.write_model_case(R, "iemo", args.out, meta),
        "food_model": lambda: food.write_model_case(R, args.out, meta),
        "brats_model": lambda: brats.write_model_case(R, args.out, meta),
        "mosi_loop": lambda: msa.write_loop_case(R, "mosi", args.out, meta),
        "iemo_loop": lambda: msa.write_loop_case(R, "iemo", args.out, meta),
        "food_loop": lambda: food.write_loop_case(R, args.out, meta),
        "brats_loop": lambda: brats.write_loop_case(R, args.out, meta),
    }
    os.makedirs(args.out, exist_ok=True)
    total = time.time()
    for name in (args.only or CASES):
        t = time.time()
        folder = os.path.join(args.out, name)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        writers[name]()
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"{name:12s} {size / 1e6:7.3f} MB  {time.time() - t:7.1f} s", flush=True)
        if name == "brats_model":
            print(f"             (forward + backward of the full model: {brats.TIMING['forward_backward_s']:.1f} s "
                  f"with {args.threads} thread(s))", flush=True)
    print(f"total {time.time() - total:.1f} s", flush=True)


if __name__ == "__main__":
    main()
