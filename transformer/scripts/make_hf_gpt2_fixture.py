#!/usr/bin/env python3
"""Writes the Hugging Face GPT-2 fixture for HfGpt2Test: a tiny GPT-2 in the exact layout of an
`openai-community/gpt2` download, with the real vocabulary size (50257) and expected logits.

The expected logits come from the plain PyTorch forward pass below, written from Hugging Face's
GPT2LMHeadModel semantics (not from jgpt): Conv1D weights stored (in, out) and applied as
x @ W + b, pre-LN blocks with eps 1e-5, causal attention scaled by 1/sqrt(head size), gelu_new
(the tanh approximation), final layer norm, head tied to wte. The forward runs in float64 on the
float16-rounded weights the file holds, so the numbers are the exact answer for what jgpt loads.

The tokenizer files (vocab.json, merges.txt) are not written here: the test derives them from
the r50k ranks the tokenizer already reads (they are the same vocabulary), to keep the fixture
small.

Run from the repository root (Debian: apt-get install python3-torch):
    /usr/bin/python3 transformer/scripts/make_hf_gpt2_fixture.py

With --check, it loads a folder jgpt exported instead and writes what this loader computes from
it, for HfGpt2ExportTest (a model trained in the test, exported by jgpt):
    JAVA_HOME=... mvn -pl transformer -am test -Dtest=HfGpt2ExportTest -Dsurefire.failIfNoSpecifiedTests=false \
        -Djgpt.test.jvm.args=-Djgpt.fixture.dump=/tmp/jgpt-export   # the test's export, copied there
    /usr/bin/python3 transformer/scripts/make_hf_gpt2_fixture.py --check /tmp/jgpt-export
Output: transformer/src/test/resources/hf-gpt2-export/expected.json with "input_ids" and
"last_logits" (the logits after the last input token, all vocab_size of them).

Output in transformer/src/test/resources/hf-gpt2-tiny/:
    config.json        Hugging Face's GPT2Config keys
    model.safetensors  F16 tensors named as in the gpt2 repository (no "transformer." prefix),
                       with the attn.bias mask buffers that older exports carry
    expected.json      {"input_ids": [...], "ids": [...], "logits": [[...] per position at ids],
                        "max": [...], "logsumexp": [...]} (logsumexp over all 50257 logits)
"""
import json
import math
import os
import struct

import torch

V, N_POS, L, NH, C = 50257, 16, 2, 2, 8
SEED = 2026
INPUT_IDS = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13]  # "The quick brown fox jumps over the lazy dog."
PROBE_IDS = [0, 1, 11, 13, 198, 262, 290, 464, 617, 2068, 3290, 16931, 50000, 50255, 50256]

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "hf-gpt2-tiny")


