#!/usr/bin/env python3
"""Writes the golden fixture for GptGoldenTest: one forward/backward of a tiny GPT in PyTorch.

The model is nanoGPT's (pre-LN blocks, learned positions, causal self-attention, GELU MLP of
width 4C, final layer norm, head tied to wte), with GPT-2's tanh GELU, biases, no dropout, and
the vocabulary padded as jgpt pads it: wte has Vp rows, the padded rows are zero, and the loss
and logits use the first V columns only. Everything is computed in float64 from float32 weights,
so the fixture holds the exact answer for the float32 weights jgpt loads.

Run from the repository root (Debian: apt-get install python3-torch):
    /usr/bin/python3 transformer/scripts/make_golden.py
Output: transformer/src/test/resources/golden/gpt_tiny.bin, a list of named tensors:
    magic b"JGPTFIX1", uint32 count, then per tensor: uint32 name length, name (UTF-8),
    uint32 dtype (0 = float32, 1 = int32), uint32 ndim, uint32 dims[ndim], the data;
    all little-endian, row-major.
Tensors: "config" (int32: V, Vp, block_size, n_layer, n_head, n_embd, bias, B, T),
"inputs" and "targets" (B,T), "param/<name>" and "grad/<name>" for every parameter with jgpt's
names (wte is (Vp, C)), "logits" (B,T,V), "loss" (1) the mean cross-entropy.
"""
import math
import os
import struct

import torch
import torch.nn.functional as F

V, VP, BLOCK, L, NH, C = 50, 64, 12, 2, 4, 32
B, T = 2, 8
SEED = 1234

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden", "gpt_tiny.bin")


def make_params(gen):
    """Deterministic float32 weights, larger than GPT-2's init so every path carries signal."""
    def normal(shape, std, mean=0.0):
        return (torch.randn(shape, generator=gen, dtype=torch.float64) * std + mean).float()

    p = {}
    wte = normal((VP, C), 0.3)
    wte[V:] = 0.0  # padded rows stay zero, as in jgpt
    p["wte"] = wte
    p["wpe"] = normal((BLOCK, C), 0.3)
    for l in range(L):
        h = f"h.{l}."
        p[h + "ln_1.weight"] = normal((C,), 0.1, 1.0)
        p[h + "ln_1.bias"] = normal((C,), 0.05)
        p[h + "attn.c_attn.weight"] = normal((3 * C, C), 0.15)
        p[h + "attn.c_attn.bias"] = normal((3 * C,), 0.05)
        p[h + "attn.c_proj.weight"] = normal((C, C), 0.15)
        p[h + "attn.c_proj.bias"] = normal((C,), 0.05)
        p[h + "ln_2.weight"] = normal((C,), 0.1, 1.0)
        p[h + "ln_2.bias"] = normal((C,), 0.05)
        p[h + "mlp.c_fc.weight"] = normal((4 * C, C), 0.15)
        p[h + "mlp.c_fc.bias"] = normal((4 * C,), 0.05)
        p[h + "mlp.c_proj.weight"] = normal((C, 4 * C), 0.1)
        p[h + "mlp.c_proj.bias"] = normal((C,), 0.05)
    p["ln_f.weight"] = normal((C,), 0.1, 1.0)
    p["ln_f.bias"] = normal((C,), 0.05)
    return p


def forward(p, idx):
    """nanoGPT's GPT.forward (dropout 0) over float64 parameters; returns logits (B,T,Vp)."""
    b, t = idx.shape
    x = p["wte"][idx] + p["wpe"][:t]
    hs = C // NH
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(L):
        h = f"h.{l}."
        a = F.layer_norm(x, (C,), p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps=1e-5)
        qkv = a @ p[h + "attn.c_attn.weight"].T + p[h + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=2)
        q = q.view(b, t, NH, hs).transpose(1, 2)  # (B, NH, T, hs)
        k = k.view(b, t, NH, hs).transpose(1, 2)
        v = v.view(b, t, NH, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        att = att.masked_fill(~mask, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, C)
        x = x + (y @ p[h + "attn.c_proj.weight"].T + p[h + "attn.c_proj.bias"])
        m = F.layer_norm(x, (C,), p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps=1e-5)
        m = F.gelu(m @ p[h + "mlp.c_fc.weight"].T + p[h + "mlp.c_fc.bias"], approximate="tanh")
        x = x + (m @ p[h + "mlp.c_proj.weight"].T + p[h + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (C,), p["ln_f.weight"], p["ln_f.bias"], eps=1e-5)
    return x @ p["wte"].T  # tied head over the padded vocabulary


def write_fixture(path, tensors):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"JGPTFIX1")
        f.write(struct.pack("<I", len(tensors)))
        for name, t in tensors:
            t = t.contiguous()
            dtype = {torch.float32: 0, torch.int32: 1}[t.dtype]
            raw = name.encode("utf-8")
            f.write(struct.pack("<I", len(raw)))
            f.write(raw)
            f.write(struct.pack("<II", dtype, t.dim()))
            f.write(struct.pack(f"<{t.dim()}I", *t.shape))
            f.write(t.numpy().astype("<f4" if dtype == 0 else "<i4").tobytes())
    os.replace(tmp, path)


def main():
    gen = torch.Generator().manual_seed(SEED)
    params32 = make_params(gen)
    idx = torch.randint(0, V, (B, T), generator=gen)
    targets = torch.randint(0, V, (B, T), generator=gen)

    p = {k: v.double().requires_grad_(True) for k, v in params32.items()}
    logits = forward(p, idx)[:, :, :V]
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    loss.backward()

    tensors = [
        ("config", torch.tensor([V, VP, BLOCK, L, NH, C, 1, B, T], dtype=torch.int32)),
        ("inputs", idx.int()),
        ("targets", targets.int()),
        ("loss", loss.detach().float().reshape(1)),
        ("logits", logits.detach().float()),
    ]
    for name, w in params32.items():
        tensors.append(("param/" + name, w))
    for name, w in p.items():
        tensors.append(("grad/" + name, w.grad.float()))
    write_fixture(OUT, tensors)
    print(f"wrote {os.path.normpath(OUT)}: loss {loss.item():.6f}, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
