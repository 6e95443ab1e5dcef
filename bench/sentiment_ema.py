"""Which weights of chapter 41's fine-tuning to stack with NB-SVM: the last ones, their moving averages, snapshots at the
ends of epochs, or frozen MiniLM features as a third input? One fine-tuning run per seed (`sentiment_fast.CPU`, 500 s)
scores every candidate on the validation and test snippets; then each combination is stacked as chapter 41 does it
(a logistic regression fitted on the validation films) and scored on the test films, so all are compared on the same
runs. The averages here start at the initial weights without bias correction (`EMACB` corrects it; after ~800 steps
the initial weights' share is 0.99**800 = 3e-4) and their upkeep counts in the 500 s budget. This is what made
`FastConfig.ema = 0.99` the chapter's default.

    python bench/sentiment_ema.py SEED      # one run (about 11 min on 2 cores): /tmp/p41/seedSEED.npz
    python bench/sentiment_ema.py summary   # the table over the seeds run
"""
import sys, time, numpy as np, torch
if sys.argv[1] == 'summary':
    import glob
    from sklearn.linear_model import LogisticRegression
    res = {}
    for f in sorted(glob.glob('/tmp/p41/seed*.npz')):
        d = dict(np.load(f, allow_pickle=True))
        combos = [('final',), ('final','nb'), ('ema0.99','nb'), ('ema0.998','nb'), ('final','frozen','nb'), ('ema0.998','frozen','nb'),
                  ('snap1','final','nb'), ('snap1','final','frozen','nb'), ('snap0','snap1','final','nb'), ('ema0.998','ema0.99','final','nb'), ('frozen','nb'), ('snap1', 'ema0.998','frozen','nb')]
        for c in combos:
            xv = np.stack([d[k+'_v'] for k in c], 1); xt = np.stack([d[k+'_t'] for k in c], 1)
            lr = LogisticRegression(C=1.0).fit(xv, d['yv'])
            res.setdefault(c, []).append((lr.predict(xt) == d['yt']).mean())
    for c, v in res.items(): print(f"{'+'.join(c):35s}", ' '.join(f'{x:.4f}' for x in v), f'mean {np.mean(v):.4f}')
    sys.exit()
from weekend_nb.core import setup_threads
from weekend_nb.learner import Callback
from weekend_nb.sentiment import NBSVM, _batched, frozen_features
from weekend_nb.sentiment_fast import CPU, get_split, finetune
setup_threads()
seed = int(sys.argv[1])
cfg = CPU.__class__(**{**CPU.__dict__, 'seed': seed, 'ema': None, 'soup': 1})
data = get_split(cfg)
va, te = data['valid'], data['test']
out = dict(yv=va.label.to_numpy(), yt=te.label.to_numpy(), film_t=te.film.to_numpy())
nb = NBSVM(C=cfg.nbsvm_C, beta=cfg.nbsvm_beta).fit(data['train'].clean, data['train'].label)
out['nb_v'], out['nb_t'] = nb.decision_function(va.clean), nb.decision_function(te.clean)
batcher_box = []
def logodds(model):
    b = batcher_box[0]
    f = lambda m, x: (lambda l: l[:, 1] - l[:, 0])(m(x))
    t0 = time.perf_counter()
    with torch.no_grad(): r = _batched(f, model, b, va.text.tolist()), _batched(f, model, b, te.text.tolist())
    print(f'  scored valid+test in {time.perf_counter()-t0:.1f} s', flush=True)
    return r
class Snap(Callback):
    order = 50
    def after_epoch(self, learn):
        if not batcher_box: return
        v, t = logodds(learn.module); out[f'snap{learn.epoch}_v'], out[f'snap{learn.epoch}_t'] = v, t
        learn.module.train()
class EMA(Callback):
    order = 50
    def __init__(self, decays): self.decays = decays
    def before_fit(self, learn):
        self.ps = [p for p in learn.module.parameters() if p.requires_grad]
        self.ema = {d: [p.detach().clone() for p in self.ps] for d in self.decays}
        self.t = 0.0
    def after_batch(self, learn):
        t0 = time.perf_counter()
        with torch.no_grad():
            for d, e in self.ema.items(): torch._foreach_lerp_(e, [p.detach() for p in self.ps], 1 - d)
        self.t += time.perf_counter() - t0
# batcher is made inside finetune; get it through a monkeypatch of Batcher creation
import weekend_nb.sentiment_fast as sf
orig = sf.Batcher
class B(orig):
    def __init__(self, *a, **k): super().__init__(*a, **k); batcher_box.append(self)
sf.Batcher = B
ema = EMA([0.99, 0.998])
t0 = time.perf_counter()
learn, batcher = finetune(cfg, data, cbs=[Snap(), ema], quiet=True)
sf.Batcher = orig
print(f'finetune {time.perf_counter()-t0:.0f} s, trained {learn.trained_s():.0f} s, ema upkeep {ema.t:.1f} s, steps {learn.step_count}', flush=True)
out['final_v'], out['final_t'] = logodds(learn.module)
for d, e in ema.ema.items():
    with torch.no_grad():
        for p, q in zip(ema.ps, e): p.copy_(q)
    out[f'ema{d}_v'], out[f'ema{d}_t'] = logodds(learn.module)
t0 = time.perf_counter()
from sklearn.linear_model import LogisticRegressionCV
fe = {k: frozen_features('minilm', data[k].text.tolist())['mean'] for k in ('train', 'valid', 'test')}
lr = LogisticRegressionCV(Cs=[0.1, 1, 10], max_iter=2000).fit(fe['train'], data['train'].label)
out['frozen_v'], out['frozen_t'] = lr.decision_function(fe['valid']), lr.decision_function(fe['test'])
print(f'frozen minilm LR {time.perf_counter()-t0:.0f} s, test acc {((out["frozen_t"]>0)==out["yt"]).mean():.4f}', flush=True)
__import__('os').makedirs('/tmp/p41', exist_ok=True)
np.savez(f'/tmp/p41/seed{seed}.npz', **out)
for k in sorted(out):
    if k.endswith('_t') and k != 'film_t': print(k, ((out[k] > 0) == out['yt']).mean())
