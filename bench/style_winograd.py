"""Chapter 70's `cpu` preset (the `china` photo as The Starry Night, 256x383 px, 200 L-BFGS iterations) with PyTorch's
convolutions everywhere (`winograd_from=None`, the chapter until it had Winograd's) and with Winograd's F(4x4, 3x3)
from 128 input channels on (`winograd_from=128`, the preset now), one after the other in one process, on the same
weights and images. For each: wall time, seconds per iteration, the final loss and its two parts; both results scored
again with PyTorch's convolutions (the distances `bench/vision.py` uses, so the approximation does not score itself);
the largest pixel difference between the two pictures; and when the Winograd run reaches the other's final loss.
Then one iteration each way, alternating, 15 times, so that a slower minute of this shared machine hits both: the
median and quartiles of each, and the median of the 15 paired ratios, the speed-up that does not depend on when each
long run happened to run.

    python bench/style_winograd.py [--quick]
"""
import argparse, time
from dataclasses import replace

import numpy as np
import torch

from weekend_nb import style
from weekend_nb.core import describe_device, setup_threads
from weekend_nb.pretrained import load_vgg19
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='64 px and 10 iterations: checks the script, not the claims')
a = p.parse_args()
record('style_winograd', a.quick)
setup_threads()
t_all = time.perf_counter()
cfg = replace(style.CPU, size=64, steps=10) if a.quick else style.CPU
vgg = load_vgg19()
print(f"{cfg.content} x {cfg.style}, {cfg.size} px on the shorter side, {cfg.steps} L-BFGS iterations; VGG19 {vgg.source}; {describe_device()}\n")

runs = {}
for name, w in (("PyTorch's convolutions", None), ("Winograd's from 128 channels", 128)):
    hist = []
    t = time.perf_counter()
    img = style.stylize(cfg=replace(cfg, winograd_from=w), vgg=vgg, history=hist)
    runs[name] = dict(img=img, hist=hist, wall=time.perf_counter() - t)

exact = style.VGGFeatures(vgg, (cfg.content_layer, *cfg.style_layers))  # PyTorch's convolutions: the referee
photo, painting = style.load_picture(cfg.content, cfg.size)[None], style.load_picture(cfg.style, cfg.size)[None]
with torch.no_grad():
    p_feat = exact(photo)[cfg.content_layer]
    grams = {l: style.gram(f) for l, f in exact(painting).items() if l in cfg.style_layers}
for name, r in runs.items():
    h = r['hist']
    with torch.no_grad(): f = exact(r['img'][None])
    c, s = style.content_loss(f[cfg.content_layer], p_feat).item(), style.style_loss(f, grams).item()
    print(f"{name:>28}: {len(h)} iterations in {r['wall']:.0f} s ({h[-1]['s'] / len(h):.3f} s each); loss {h[0]['loss']:.3f} -> {h[-1]['loss']:.4f} "
          f"({h[0]['loss'] / h[-1]['loss']:.2f}x lower), style {h[-1]['style']:.4f}, content {h[-1]['content']:.3f}; "
          f"the clamped result scored with PyTorch's convolutions: style distance {s:.4f}, content distance {c:.3f}")
(ha, ra), (hb, rb) = [(r['hist'], r) for r in runs.values()]
print(f"\nlargest pixel difference between the two results: {(ra['img'] - rb['img']).abs().max().item():.3f} (pixels in [0, 1]), "
      f"mean {(ra['img'] - rb['img']).abs().mean().item():.4f}")
target = ha[-1]['loss']
reached = next((r for r in hb if r['loss'] <= target), None)
print(f"Winograd's run reaches the other's final loss ({target:.4f}) " +
      (f"at iteration {reached['step'] + 1}, after {reached['s']:.0f} s" if reached else f"not within its {len(hb)} iterations (it ends at {hb[-1]['loss']:.4f})"))
print(f"speed-up of the whole runs: {ra['wall'] / rb['wall']:.2f}x")

# one iteration each way, alternating
c0 = photo
feats = {w: style.use_winograd(style.VGGFeatures(vgg, (cfg.content_layer, *cfg.style_layers)), w) for w in (None, 128)}
def iteration(fe):
    x = c0.clone().requires_grad_(True)
    o = fe(x)
    (style.content_loss(o[cfg.content_layer], p_feat) + cfg.style_weight * style.style_loss(o, grams)).backward()
times = {w: [] for w in feats}
for w, fe in feats.items(): iteration(fe)  # warm-up
for _ in range(3 if a.quick else 15):
    for w, fe in feats.items():
        t = time.perf_counter(); iteration(fe); times[w].append(time.perf_counter() - t)
q = {w: np.quantile(v, [0.25, 0.5, 0.75]) for w, v in times.items()}
ratio = np.median(np.array(times[None]) / np.array(times[128]))
print(f"one iteration, {len(times[None])} times each way, alternating: PyTorch's convolutions median {q[None][1]:.3f} s "
      f"(quartiles {q[None][0]:.3f}-{q[None][2]:.3f}), Winograd's {q[128][1]:.3f} s ({q[128][0]:.3f}-{q[128][2]:.3f}); "
      f"median of the paired ratios {ratio:.2f}x")
print('each: ' + ', '.join(f'{t:.2f}' for t in times[None]) + ' / ' + ', '.join(f'{t:.2f}' for t in times[128]))
print(f"\nwall time of this benchmark: {time.perf_counter() - t_all:.0f} s")
