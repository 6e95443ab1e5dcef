"""How much does the Learner cost over the plain loop? Same model, data, seed and number of steps.

python bench/learner_overhead.py [--epochs 3] [--repeats 3] [--quick]
Prints samples/s of the plain `fit` loop and of the `Learner` (with its progress bar, recorder and
metrics; labels are random, since only speed is measured), and their ratio. Target on CPU: the Learner keeps >= 95% of the plain loop's throughput.
Runs alternate (plain, learner, plain, ...) and the median of each is reported, so that drift in the
machine's speed does not favour either side.
"""
import argparse, statistics

import torch
from torch import nn

from weekend_nb.core import Timer, describe_device, set_seed, setup_threads
from weekend_nb.learner import Learner, accuracy, fit, get_dls
from _record import record

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--repeats', type=int, default=3)
p.add_argument('--n', type=int, default=10_000, help='training samples')
p.add_argument('--quick', action='store_true', help='seconds, not minutes: 2,000 samples, 1 epoch, 1 repeat')
a = p.parse_args()
record('learner_overhead', getattr(a, 'quick', False))  # what follows is also written to bench/results/learner_overhead.txt
if a.quick: a.n, a.epochs, a.repeats = 2000, 1, 1
setup_threads()

# MNIST-sized inputs and the chapter 20 MLP, batch 64 as in the course
g = torch.Generator().manual_seed(0)
x, y = torch.randn(a.n + 2000, 784, generator=g), torch.randint(0, 10, (a.n + 2000,), generator=g)
train, valid = torch.utils.data.TensorDataset(x[:a.n], y[:a.n]), torch.utils.data.TensorDataset(x[a.n:], y[a.n:])
mk = lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
loss_fn, metrics = nn.functional.cross_entropy, {'accuracy': accuracy}


def plain():
    set_seed(0); model = mk()
    with Timer() as t: fit(model, get_dls(train, valid, bs=64), loss_fn, torch.optim.Adam(model.parameters(), 1e-3), a.epochs, 'cpu', metrics)
    return a.epochs * a.n / t.elapsed


def learner():
    set_seed(0)
    learn = Learner(mk(), get_dls(train, valid, bs=64), loss_fn, lr=1e-3, opt_func=torch.optim.Adam, metrics=metrics, device='cpu')  # with its progress bar
    with Timer() as t: learn.fit(a.epochs)
    return a.epochs * a.n / t.elapsed


plain(); learner()  # warm-up, not counted: first calls pay for allocations and lazy initialisation
runs = {'plain': [], 'learner': []}
for _ in range(a.repeats):
    runs['plain'].append(plain()); runs['learner'].append(learner())
med = {k: statistics.median(v) for k, v in runs.items()}
print(f"device: {describe_device('cpu')}; {a.n} samples x {a.epochs} epochs, batch 64, MLP 784-128-64-10, {a.repeats} repeats")
for k, v in runs.items(): print(f"{k:>8}: {med[k]:9.0f} samples/s (runs: {', '.join(f'{r:.0f}' for r in v)})")
print(f"   ratio: {med['learner'] / med['plain']:.3f} (learner / plain; target >= 0.95)")
