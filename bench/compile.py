"""Does torch.compile make chapter 99's workloads faster on this CPU? Eager fp32 and compiled fp32, alternating, several
repeats of each in one process, on the same batch (chapter 50's tiny GPT at batch 64, chapter 20's digits CNN at
batch 64): steps per second after warm-up, the ratio of each compiled run to the eager run next to it, and the median
ratio. The compile time (the first step) is reported apart. Chapter 99 once claimed 1.51x for the GPT from a single
pair of runs while its own sweep measured 0.88x: this is the measurement with repeats.

    python bench/compile.py [--repeats 3] [--steps 30] [--quick]
"""
import argparse, statistics, time

from weekend_nb.core import describe_device, setup_threads
from weekend_nb.scale import time_training
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--repeats', type=int, default=3)
p.add_argument('--steps', type=int, default=30, help='timed steps per run, after 5 warm-up steps')
p.add_argument('--quick', action='store_true', help='one repeat of 5 steps: checks the script, not the claim')
a = p.parse_args()
record('compile', a.quick)
if a.quick: a.repeats, a.steps = 1, 5
setup_threads()
print(f"{describe_device()}; {a.repeats} repeats of {a.steps} steps each, eager and compiled alternating\n")
t0 = time.perf_counter()
for name in ('tiny_gpt', 'digits_cnn'):
    ratios = []
    for r in range(a.repeats):
        e = time_training(name, 64, 'cpu', steps=a.steps, warmup=5)
        c = time_training(name, 64, 'cpu', compile=True, steps=a.steps, warmup=5)
        ratios.append(c['items_per_s'] / e['items_per_s'])
        print(f"{name:>10} run {r + 1}: eager {e['items_per_s']:9,.0f} items/s, compiled {c['items_per_s']:9,.0f} items/s "
              f"(first step {c['first_step_s']:.1f} s): {ratios[-1]:.2f}x", flush=True)
    print(f"{name:>10}: compiled / eager, median {statistics.median(ratios):.2f}x (runs: {', '.join(f'{x:.2f}' for x in ratios)})\n")
print(f"{time.perf_counter() - t0:.0f} s")
