"""Chapter 50's tiny GPT against nanoGPT's own CPU recipe, on the same text, the same split and the same
wall-clock budget. nanoGPT is run as its README says (train.py with config/train_shakespeare_char.py and
`--device=cpu --compile=False --eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4
--n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0`), after its own prepare.py
has encoded our text (it downloads tiny Shakespeare only when input.txt is missing). Then the chapter's CPU
preset trains with nanoGPT's measured time as its budget. Both final models are scored by the same
estimate (200 batches of 12 x 64 validation characters); nanoGPT's is its best checkpoint, as it saves it.
Deviations from the published recipe: none in the command; the text is the chapter's (tiny Shakespeare online, the
38 plays offline), so its loss is not the README's 1.88 on tiny Shakespeare, and `--quick` evaluates more often.

    git clone https://github.com/karpathy/nanoGPT /tmp/nanoGPT
    python bench/shakespeare.py --nanogpt /tmp/nanoGPT [--quick]
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch

from weekend_nb.core import describe_device, setup_threads
from weekend_nb.datasets import load_shakespeare
from weekend_nb.shakespeare import CPU, CharVocab, estimate_loss, ngram_loss, split_text, train_lm
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--nanogpt', required=True, help='a checkout of github.com/karpathy/nanoGPT')
p.add_argument('--quick', action='store_true', help='50 steps each: checks the script, not the claim')
a = p.parse_args()
record('shakespeare', getattr(a, 'quick', False))  # what follows is also written to bench/results/shakespeare.txt
iters = 50 if a.quick else 2000
setup_threads()
text = load_shakespeare()
vocab = CharVocab(text)
train, valid = split_text(torch.tensor(vocab.encode(text)))

# ---- nanoGPT, as its README runs it on a CPU ----
work = Path(tempfile.mkdtemp())
for f in ('train.py', 'model.py', 'configurator.py', 'config/train_shakespeare_char.py', 'data/shakespeare_char/prepare.py'):
    (work/f).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(a.nanogpt)/f, work/f)
(work/'data/shakespeare_char/input.txt').write_text(text)
subprocess.run([sys.executable, 'data/shakespeare_char/prepare.py'], cwd=work, check=True, capture_output=True)
args = ['--device=cpu', '--compile=False', '--eval_iters=20', '--log_interval=1', '--block_size=64', '--batch_size=12', '--n_layer=4',
        '--n_head=4', '--n_embd=128', f'--max_iters={iters}', f'--lr_decay_iters={iters}', '--dropout=0.0']
if a.quick: args += ['--eval_interval=25']
t0 = time.perf_counter()
r = subprocess.run([sys.executable, 'train.py', 'config/train_shakespeare_char.py', *args], cwd=work, capture_output=True, text=True)
ref_seconds = time.perf_counter() - t0
if r.returncode: sys.exit(f"nanoGPT failed:\n{r.stderr[-2000:]}")
steps = re.findall(r'step (\d+): train loss ([\d.]+), val loss ([\d.]+)', r.stdout)
iter_ms = [float(m) for m in re.findall(r'iter \d+: loss [\d.]+, time ([\d.]+)ms', r.stdout)[1:]]
sys.path.insert(0, str(work))
from model import GPT as RefGPT, GPTConfig  # nanoGPT's model, to score its checkpoint the same way as ours
ck = torch.load(work/'out-shakespeare-char'/'ckpt.pt', map_location='cpu', weights_only=False)
ref = RefGPT(GPTConfig(**ck['model_args']))
ref.load_state_dict({k.removeprefix('_orig_mod.'): v for k, v in ck['model'].items()})
class Full(torch.nn.Module):  # nanoGPT returns every position's logits only when given targets
    def __init__(self, m): super().__init__(); self.m = m
    def forward(self, idx, state=None): return self.m(idx, idx)[0], None

# ---- the chapter's GPT, for the same time ----
ours, hist = train_lm(replace(CPU, max_iters=iters, budget_s=ref_seconds), train, valid, len(vocab), quiet=True)
score = lambda m: estimate_loss(m, valid, 64, 12, 200, seed=1)
rows = [('bigram counts', '', '', ngram_loss(train, valid, len(vocab), 2)),
        ('nanoGPT (README CPU recipe)', f"{steps[-1][0]} steps, best val {min(float(s[2]) for s in steps):.4f} in its own log", ref_seconds, score(Full(ref))),
        ('weekend_nb GPT (cpu preset)', f"{hist[-1]['step']} steps", hist[-1]['train_s'], score(ours))]
print(f"{len(text):,} characters ({len(train):,} train / {len(valid):,} valid); device: {describe_device()}; "
      f"nanoGPT {sum(iter_ms) / max(1, len(iter_ms)):.0f} ms/iter (its log)")
print(f"{'model':<30} {'run':<44} {'seconds':>8} {'valid loss':>11} {'bits/char':>10}")
for name, run, s, loss in rows:
    print(f"{name:<30} {run:<44} {s if s == '' else f'{s:.0f}':>8} {loss:>11.4f} {loss / 0.6931471805599453:>10.3f}")
