"""Chapter 60's translator against the PyTorch seq2seq tutorial's model, on the same pairs, the same split and the
same wall-clock budget, and the wall time of `weekend run translation` (the `cpu` preset).

The reference is the tutorial's current model and training as published
(https://pytorch.org/tutorials/intermediate/seq2seq_translation_tutorial.html): a GRU encoder with dropout 0.1 on
its embeddings; a decoder with Bahdanau attention (Wa, Ua, Va) whose GRU reads the previous word and the context;
hidden size 128; every sentence padded with zeros to MAX_LENGTH (zero is its SOS id); the decoder run for
MAX_LENGTH steps with teacher forcing; NLLLoss over every position, padding included; two Adam optimisers, lr
0.001; batches of 32 drawn by a RandomSampler. Adapted only where the data forces it: MAX_LENGTH is the longest
training sentence in tokens plus EOS (the tutorial's 10 counted words without punctuation), and a held-out word that
no training sentence has maps to one extra `<unk>` id (the tutorial's evaluation would raise KeyError).
Both models are trained on the chapter's training pairs for the chapter's `cpu` budget, decoded greedily, and
scored by the same `bleu` (sacrebleu BLEU and chrF, all references of each held-out English sentence).

    python bench/translation.py [--quick]
"""
import argparse, random, tempfile, time
from dataclasses import replace

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

from weekend_nb.core import describe_device, format_results, setup_threads
from weekend_nb.translation import CPU, bleu, get_corpus, run, train_mt, translate_ids
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='20 s of training each: checks the script, not the claim')
a = p.parse_args()
record('translation', getattr(a, 'quick', False))  # what follows is also written to bench/results/translation.txt
setup_threads()
budget = 20 if a.quick else CPU.budget_s
corpus = get_corpus(CPU)

# ---- the tutorial's model and training ----
SOS, EOS, HIDDEN = 0, 1, 128
class Lang:
    def __init__(self, sentences):
        self.index = {}
        for s in sentences:
            for w in s.split(): self.index.setdefault(w, len(self.index) + 2)
        self.unk, self.words = len(self.index) + 2, {i: w for w, i in self.index.items()}
        self.n = self.unk + 1
    def ids(self, s): return [self.index.get(w, self.unk) for w in s.split()]

src_lang, tgt_lang = Lang(e for e, _ in corpus.train), Lang(t for _, t in corpus.train)
MAX_LENGTH = max(len(s.split()) for pair in corpus.train for s in pair) + 1

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

def to_ids(lang, sentences):
    arr = np.zeros((len(sentences), MAX_LENGTH), dtype=np.int64)
    for i, s in enumerate(sentences):
        ids = (lang.ids(s) + [EOS])[:MAX_LENGTH]
        arr[i, :len(ids)] = ids
    return torch.from_numpy(arr)

torch.manual_seed(0); random.seed(0)
data = TensorDataset(to_ids(src_lang, [e for e, _ in corpus.train]), to_ids(tgt_lang, [t for _, t in corpus.train]))
loader = DataLoader(data, sampler=RandomSampler(data), batch_size=32)
encoder, decoder = EncoderRNN(src_lang.n, HIDDEN), AttnDecoderRNN(HIDDEN, tgt_lang.n)
eopt, dopt = torch.optim.Adam(encoder.parameters(), lr=0.001), torch.optim.Adam(decoder.parameters(), lr=0.001)
criterion = nn.NLLLoss()
ref_epochs, ref_seconds = 0, 0.0
while ref_seconds < budget:          # the chapter's rule: epochs until the budget is spent
    t = time.perf_counter()
    encoder.train(); decoder.train()
    for x, y in loader:
        eopt.zero_grad(); dopt.zero_grad()
        enc_out, enc_hidden = encoder(x)
        loss = criterion(decoder(enc_out, enc_hidden, y).view(-1, tgt_lang.n), y.view(-1))
        loss.backward()
        eopt.step(); dopt.step()
    ref_epochs, ref_seconds = ref_epochs + 1, ref_seconds + time.perf_counter() - t
encoder.eval(); decoder.eval()
with torch.no_grad():
    out = decoder(*encoder(to_ids(src_lang, corpus.sources))).argmax(-1).tolist()
ref_hyps = [' '.join(tgt_lang.words.get(i, '<unk>') for i in (row[:row.index(EOS)] if EOS in row else row) if i != SOS) for row in out]

# ---- the chapter's model, for the same budget ----
ours, hist = train_mt(replace(CPU, attention='bahdanau', budget_s=budget), corpus.train, corpus.src_vocab, corpus.tgt_vocab, quiet=True)
our_hyps = translate_ids(ours, corpus.sources, corpus.src_vocab, corpus.tgt_vocab)
our_beam = translate_ids(ours, corpus.sources, corpus.src_vocab, corpus.tgt_vocab, beam=5)

print(f"\n{corpus.source}\n{describe_device()}, torch {torch.__version__}; training budget {budget:.0f} s each\n")
print(f"{'model':52s} {'epochs':>6s} {'train s':>8s} {'BLEU':>6s} {'chrF':>6s}")
for name, ep, sec, hyps in [('PyTorch tutorial (Bahdanau attention, hidden 128), greedy', ref_epochs, ref_seconds, ref_hyps),
                            ('chapter 60 (Bahdanau attention, hidden 128), greedy', hist[-1]['epoch'], hist[-1]['seconds'], our_hyps),
                            ('chapter 60, beam search k=5', hist[-1]['epoch'], hist[-1]['seconds'], our_beam)]:
    b, c = bleu(hyps, corpus.refs)
    print(f"{name:52s} {ep:6d} {sec:8.0f} {b:6.1f} {c:6.1f}")

if not a.quick:  # the whole `cpu` preset, as `weekend run translation` runs it
    t0 = time.perf_counter()
    rows = run('cpu', tempfile.mkdtemp())
    print(f"\nweekend run translation (cpu preset): {time.perf_counter() - t0:.0f} s\n")
    print(format_results(rows))
