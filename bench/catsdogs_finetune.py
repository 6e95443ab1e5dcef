"""Chapter 30's fine-tuning recipe taken apart: each of its choices, and each one tried against it, measured one change at
a time on the same labelled subsets, seeds and test images, beside the chapter's cross-validated linear probe.

The recipe (`catsdogs.finetune`, the `cpu` preset): EfficientNet-Lite0 at 96 px with a new head, AdamW peaking at 3e-4
on the 1cycle schedule with the head at 10x, batch norms kept at their ImageNet statistics, batches of 32, at least
120 steps, shifts of up to 6 px and flips (`ShiftFlip`). Each variant changes one thing:
- no augmentation (`pad=0`);
- the head at the body's rate (1x instead of 10x): are discriminative rates worth it?
- LP-FT: the head starts from the cross-validated probe fitted on the subset's own 96-px features (a warm-up with the
  body frozen, run to convergence), then everything is fine-tuned as in the recipe;
- layer-wise rates: each of the backbone's stages at 0.8x the rate of the stage above it (the stem at 0.17x);
- the stem and the first 5 blocks frozen (the first three stages);
- twice the steps (240 in the `cpu` preset);
- 128 px instead of 96 (the size the probe often chooses; 1.8x the pixels);
- the weights averaged over the last steps (chapter 02's `EMACB`, decay 0.9);
- a second fine-tuning, another initial head and order of batches (`seed + 100`, the same labelled images);
- test-time augmentation: the recipe's own models, each test image scored as itself and flipped, probabilities
  averaged (no training);
- ensembles (no training): the recipe's test probabilities averaged with the probe's, and with the second
  fine-tuning's (the cost of two fine-tunings).
For each budget (50 and 200 labels per class) and seed (0, 1, 2): the test accuracy of every variant; then the mean
over seeds with Student's t 95% interval, and each variant's difference from the recipe, paired by seed (the same
labelled images and the same initial head), with its t interval. With 3 seeds an interval is wide: a difference
inside it is not shown to be one. The harness's own copy of the recipe is checked to reproduce `catsdogs.finetune`
exactly (the same test probabilities) before anything else runs.

    python bench/catsdogs_finetune.py [--quick] [--variants NAME,NAME] [--out NAME]
"""
import argparse, time
from dataclasses import replace

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from weekend_nb import catsdogs as cd
from weekend_nb.core import describe_device, set_seed, setup_threads
from weekend_nb.learner import EMACB, Learner, get_dls
from weekend_nb.pretrained import LITE0_STAGES, load_classifier
from _record import record

VARIANTS = {  # name: the change to `train`'s defaults (the recipe)
    "the chapter's recipe": {},
    'no augmentation': dict(pad=0),
    "head at the body's rate (1x)": dict(head_mult=1),
    'LP-FT (head from the probe)': dict(lp_init=True),
    'layer-wise rates (0.8x a stage)': dict(layer_decay=0.8),
    'stem + first 5 blocks frozen': dict(freeze=5),
    'twice the steps': dict(steps_mult=2),
    '128 px': dict(size=128),
    'weights averaged (EMA 0.9)': dict(ema=0.9),
    'a second fine-tuning (seed + 100)': dict(seed_offset=100),
}
TTA = "the recipe + flip at test time"
WITH_PROBE, TWO = 'the recipe and the probe, averaged', 'the recipe and the second fine-tuning, averaged'

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='tiny sizes and budgets: checks the script, not the claims')
p.add_argument('--variants', default=','.join(VARIANTS), help='comma-separated names of VARIANTS to run (the recipe always runs)')
p.add_argument('--out', default='catsdogs_finetune', help='the results file: bench/results/OUT.txt')
a = p.parse_args()
chosen = ["the chapter's recipe", *[v for v in a.variants.split(',') if v and v != "the chapter's recipe"]]
if unknown := set(chosen) - set(VARIANTS): p.error(f"unknown variants {sorted(unknown)}; choose from {list(VARIANTS)}")
record(a.out, a.quick)
setup_threads()

