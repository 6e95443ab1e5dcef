"""Chapter 99's key table on this machine: training throughput of chapter 20's digits CNN and chapter 50's tiny GPT
against batch size and threads, bf16 autocast and torch.compile against fp32 eager (compile time shown apart), and the
scaling efficiency of two data-parallel processes (torchrun, DDP over gloo) against one, on real Shakespeare.

The reference points are published, not re-run (they need an A100): nanoGPT's torch.compile took a 124M-parameter
GPT from 250 to 135 ms per iteration. Here every number comes from this run; compare them as ratios, with
the machine idle.

    python bench/scale.py [--quick]     # --quick: two batch sizes, one thread count, fewer steps (<= 3 minutes on 2 cores)
"""
import argparse, time
from dataclasses import replace

from weekend_nb.core import describe_device, format_results
from weekend_nb.scale import CPU, run
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='two batch sizes, fewer steps: the table in under 3 minutes')
a = p.parse_args()
record('scale', getattr(a, 'quick', False))  # what follows is also written to bench/results/scale.txt
cfg = replace(CPU, batch_sizes=(16, 64), steps=5, warmup=2, ddp_steps=40) if a.quick else CPU
t = time.perf_counter()
res = run('cpu', 'runs/bench_scale', cfg=cfg)
print(f"{describe_device()}; {time.perf_counter() - t:.0f} s\n")
print(format_results(res))
