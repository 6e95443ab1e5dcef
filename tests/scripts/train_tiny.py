"""A tiny, seeded training run through the Learner, for the resume and multi-process tests.

python train_tiny.py OUT.pt [--ckpt CK.pt] [--sleep S] [--epochs N] [--device cpu|cuda]
Saves the final weights to OUT.pt (process 0) and prints one line of JSON about the run.
"""
import argparse, json, os, time

import torch
from torch import nn

from weekend_nb.core import set_seed
from weekend_nb.datasets import synthetic_classification
from weekend_nb.learner import Callback, CheckpointCB, Learner, accuracy, get_dls, rank

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--ckpt')
p.add_argument('--sleep', type=float, default=0.0, help='seconds per step, to leave time for a kill')
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--device', default='cpu', help="'cuda' under torchrun: NCCL, one GPU per process")
a = p.parse_args()

class Slow(Callback):
    def after_batch(self, learn): time.sleep(a.sleep)

set_seed(0)
ds = synthetic_classification(1024, n_classes=4)
train, valid = torch.utils.data.random_split(ds, [768, 256], generator=torch.Generator().manual_seed(0))
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 4))
cbs = [Slow()] + ([CheckpointCB(a.ckpt, every=4)] if a.ckpt else [])
learn = Learner(model, get_dls(train, valid, bs=32), nn.functional.cross_entropy, lr=3e-3,
                metrics={'accuracy': accuracy}, cbs=cbs, device=a.device)
start = 0
if a.ckpt and os.path.exists(a.ckpt): start = torch.load(a.ckpt, weights_only=True)['step']
learn.fit(a.epochs, resume=a.ckpt)
params = torch.nn.utils.parameters_to_vector(learn.module.parameters()).detach()
if rank() == 0: torch.save(learn.module.state_dict(), a.out)
print(json.dumps(dict(rank=rank(), world=int(os.environ.get('WORLD_SIZE', 1)), resumed_from=start, steps=learn.step_count,
                      accuracy=learn.history[-1]['accuracy'], train_loss=[h['train_loss'] for h in learn.history],
                      checksum=params.sum().item(), device=str(learn.device))), flush=True)
