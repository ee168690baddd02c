#!/usr/bin/env python3
"""PyTorch side of the kernel comparison: matmul forward and backward at the shapes
`jgpt bench kernels` uses, with the same semantics (forward = addmm with bias, backward
accumulates into dinp, dweight, dbias), preallocated outputs, medians over --repeat calls.

Run on Debian's PyTorch 1.13 with OpenBLAS (OpenMP build) on 2 threads:
  sudo apt-get install -y python3-torch libopenblas0-openmp
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 \
    /usr/bin/python3 kernels/scripts/bench_torch.py
"""
import argparse
import statistics
import time

import torch

SHAPES = [  # (model, rows, C, OC): inp (rows, C) @ weight (OC, C)^T
    ("nanoGPT-CPU", 768, 128, 128),
    ("nanoGPT-CPU", 768, 128, 384),
    ("nanoGPT-CPU", 768, 128, 512),
    ("GPT-2 small", 1024, 768, 768),
    ("GPT-2 small", 1024, 768, 2304),
    ("GPT-2 small", 1024, 768, 3072),
]


def median_seconds(fn, repeat, warmup_seconds=0.3):
    start = time.perf_counter()
    calls = 0
    while calls < 5 or time.perf_counter() - start < warmup_seconds:
        fn()
        calls += 1
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30, help="timed calls per kernel (median reported)")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = leave as OMP_NUM_THREADS)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: "
          f"{'openblas' if 'openblas' in torch.__config__.show().lower() else 'see torch.__config__.show()'}")
    n = 2048
    a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
    t = median_seconds(lambda: torch.mm(a, b, out=c), max(5, args.repeat // 3))
    print(f"square {n}x{n} mm: {2 * n ** 3 / t / 1e9:.1f} GFLOP/s")
    print(f"{'matmul':12s} {'rows x C -> OC':18s} {'fwd ms':>9s} {'GFLOP/s':>9s} {'bwd ms':>9s} {'GFLOP/s':>9s}")
    with torch.no_grad():
        for model, rows, C, OC in SHAPES:
            x, w, bias = torch.randn(rows, C), torch.randn(OC, C) * 0.02, torch.randn(OC) * 0.02
            out, dout = torch.empty(rows, OC), torch.randn(rows, OC)
            dx, dw, db = torch.zeros(rows, C), torch.zeros(OC, C), torch.zeros(OC)
            wt = w.t()

            def forward():
                torch.addmm(bias, x, wt, out=out)

            def backward():
                dx.addmm_(dout, w)
                dw.addmm_(dout.t(), x)
                db.add_(dout.sum(0))

            flops = 2.0 * rows * C * OC
            f = median_seconds(forward, args.repeat)
            bwd = median_seconds(backward, args.repeat)
            print(f"{model:12s} {f'{rows} x {C} -> {OC}':18s} {f * 1e3:9.3f} {flops / f / 1e9:9.1f} "
                  f"{bwd * 1e3:9.3f} {2 * flops / bwd / 1e9:9.1f}")


if __name__ == "__main__":
    main()
