"""Our digits CNN (Learner, the chapter's config) against a reference script in the style of
pytorch/examples' mnist (its own loop, its Net and default hyperparameters: Adadelta lr 1.0,
StepLR gamma 0.7, batch 64, dropout), on the same data split and the same wall-clock budget.

python bench/digits_vs_reference.py [--budget SECONDS] [--quick]
Each side trains whole epochs until the next one would not fit in the budget (and at most the
chapter's 20 epochs / the example's 14), then is tested on the same held-out test split.
"""
import argparse, time

import torch
import torch.nn.functional as F
from torch import nn

from weekend_nb.core import describe_device, set_seed, setup_threads
from weekend_nb.digits import CPU, get_data, train
from weekend_nb.datasets import load_mnist
from weekend_nb.learner import Callback, CancelFit
from _record import record

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--budget', type=float, default=150, help='training seconds allowed to each side')
p.add_argument('--quick', action='store_true', help='a 15 s budget each: checks the script, not the claim')
a = p.parse_args()
record('digits_vs_reference', getattr(a, 'quick', False))  # what follows is also written to bench/results/digits_vs_reference.txt
if a.quick: a.budget = 15
setup_threads()
mn = load_mnist()
data = get_data(CPU, mn)
(xtr, ytr), (xte, yte) = data['train'].tensors, data['test'].tensors


# ---- the reference: pytorch/examples mnist/main.py, as written there ----
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def reference(budget, max_epochs=14):
    set_seed(1)
    model = Net()
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=64, shuffle=True)
    t0, last, epochs = time.perf_counter(), 0.0, 0
    while epochs < max_epochs and time.perf_counter() - t0 + last <= budget:
        e0 = time.perf_counter()
        model.train()
        for x, y in dl:
            opt.zero_grad()
            loss = F.nll_loss(model(x), y)
            loss.backward()
            opt.step()
        sched.step()
        epochs, last = epochs + 1, time.perf_counter() - e0
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad(): acc = (model(xte).argmax(1) == yte).float().mean().item()
    return acc, epochs, seconds


# ---- ours: the chapter's train(), stopped by a callback when the budget is spent ----
class Budget(Callback):
    def __init__(self, seconds): self.seconds = seconds
    def before_fit(self, learn): self.t0 = time.perf_counter()
    def before_epoch(self, learn): self.e0 = time.perf_counter()
    def after_epoch(self, learn):
        now = time.perf_counter()
        if now - self.t0 + (now - self.e0) > self.seconds: raise CancelFit


def ours(budget):
    learn, res = train(CPU, data, cbs=[Budget(budget)], quiet=True)
    return res['test_accuracy'], len(learn.history), res['seconds']


print(f"data: {mn.source}, {len(xtr)} train / {len(xte)} test; device: {describe_device()}; budget {a.budget:.0f} s each")
rows = {}
for name, f in [('reference (pytorch/examples style)', reference), ('weekend_nb digits CNN', ours)]:
    acc, epochs, seconds = f(a.budget)
    rows[name] = acc
    print(f"{name:<36} test accuracy {acc:.4f}  epochs {epochs:>2}  train {seconds:5.0f} s  {epochs * len(xtr) / seconds:7.0f} samples/s")
ref, our = rows.values()
print(f"ours - reference: {100 * (our - ref):+.2f} points ({'at least as accurate' if our >= ref else 'LESS accurate'})")
