"""Chapter 60's translator against the PyTorch seq2seq tutorial's recipe, run faithfully on the same training pairs, the
same held-out sentences and the same wall-clock budget, and the wall time of `weekend run translation` (the `cpu` preset).

The reference is the tutorial's current code (https://pytorch.org/tutorials/intermediate/seq2seq_translation_tutorial.html),
step for step: its `normalizeString` (lower case, accents stripped to ASCII, '!' and '?' split off, every other
non-letter removed), its `filterPair` (fewer than MAX_LENGTH = 10 tokens a side), its `Lang` (SOS 0, EOS 1), its
dataloader (ids padded with zeros to MAX_LENGTH, EOS appended, batches of 32 from a RandomSampler), its models (a GRU
encoder with dropout 0.1 on the embeddings; a decoder with Bahdanau attention whose GRU reads the previous word and the
context, run for MAX_LENGTH steps with teacher forcing; hidden size 128), its `train_epoch` (two Adam optimisers,
lr 0.001, NLLLoss over every position) and its greedy `evaluate`. Deviations, each forced by the data and none
slowing or weakening it: the pairs are the chapter's (English -> Spanish, the tutorial's 'i am', 'he is'... prefixes,
split by English sentence), normalised again the tutorial's way; a held-out word that no training sentence has maps to
one extra `<unk>` id (the tutorial's `evaluate` would raise KeyError); a held-out sentence longer than MAX_LENGTH - 1
tokens is cut there (the tutorial has no held-out set). It trains, as the chapter does, epochs until the budget is spent.

Both models are scored by the same `bleu` (sacrebleu BLEU and chrF against all references of each held-out English
sentence) twice: on the tutorial's normalisation (hypotheses and references through `normalizeString`: the scale on
which the tutorial's model can be read) and, for the chapter's model, on the chapter's own normalisation.
An earlier version of this script padded to the longest training sentence in the chapter's tokens (punctuation
included) and kept the chapter's larger vocabulary, which cost the reference most of its epochs: it reported 8.4 BLEU.

With `--all` (chapter 61): every short pair (at most 9 words a side, about 110,000 training pairs, 10,259 held-out
English sentences), the same recipe against chapter 61's GRU with Luong attention and its Transformer (subwords,
length buckets, label smoothing, beam search in batches), each trained for chapter 61's budget (540 s). An epoch of the
tutorial's recipe on all pairs takes minutes, so its budget ends inside an epoch, as the chapter's models' do. Written
to bench/results/translation_all.txt, with BLEU by source length.

    python bench/translation.py [--all] [--quick]
"""
import argparse, math, random, re, tempfile, time, unicodedata
from dataclasses import replace

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from weekend_nb.core import describe_device, format_results, setup_threads
from weekend_nb.translation import CPU, bleu, bleu_by_length, get_corpus, run, train_mt, translate_ids
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='20 s of training each: checks the script, not the claim')
p.add_argument('--all', action='store_true', help="chapter 61: every short pair, the tutorial's recipe against the GRU and the Transformer")
a = p.parse_args()
record('translation_all' if a.all else 'translation', a.quick)  # what follows is also written to bench/results/NAME.txt
setup_threads()
if a.all:
    from weekend_nb import translation_all as full
    budget = 20 if a.quick else full.CPU.budget_s
    corpus = full.get_corpus(replace(full.CPU, max_test=500) if a.quick else full.CPU)  # --quick: 500 held-out sentences
else:
    budget = 20 if a.quick else CPU.budget_s
    corpus = get_corpus(CPU)

# ---- the tutorial's recipe ----
SOS, EOS, HIDDEN, MAX_LENGTH = 0, 1, 128, 10

def unicode_to_ascii(s):
    return ''.join(c for c in unicodedata.normalize('NFD', s) if unicodedata.category(c) != 'Mn')

def normalize_string(s):  # the tutorial's normalizeString
    s = unicode_to_ascii(s.lower().strip())
    s = re.sub(r"([.!?])", r" \1", s)
    s = re.sub(r"[^a-zA-Z!?]+", r" ", s)
    return s.strip()

