"""The closed-form "pattern" values that stand in for weights and inputs too large to commit.

Every value is computed with exact integer arithmetic and IEEE-754 operations whose results are correctly rounded
(no transcendental functions), so any language reproduces it bit for bit:

    mix(x)      = lowbias32 hash of a 32-bit unsigned x (all arithmetic mod 2^32):
                    x ^= x >> 16; x *= 0x7FEB352D; x ^= x >> 15; x *= 0x846CA68B; x ^= x >> 16
    seed(s, p)  = mix((s * 65536 + p) mod 2^32)            s = stream, p = tensor number
    u(s, p, k)  = mix((seed(s, p) + k * 0x9E3779B9) mod 2^32) >> 8          an integer in [0, 2^24)
    v(s, p, k)  = u * 2^-23 - 1                                              exact in float64, in [-1, 1)
    value       = (float32)(offset + scale * v)           both operations in float64, then one round-to-nearest cast

k is the element's index in the row-major flattened tensor. FORMAT.md restates this and lists offset/scale per tensor.
"""
import numpy as np

M32 = np.uint64(0xFFFFFFFF)


def mix(x):
    x = np.asarray(x, dtype=np.uint64) & M32
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & M32
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & M32
    x ^= x >> np.uint64(16)
    return x


def unit(stream, p, n):
    """v(stream, p, k) for k = 0..n-1 as float64 in [-1, 1)."""
    seed = mix(np.uint64((stream * 65536 + p) & 0xFFFFFFFF))
    k = np.arange(n, dtype=np.uint64)
    x = mix((seed + k * np.uint64(0x9E3779B9)) & M32)
    return (x >> np.uint64(8)).astype(np.float64) * 2.0 ** -23 - 1.0


def values(stream, p, shape, scale, offset=0.0):
    n = int(np.prod(shape)) if len(shape) else 1
    v = unit(stream, p, n)
    t = np.float64(scale) * v
    t = np.float64(offset) + t
    return t.astype(np.float32).reshape(shape)


def pow2_fan_in_scale(fan_in):
    """2^-e with e the smallest integer such that 4^e >= fan_in (so scale is in (1/(2*sqrt(fan_in)), 1/sqrt(fan_in)])."""
    e = 0
    while 4 ** e < fan_in:
        e += 1
    return 2.0 ** -e, e


def rule(name, shape):
    """(kind, scale, offset) for a state-dict entry by name and shape; kind names the rule in FORMAT.md."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_mean":
        return "running_mean", 2.0 ** -4, 0.0
    if leaf == "running_var":
        return "running_var", 2.0 ** -2, 1.0
    if leaf == "num_batches_tracked":
        return "zero", 0.0, 0.0
    if leaf.endswith("bias"):
        return "bias", 2.0 ** -6, 0.0
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        scale, _ = pow2_fan_in_scale(fan_in)
        return "weight_fan_in", scale, 0.0
    if len(shape) == 1 and leaf == "weight":
        return "norm_weight", 2.0 ** -3, 1.0
    raise ValueError(f"no pattern rule for {name} {tuple(shape)}")


def fill_module(module, stream):
    """Overwrites every parameter and buffer of module's state_dict with the pattern (p = position in state_dict order).

    Returns a list of (name, kind, scale, offset, p) rows describing what was written.
    """
    import torch
    rows = []
    sd = module.state_dict(keep_vars=True)
    with torch.no_grad():
        for p, (name, t) in enumerate(sd.items()):
            kind, scale, offset = rule(name, tuple(t.shape))
            if t.dtype == torch.int64:
                t.zero_()
            else:
                t.copy_(torch.from_numpy(values(stream, p, tuple(t.shape), scale, offset)))
            rows.append((name, kind, scale, offset, p))
    return rows
