#!/usr/bin/env bash
# Side-by-side matmul timings: `jgpt bench kernels` and PyTorch (bench_torch.py), alternated
# ROUNDS times so both see the same machine load; prints per-shape medians over the rounds and
# the jgpt/torch ratio. Needs python3-torch and libopenblas0-openmp (see bench_torch.py).
#   kernels/scripts/compare_torch.sh [ROUNDS] [JGPT_COMMAND...]
# JGPT_COMMAND defaults to ./jgpt; give e.g. "java --add-modules jdk.incubator.vector -cp CP dev.jgpt.cli.Main".
set -euo pipefail
rounds=${1:-5}
shift || true
jgpt=("${@:-./jgpt}")
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
for r in $(seq "$rounds"); do
  "${jgpt[@]}" bench kernels --repeat 30 > "$out/jgpt.$r" 2>/dev/null
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} \
    /usr/bin/python3 "$here/bench_torch.py" --repeat 30 > "$out/torch.$r" 2>/dev/null
  echo "round $r done" >&2
done
python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
def rows(path, jgpt):
    res = {}
    for line in open(path):
        m = re.match(r"(\S+(?: small)?)\s+(\d+ x \d+ -> \d+)\s+(.*)", line)
        if not m: continue
        f = m.group(3).replace('%', '').split()
        # jgpt: fwd ms, GF, %, bwd ms, GF, %   torch: fwd ms, GF, bwd ms, GF
        res[m.group(2)] = (float(f[1]), float(f[4])) if jgpt else (float(f[1]), float(f[3]))
    return res
def peak(path):
    for line in open(path):
        m = re.search(r"FP32 peak .*: ([\d.]+) GFLOP/s", line)
        if m: return float(m.group(1))
js = [rows(f"{d}/jgpt.{r}", True) for r in range(1, rounds + 1)]
ts = [rows(f"{d}/torch.{r}", False) for r in range(1, rounds + 1)]
pk = statistics.median(peak(f"{d}/jgpt.{r}") for r in range(1, rounds + 1))
print(f"peak (median of {rounds} runs): {pk:.1f} GFLOP/s; GFLOP/s medians over {rounds} alternated runs")
print(f"{'shape':20s} {'jgpt fwd':>9s} {'%peak':>6s} {'torch fwd':>9s} {'ratio':>6s} {'jgpt bwd':>9s} {'%peak':>6s} {'torch bwd':>9s} {'ratio':>6s}")
for shape in js[0]:
    jf = statistics.median(j[shape][0] for j in js); jb = statistics.median(j[shape][1] for j in js)
    tf = statistics.median(t[shape][0] for t in ts); tb = statistics.median(t[shape][1] for t in ts)
    rf = statistics.median(j[shape][0] / t[shape][0] for j, t in zip(js, ts))
    rb = statistics.median(j[shape][1] / t[shape][1] for j, t in zip(js, ts))
    print(f"{shape:20s} {jf:9.1f} {100*jf/pk:5.0f}% {tf:9.1f} {rf:6.2f} {jb:9.1f} {100*jb/pk:5.0f}% {tb:9.1f} {rb:6.2f}")
PY
echo "raw outputs: $out" >&2
