"""Chapter 41's ten minutes spent on two fine-tunings instead of one: does an ensemble or a soup beat the recipe?

For each seed, in one process and on the same split: the chapter's earlier recipe (`sentiment_fast.finetune`, the `cpu`
preset with `soup=1`: one fine-tuning of MiniLM for 500 s) stacked with NB-SVM as `run` does (a logistic regression on the validation
films); then two fine-tunings of 250 s each, from the same initial head (the recipe's seed) and with different orders of
batches and dropout (seed + 100), each with the whole warm-up and decay in its 250 s. Of the two, stacked with
NB-SVM the same way: the first alone, their log-odds averaged (an ensemble: two encoders at prediction time), and their
weights averaged (a uniform soup, Wortsman et al. 2022: one encoder, as cheap to use as the recipe's; the two are
`finetune`'s members 0 and 1 of a soup of 2, averaged by `average_weights`, as the chapter's `finetune_soup` does). Test accuracy of
each, the mean over seeds with Student's t 95% interval, and each one's difference from the recipe paired by seed.

    python bench/sentiment_soup.py [--quick] [--seeds N]
"""
import argparse, time
from dataclasses import replace

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from weekend_nb import sentiment_fast as sf
from weekend_nb.catsdogs import summarize
from weekend_nb.core import describe_device, setup_threads
from weekend_nb.sentiment import Batcher, _batched, get_transformer
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='tiny sizes and budgets: checks the script, not the claims')
p.add_argument('--seeds', type=int, default=3)
a = p.parse_args()
record('sentiment_soup', a.quick)
setup_threads()
CFG = replace(sf.TINY, budget_s=20) if a.quick else sf.CPU
data = sf.get_split(CFG)
va, te = data['valid'], data['test']
nb = sf.NBSVM(C=CFG.nbsvm_C, beta=CFG.nbsvm_beta).fit(data['train'].clean, data['train'].label)
nb_v, nb_t = nb.decision_function(va.clean), nb.decision_function(te.clean)
yv, yt = va.label.to_numpy(), te.label.to_numpy()
print(f"{len(data['train'])} train / {len(va)} valid / {len(te)} test snippets; {describe_device()}; "
      f"budget {CFG.budget_s:.0f} s for the recipe, {CFG.budget_s / 2:.0f} s for each of the two\n", flush=True)


BATCHER = Batcher(CFG.max_len, tokenizer=get_transformer('minilm', CFG.max_len)[0])


def log_odds(model: nn.Module, texts) -> np.ndarray:
    with torch.no_grad(): return _batched(lambda m, b: (lambda l: l[:, 1] - l[:, 0])(m(b)), model, BATCHER, list(texts))


def stacked(z_v: np.ndarray, z_t: np.ndarray) -> float:
    "Test accuracy of the chapter's stack: a logistic regression on (encoder log-odds, NB-SVM margin) fitted on the validation films."
    lr = LogisticRegression(C=1.0).fit(np.stack([z_v, nb_v], 1), yv)
    return float((lr.predict(np.stack([z_t, nb_t], 1)) == yt).mean())


rows = []
for seed in range(a.seeds):
    t = time.perf_counter()
    learn, _ = sf.finetune(replace(CFG, seed=seed, soup=1), data, quiet=True)
    recipe = learn.module.eval()
    z = {'recipe': (log_odds(recipe, va.text), log_odds(recipe, te.text))}
    secs = {'recipe': time.perf_counter() - t}
    del learn, recipe
    halves = []
    for k in (0, 1):
        t = time.perf_counter()
        halves.append(sf.finetune(replace(CFG, seed=seed, soup=2), data, quiet=True, member=k)[0].module.eval())
        z[f'half {k}'] = (log_odds(halves[-1], va.text), log_odds(halves[-1], te.text))
        secs[f'half {k}'] = time.perf_counter() - t
    z['ensemble'] = tuple((z['half 0'][i] + z['half 1'][i]) / 2 for i in (0, 1))
    t = time.perf_counter()
    m = sf.average_weights(halves)
    z['soup'] = (log_odds(m, va.text), log_odds(m, te.text))
    secs['ensemble'] = secs['half 0'] + secs['half 1']
    secs['soup'] = secs['ensemble'] + time.perf_counter() - t
    names = {'recipe': f"the chapter's recipe (one fine-tuning, {CFG.budget_s:.0f} s)",
             'half 0': f'the first of the two alone ({CFG.budget_s / 2:.0f} s)',
             'ensemble': 'the two, log-odds averaged (ensemble)', 'soup': 'the two, weights averaged (soup)'}
    for k, name in names.items():
        rows.append(dict(method=name, per_class=0, seed=seed, accuracy=stacked(*z[k]), encoder=float(((z[k][1] > 0) == yt).mean()), seconds=secs[k]))
        print(f"seed {seed}  {name:48s} stacked {rows[-1]['accuracy']:.4f}  encoder alone {rows[-1]['encoder']:.4f}  ({secs[k]:.0f} s)", flush=True)

df = pd.DataFrame(rows)
recipe = df[df.method == names['recipe']][['seed', 'accuracy']]
paired = df.merge(recipe, on='seed', suffixes=('', '_recipe')).eval('accuracy = accuracy - accuracy_recipe')
acc, diff = (summarize(d.assign(accuracy=d.accuracy * 100)).set_index('method') for d in (df, paired))
out = [{'stacked with NB-SVM': m, 'test accuracy, %: mean [95% interval]': f"{acc.loc[m, 'mean']:.2f} [{acc.loc[m].lo:.2f}, {acc.loc[m].hi:.2f}]",
        'seeds': ' / '.join(f"{x * 100:.2f}" for x in g.accuracy), 'encoder alone, mean': f"{g.encoder.mean() * 100:.2f}",
        'minus the recipe, paired': '' if m == names['recipe'] else f"{diff.loc[m, 'mean']:+.2f} [{diff.loc[m].lo:+.2f}, {diff.loc[m].hi:+.2f}]"}
       for m, g in df.groupby('method', sort=False)]
print('\n' + pd.DataFrame(out).to_string(index=False))