CFG = cd.TINY if a.quick else cd.CPU
BUDGETS = CFG.budgets if a.quick else (50, 200)
pair, pre = cd.load_pair(CFG.data), load_classifier(CFG.backbone)
te = cd.subset(pair.yte, CFG.n_test, CFG.seeds[0])
xte, yte = pair.xte[te], pair.yte[te].numpy()
print(f"{pair.source}: {pair.classes[0]} vs {pair.classes[1]}, {len(te):,} test images; backbone {pre.source}, {CFG.size} px; "
      f"budgets {BUDGETS} labels per class, seeds {CFG.seeds}; {describe_device()}\n", flush=True)


def rate_groups(model: cd.FineTuned, lr: float, head_mult: float, layer_decay: float | None) -> list[dict]:
    "AdamW's parameter groups: the new head at `head_mult` x `lr`; the body at `lr`, or, with `layer_decay`, each stage at that times the rate of the stage above."
    if layer_decay is None: return [dict(params=model.body.parameters(), lr=lr), dict(params=model.head.parameters(), lr=lr * head_mult)]
    b, ends = model.body, np.cumsum([n for n, *_ in LITE0_STAGES])
    stages = [b.head, *[b.blocks[s:e] for s, e in zip([0, *ends[:-1]], ends)][::-1], b.stem]  # top first
    # body first: the Learner's 1cycle schedule peaks each group at `lr` times its rate relative to the first group's
    return [*[dict(params=m.parameters(), lr=lr * layer_decay ** k) for k, m in enumerate(stages)], dict(params=model.head.parameters(), lr=lr * head_mult)]


def probe_head(model: cd.FineTuned, x: torch.Tensor, y: torch.Tensor, size: int):
    "LP-FT's start: the head set to the cross-validated probe on these images' 96-px features, its scaler folded into the weights."
    _, clf = cd.linear_probe(cd.extract_features(pre, x, size)['last'], y, torch.zeros(1, model.head.in_features))
    sc, lr = clf[0], clf[-1]
    w = torch.tensor(lr.coef_[0] / sc.scale_, dtype=torch.float32)
    b = float(lr.intercept_[0] - (lr.coef_[0] * sc.mean_ / sc.scale_).sum())
    with torch.no_grad():  # softmax over (-z/2, z/2) is the probe's sigmoid(z)
        model.head.weight.copy_(torch.stack([-w / 2, w / 2])); model.head.bias.copy_(torch.tensor([-b / 2, b / 2]))


