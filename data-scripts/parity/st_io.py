"""A minimal numpy safetensors writer and reader (https://github.com/huggingface/safetensors format).

Layout: 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}}, then the raw little-endian tensor bytes; offsets are relative
to the first byte after the header. The writer sorts names, writes the data in that order, pads the header with spaces
to a multiple of 8 bytes (as the reference implementation does) and writes no "__metadata__" entry (TorchSharp.PyBridge
deserializes every header entry as a tensor entry), so the output is a pure function of the input arrays.
"""
import json
import struct

import numpy as np

_DTYPES = {
    np.dtype(np.float32): "F32",
    np.dtype(np.float64): "F64",
    np.dtype(np.int64): "I64",
    np.dtype(np.int32): "I32",
    np.dtype(np.uint8): "U8",
    np.dtype(np.bool_): "BOOL",
}
_NUMPY = {v: k for k, v in _DTYPES.items()}


def write(path, tensors):
    """Writes {name: numpy array} to path; returns the file size in bytes."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        if a.dtype not in _DTYPES:
            raise TypeError(f"{name}: dtype {a.dtype} is not written (use float32, float64, int64, int32, uint8 or bool)")
        raw = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": [int(s) for s in a.shape],
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    return 8 + len(text) + offset


def read(path):
    """Reads a safetensors file into {name: numpy array}."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        dt = _NUMPY[e["dtype"]].newbyteorder("<")
        out[name] = np.frombuffer(data[base + b:base + end], dtype=dt).reshape(e["shape"]).astype(dt.newbyteorder("="))
    return out