def make_params(gen):
    """Weights larger than GPT-2's init so every path carries signal; rounded to float16."""
    def normal(shape, std, mean=0.0):
        return (torch.randn(shape, generator=gen, dtype=torch.float64) * std + mean).half()

    p = {"wte.weight": normal((V, C), 0.3), "wpe.weight": normal((N_POS, C), 0.3)}
    for l in range(L):
        h = f"h.{l}."
        p[h + "ln_1.weight"] = normal((C,), 0.1, 1.0)
        p[h + "ln_1.bias"] = normal((C,), 0.05)
        p[h + "attn.c_attn.weight"] = normal((C, 3 * C), 0.3)  # Conv1D: (in, out)
        p[h + "attn.c_attn.bias"] = normal((3 * C,), 0.05)
        p[h + "attn.c_proj.weight"] = normal((C, C), 0.3)
        p[h + "attn.c_proj.bias"] = normal((C,), 0.05)
        p[h + "ln_2.weight"] = normal((C,), 0.1, 1.0)
        p[h + "ln_2.bias"] = normal((C,), 0.05)
        p[h + "mlp.c_fc.weight"] = normal((C, 4 * C), 0.3)
        p[h + "mlp.c_fc.bias"] = normal((4 * C,), 0.05)
        p[h + "mlp.c_proj.weight"] = normal((4 * C, C), 0.3)
        p[h + "mlp.c_proj.bias"] = normal((C,), 0.05)
    p["ln_f.weight"] = normal((C,), 0.1, 1.0)
    p["ln_f.bias"] = normal((C,), 0.05)
    return p


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * w + b


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(p, ids):
    """Logits (T, V) in float64, Hugging Face GPT-2 semantics."""
    d = {k: v.double() for k, v in p.items()}
    T = len(ids)
    x = d["wte.weight"][ids] + d["wpe.weight"][:T]
    hs = C // NH
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(L):
        h = f"h.{l}."
        a = layer_norm(x, d[h + "ln_1.weight"], d[h + "ln_1.bias"])
        qkv = a @ d[h + "attn.c_attn.weight"] + d[h + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=-1)
        q = q.view(T, NH, hs).transpose(0, 1)
        k = k.view(T, NH, hs).transpose(0, 1)
        v = v.view(T, NH, hs).transpose(0, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ d[h + "attn.c_proj.weight"] + d[h + "attn.c_proj.bias"]
        m = layer_norm(x, d[h + "ln_2.weight"], d[h + "ln_2.bias"])
        m = gelu_new(m @ d[h + "mlp.c_fc.weight"] + d[h + "mlp.c_fc.bias"])
        x = x + m @ d[h + "mlp.c_proj.weight"] + d[h + "mlp.c_proj.bias"]
    x = layer_norm(x, d["ln_f.weight"], d["ln_f.bias"])
    return x @ d["wte.weight"].T


def read_safetensors(path):
    """Float tensors of a safetensors file (F32/F16), by name."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        dtype = {"F32": torch.float32, "F16": torch.float16}[e["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(e["shape"]).clone()
    return out


def check(folder):
    """Logits of a jgpt export, computed by this script's own GPT-2 (Hugging Face semantics)."""
    global V, N_POS, L, NH, C
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    assert cfg["model_type"] == "gpt2" and cfg["activation_function"] == "gelu_new" and cfg["tie_word_embeddings"]
    V, N_POS, L, NH, C = cfg["vocab_size"], cfg["n_positions"], cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
    p = read_safetensors(os.path.join(folder, "model.safetensors"))
    assert "lm_head.weight" not in p and p["wte.weight"].shape == (V, C)
    ids = list(b"Hello, GPT-2!")
    logits = forward(p, ids)
    out_dir = os.path.join(os.path.dirname(OUT), "hf-gpt2-export")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"input_ids": ids, "last_logits": [float(x) for x in logits[-1]]}, f, indent=1)
        f.write("\n")
    print("wrote", out_dir)


def write_safetensors(path, tensors):
    """The safetensors format: u64 header length, JSON header, raw little-endian data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        dtype = {torch.float16: "F16", torch.float32: "F32", torch.bool: "BOOL"}[t.dtype]
        data = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    gen = torch.Generator().manual_seed(SEED)
    p = make_params(gen)
    os.makedirs(OUT, exist_ok=True)
    tensors = dict(p)
    for l in range(L):  # the causal-mask buffers older GPT-2 exports carry; loaders ignore them
        tensors[f"h.{l}.attn.bias"] = torch.tril(torch.ones(N_POS, N_POS)).view(1, 1, N_POS, N_POS).half()
    write_safetensors(os.path.join(OUT, "model.safetensors"), tensors)
    config = {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": N_POS, "n_embd": C, "n_head": NH,
        "n_layer": L, "n_positions": N_POS, "resid_pdrop": 0.1, "tie_word_embeddings": True,
        "torch_dtype": "float16", "vocab_size": V,
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    logits = forward(p, INPUT_IDS)
    expected = {
        "input_ids": INPUT_IDS,
        "ids": PROBE_IDS,
        "logits": [[float(logits[t, i]) for i in PROBE_IDS] for t in range(len(INPUT_IDS))],
        "max": [float(logits[t].max()) for t in range(len(INPUT_IDS))],
        "argmax": [int(logits[t].argmax()) for t in range(len(INPUT_IDS))],
        "logsumexp": [float(torch.logsumexp(logits[t], 0)) for t in range(len(INPUT_IDS))],
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
