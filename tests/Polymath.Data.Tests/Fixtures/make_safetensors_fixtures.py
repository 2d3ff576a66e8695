#!/usr/bin/env python3
"""Writes the safetensors fixtures the C# tests read (run once with /usr/bin/python3; the outputs are committed).

Debian ships no `safetensors` Python package here, so the files are written by following the format
(https://github.com/huggingface/safetensors, README "Format") with struct + json, mirroring what the Rust crate
does in `prepare`: tensors sorted by descending dtype (the order of its `Dtype` enum), then by name; the
header holds "__metadata__" first, then the tensors in that order, as compact JSON (serde_json: no spaces,
non-ASCII written as UTF-8), padded with spaces to a multiple of 8; then an 8-byte little-endian length.
If `import safetensors` works, the script also checks its output against the real library.
"""
import json
import struct
import sys

import numpy as np

# The Rust crate's Dtype enum order (safetensors >= 0.6; older versions lack the F4/F6/F8_E8M0 entries,
# which does not change the relative order of the others).
DTYPE_ORDER = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
               "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
NUMPY = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": "<i2", "U16": "<u2", "F16": "<f2",
         "I32": "<i4", "U32": "<u4", "F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8"}


def to_bytes(dtype, values):
    if dtype == "BF16":  # round-to-nearest-even float32 -> bfloat16, as torch does
        bits = np.asarray(values, dtype="<f4").view("<u4").astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        return bits.astype("<u2").tobytes()
    return np.asarray(values, dtype=NUMPY[dtype]).tobytes()


def serialize(tensors, metadata=None):
    """tensors: {name: (dtype, shape, flat values)}"""
    items = sorted(tensors.items(), key=lambda kv: (-DTYPE_ORDER.index(kv[1][0]), kv[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    blobs, offset = [], 0
    for name, (dtype, shape, values) in items:
        blob = to_bytes(dtype, values)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


# Tensors of the four dtypes Polymath writes; C# must write these bytes exactly.
ENGINE = {
    "encoder.layers.0.attn.qkv.weight": ("F32", [2, 3], [0.5 * i - 1.25 for i in range(6)]),
    "encoder.layers.0.attn.qkv.bias": ("F32", [3], [1.0, -2.0, 3.5]),
    "embed.weight": ("F64", [2, 2], [1.0 / 3, -2.5, 1e-300, 6.02e23]),
    "step": ("I64", [], [123456789012]),
    "position_ids": ("I64", [1, 4], [0, 1, 2, -3]),
    "mask": ("BOOL", [4], [True, False, False, True]),
    "empty": ("F32", [0, 3], []),
    "gr\u00fc\u00dfe \"quoted\"": ("F32", [1], [7.0]),
}
ENGINE_METADATA = {"format": "pt", "source": "make_safetensors_fixtures.py"}

# Dtypes Polymath reads and converts (F16/BF16 -> float32, integer types -> int64).
CONVERTED = {
    "half": ("F16", [3], [0.5, -2.0, 65504.0]),
    "brain": ("BF16", [2], [1.0, -3.140625]),
    "i32": ("I32", [2], [-7, 2147483647]),
    "u8": ("U8", [3], [0, 128, 255]),
    "i8": ("I8", [2], [-128, 127]),
    "i16": ("I16", [1], [-300]),
    "u32": ("U32", [1], [4000000000]),
}

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    engine = serialize(ENGINE, ENGINE_METADATA)
    converted = serialize(CONVERTED)
    with open(f"{out}/engine_dtypes.safetensors", "wb") as f:
        f.write(engine)
    with open(f"{out}/converted_dtypes.safetensors", "wb") as f:
        f.write(converted)
    try:
        import safetensors.numpy as stnp  # noqa: F401
    except ImportError:
        print("note: the safetensors package is not installed; fixtures follow the format by hand", file=sys.stderr)
    else:
        loaded = stnp.load(engine)
        for name, (dtype, shape, values) in ENGINE.items():
            assert list(loaded[name].shape) == shape, name
        print("checked against the safetensors package", file=sys.stderr)
    print(f"wrote {len(engine)} + {len(converted)} bytes")