class Lang:  # the tutorial's, with one extra id for words it never saw
    def __init__(self, sentences):
        self.index = {}
        for s in sentences:
            for w in s.split(' '): self.index.setdefault(w, len(self.index) + 2)
        self.unk, self.words = len(self.index) + 2, {i: w for w, i in self.index.items()}
        self.n = self.unk + 1
    def ids(self, s): return [self.index.get(w, self.unk) for w in s.split(' ')]

pairs = [(normalize_string(e), normalize_string(t)) for e, t in corpus.train]
pairs = [(e, t) for e, t in pairs if len(e.split(' ')) < MAX_LENGTH and len(t.split(' ')) < MAX_LENGTH]  # filterPair
src_lang, tgt_lang = Lang(e for e, _ in pairs), Lang(t for _, t in pairs)

class EncoderRNN(nn.Module):
    def __init__(self, n, h, dropout_p=0.1):
        super().__init__()
        self.embedding, self.gru, self.dropout = nn.Embedding(n, h), nn.GRU(h, h, batch_first=True), nn.Dropout(dropout_p)
    def forward(self, x): return self.gru(self.dropout(self.embedding(x)))

class BahdanauAttention(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.Wa, self.Ua, self.Va = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, 1)
    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys))).squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        return torch.bmm(weights, keys), weights

class AttnDecoderRNN(nn.Module):
    def __init__(self, h, n, dropout_p=0.1):
        super().__init__()
        self.embedding, self.attention = nn.Embedding(n, h), BahdanauAttention(h)
        self.gru, self.out, self.dropout = nn.GRU(2 * h, h, batch_first=True), nn.Linear(h, n), nn.Dropout(dropout_p)
    def forward(self, enc_out, enc_hidden, target=None):
        x = torch.full((enc_out.size(0), 1), SOS, dtype=torch.long)
        hidden, outs = enc_hidden, []
        for i in range(MAX_LENGTH):
            out, hidden = self.forward_step(x, hidden, enc_out)
            outs.append(out)
            x = target[:, i].unsqueeze(1) if target is not None else out.topk(1)[1].squeeze(-1).detach()
        return F.log_softmax(torch.cat(outs, 1), dim=-1)
    def forward_step(self, x, hidden, enc_out):
        emb = self.dropout(self.embedding(x))
        context, _ = self.attention(hidden.permute(1, 0, 2), enc_out)
        out, hidden = self.gru(torch.cat((emb, context), dim=2), hidden)
        return self.out(out), hidden

def to_ids(lang, sentences):  # the tutorial's get_dataloader: zeros, the ids, EOS
    arr = np.zeros((len(sentences), MAX_LENGTH), dtype=np.int64)
    for i, s in enumerate(sentences):
        ids = lang.ids(s)[:MAX_LENGTH - 1] + [EOS]
        arr[i, :len(ids)] = ids
    return torch.from_numpy(arr)

torch.manual_seed(0); random.seed(0)
data = TensorDataset(to_ids(src_lang, [e for e, _ in pairs]), to_ids(tgt_lang, [t for _, t in pairs]))
loader = DataLoader(data, sampler=RandomSampler(data), batch_size=32)
encoder, decoder = EncoderRNN(src_lang.n, HIDDEN), AttnDecoderRNN(HIDDEN, tgt_lang.n)
eopt, dopt = torch.optim.Adam(encoder.parameters(), lr=0.001), torch.optim.Adam(decoder.parameters(), lr=0.001)
criterion = nn.NLLLoss()
ref_epochs, ref_seconds, t0 = 0.0, 0.0, time.perf_counter()
while ref_seconds < budget:          # the chapter's rule: epochs until the budget is spent
    encoder.train(); decoder.train()
    for i, (x, y) in enumerate(loader):  # the tutorial's train_epoch
        eopt.zero_grad(); dopt.zero_grad()
        enc_out, enc_hidden = encoder(x)
        loss = criterion(decoder(enc_out, enc_hidden, y).view(-1, tgt_lang.n), y.view(-1))
        loss.backward()
        eopt.step(); dopt.step()
        if a.all and time.perf_counter() - t0 >= budget: break  # all pairs: minutes an epoch, so the budget ends one inside, as it does the chapter's
    ref_epochs, ref_seconds = ref_epochs + (i + 1) / len(loader), time.perf_counter() - t0