def train(x, y, cfg, pad=None, head_mult=10, lp_init=False, layer_decay=None, freeze=0, steps_mult=1, size=None, ema=None,
          seed_offset=0) -> cd.FineTuned:
    "`catsdogs.finetune` written out, with one of its choices changed; with the defaults it is the recipe (checked below)."
    cfg = replace(cfg, size=size or cfg.size, seed=cfg.seed + seed_offset)
    set_seed(cfg.seed)
    model = cd.FineTuned(pre, pad=cfg.size // 16 if pad is None else pad).to(memory_format=torch.channels_last)
    if lp_init: probe_head(model, x, y, cfg.size)
    if freeze: model.body.stem.requires_grad_(False); model.body.blocks[:freeze].requires_grad_(False)
    dls = get_dls(torch.utils.data.TensorDataset(cd.to_input(x, cfg.size), y), bs=cfg.ft_bs, seed=cfg.seed)
    groups = rate_groups(model, cfg.ft_lr, head_mult, layer_decay)
    learn = Learner(model, dls, F.cross_entropy, lr=cfg.ft_lr, opt_func=lambda _, lr, weight_decay: torch.optim.AdamW(groups, lr=lr),
                    one_cycle=True, seed=cfg.seed, progress=False, cbs=[EMACB(ema)] if ema else [])
    learn.fit(cd._epochs(len(x), cfg.finetune_epochs, cfg.ft_min_steps * steps_mult, cfg.ft_bs))
    return learn.module.eval()


def test_probs(model, flip: bool = False, size: int = CFG.size) -> np.ndarray:
    x = cd.to_input(xte, size)
    p = cd.predict_logits(model, x).softmax(1)[:, 1]
    if flip: p = (p + cd.predict_logits(model, x.flip(-1)).softmax(1)[:, 1]) / 2
    return p.numpy()


# the harness's recipe is the chapter's: the same test probabilities, on the smallest budget's first seed
i = cd.subset(pair.ytr, BUDGETS[0], CFG.seeds[0])
c0 = replace(CFG, seed=CFG.seeds[0])
t = time.perf_counter()
first = train(pair.xtr[i], pair.ytr[i], c0)
trained = {(BUDGETS[0], c0.seed, "the chapter's recipe"): (first, time.perf_counter() - t)}  # used again below
ours, chapter = test_probs(first), test_probs(cd.finetune(pre, pair.xtr[i], pair.ytr[i], c0, quiet=True))
assert np.allclose(ours, chapter, atol=1e-5), f"the harness's recipe differs from catsdogs.finetune by {np.abs(ours - chapter).max():.2e}"
print(f"check: the harness's recipe reproduces catsdogs.finetune (largest difference in a test probability {np.abs(ours - chapter).max():.1e})\n", flush=True)

# the probe as the chapter runs it: its features at each of the preset's sizes, for the labelled images of every budget and seed
used, probe_feats, rows = torch.cat([cd.subset(pair.ytr, b, s) for b in BUDGETS for s in CFG.seeds]), {}, []
for s in CFG.probe_sizes:
    ftr, fte = cd._features_of(pre, pair.xtr, used, s, None), cd.extract_features(pre, xte, s)
    probe_feats.update({(s, k): (ftr[k], fte[k]) for k in CFG.probe_features})
for b in BUDGETS:
    for seed in CFG.seeds:
        i, cfg = cd.subset(pair.ytr, b, seed), replace(CFG, seed=seed)
        t = time.perf_counter()
        p_probe, choice = cd.probe_best(probe_feats, i, pair.ytr[i])
        rows.append(dict(variant='linear probe (size, features, C by CV)', per_class=b, seed=seed, accuracy=((p_probe > 0.5) == yte).mean(),
                         seconds=time.perf_counter() - t))
        probs, spent = {}, {}  # variant: test probabilities and seconds of training, for the ensembles
        print(f"{b:4d}/class seed {seed}  {rows[-1]['variant']:42s} {rows[-1]['accuracy']:.4f}  ({choice[0]} px, {choice[1]})", flush=True)
        for name in chosen:
            if (b, seed, name) in trained: model, secs = trained.pop((b, seed, name))
            else:
                t = time.perf_counter()
                model = train(pair.xtr[i], pair.ytr[i], cfg, **VARIANTS[name])
                secs = time.perf_counter() - t
            probs[name], spent[name] = test_probs(model, size=VARIANTS[name].get('size', CFG.size)), secs
            runs = [(name, probs[name], secs)]
            if name == "the chapter's recipe": runs += [(TTA, test_probs(model, flip=True), secs), (WITH_PROBE, (probs[name] + p_probe) / 2, secs)]
            if name == 'a second fine-tuning (seed + 100)': runs.append((TWO, (probs[name] + probs["the chapter's recipe"]) / 2, secs + spent["the chapter's recipe"]))
            for n, p, secs in runs:
                rows.append(dict(variant=n, per_class=b, seed=seed, accuracy=((p > 0.5) == yte).mean(), seconds=secs))
                print(f"{b:4d}/class seed {seed}  {n:42s} {rows[-1]['accuracy']:.4f}  ({secs:.0f} s of training)", flush=True)

df = pd.DataFrame(rows).rename(columns={'variant': 'method'})
recipe = df[df.method == "the chapter's recipe"][['per_class', 'seed', 'accuracy']]
paired = df.merge(recipe, on=['per_class', 'seed'], suffixes=('', '_recipe')).eval('accuracy = accuracy - accuracy_recipe')
acc, diff = (cd.summarize(d.assign(accuracy=d.accuracy * 100)).set_index(['method', 'per_class']) for d in (df, paired))  # in %
out = []
for (v, b), g in df.groupby(['method', 'per_class'], sort=False):  # in the order they ran
    a, d = acc.loc[(v, b)], diff.loc[(v, b)]
    out.append({'per class': b, 'variant': v, 'test accuracy, %: mean [95% interval]': f"{a['mean']:.1f} [{a.lo:.1f}, {a.hi:.1f}]",
                'seeds': ' / '.join(f"{x * 100:.2f}" for x in g.accuracy),
                'minus the recipe, paired': '' if v == "the chapter's recipe" else f"{d['mean']:+.2f} [{d.lo:+.2f}, {d.hi:+.2f}]",
                'seconds': f"{g.seconds.mean():.0f}"})
print('\n' + pd.DataFrame(out).sort_values('per class', kind='stable').to_string(index=False))