encoder.eval(); decoder.eval()
with torch.no_grad():                # the tutorial's evaluate: greedy, up to EOS (in chunks: its output is MAX_LENGTH x vocabulary a sentence)
    src_ids = to_ids(src_lang, [normalize_string(s) for s in corpus.sources])
    out = [row for i in range(0, len(src_ids), 500) for row in decoder(*encoder(src_ids[i:i + 500])).argmax(-1).tolist()]
ref_hyps = [' '.join(tgt_lang.words.get(i, '<unk>') for i in (row[:row.index(EOS)] if EOS in row else row) if i != SOS) for row in out]
tut_refs = [[normalize_string(r) for r in refs] for refs in corpus.refs]

def report(models):
    print(f"\n{corpus.source}\n{describe_device()}, torch {torch.__version__}; training budget {budget:.0f} s each; "
          f"the tutorial's recipe keeps {len(pairs):,} of the {len(corpus.train):,} training pairs (fewer than {MAX_LENGTH} tokens a side)\n")
    print(f"{'model':56s} {'epochs':>6s} {'train s':>8s} {'BLEU':>6s} {'chrF':>6s}   (tutorial's normalisation | chapter's)")
    for name, ep, sec, hyps in models:
        b, c = bleu([normalize_string(h) for h in hyps], tut_refs)
        own = '' if hyps is ref_hyps else ' | {:6.1f} {:6.1f}'.format(*bleu(hyps, corpus.refs))
        print(f"{name:56s} {ep:6.1f} {sec:8.0f} {b:6.1f} {c:6.1f}{own}")
    if len(corpus.train) > 50_000:  # all pairs: the sentences by length, on the tutorial's normalisation (the scale all can be read on)
        print(f"\nBLEU / chrF by English sentence length, tutorial's normalisation; columns in the order of the rows above")
        rows = [bleu_by_length(corpus.sources, [normalize_string(x) for x in h], tut_refs, edges=(1, 3, 4, 5, 6, 7, 8, 10)) for *_, h in models]
        for parts in zip(*rows):
            print(f"  {parts[0]['words']:>4s} words ({parts[0]['n']:5,} sentences): " + '  '.join(f"{p['bleu']:5.1f} /{p['chrf']:5.1f}" for p in parts))

tutorial = ('PyTorch tutorial (Bahdanau attention, hidden 128), greedy', ref_epochs, ref_seconds, ref_hyps)
if a.all:  # ---- chapter 61's GRU and Transformer, for the same budget ----
    models = [tutorial]
    for kind in ('gru', 'transformer'):
        cfg = replace(full.CPU, model=kind, budget_s=budget)
        m, hist = full.train(cfg, corpus, quiet=True)
        ep, sec = hist[-1]['step'] / math.ceil(len(corpus.train) / cfg.bs), hist[-1]['train_s']
        for k in (1, 5):
            models.append((f"chapter 61, {full.NAMES[kind]}, {'greedy' if k == 1 else 'beam k=5'}", ep, sec,
                           full.translate_ids(m, corpus.sources, corpus.src_vocab, corpus.tgt_vocab, k)))
    report(models)  # chapter 61's models here are its `cpu` preset's, trained as `weekend run translation_all` trains them
    raise SystemExit

# ---- the chapter's model, for the same budget ----
ours, hist = train_mt(replace(CPU, attention='bahdanau', budget_s=budget), corpus.train, corpus.src_vocab, corpus.tgt_vocab, quiet=True)
our_epochs = hist[-1]['step'] / math.ceil(len(corpus.train) / CPU.bs)  # it stops inside an epoch when the budget is spent
report([tutorial, ('chapter 60 (Bahdanau attention, hidden 128), greedy', our_epochs, hist[-1]['train_s'],
                   translate_ids(ours, corpus.sources, corpus.src_vocab, corpus.tgt_vocab)),
        ('chapter 60, beam search k=5', our_epochs, hist[-1]['train_s'], translate_ids(ours, corpus.sources, corpus.src_vocab, corpus.tgt_vocab, beam=5))])

if not a.quick:  # the whole `cpu` preset, as `weekend run translation` runs it
    t0 = time.perf_counter()
    rows = run('cpu', tempfile.mkdtemp())
    print(f"\nweekend run translation (cpu preset): {time.perf_counter() - t0:.0f} s\n")
    print(format_results(rows))
