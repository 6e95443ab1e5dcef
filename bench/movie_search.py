"""awesome-movies.life performance: index build (encode) vs cached load, kNN and exemplar-SVM query latency over the
whole corpus, and encoding throughput of our MiniLM encoder next to sentence-transformers' `encode` of the same texts.

python bench/movie_search.py [--n-queries 50] [--repeats 5] [--quick]
"""
import argparse, statistics, tempfile, time

import numpy as np

from weekend_nb.core import describe_device, setup_threads
from weekend_nb.movie_search import MiniLM, MovieSearch, get_corpus
from _record import record

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--n-queries', type=int, default=50)
p.add_argument('--quick', action='store_true', help='500 films, 10 queries, 200 texts encoded')
p.add_argument('--repeats', type=int, default=5, help='alternating encode runs of each encoder')
a = p.parse_args()
record('movie_search', getattr(a, 'quick', False))  # what follows is also written to bench/results/movie_search.txt
if a.quick: a.n_queries = 10
setup_threads()
films = get_corpus(500 if a.quick else None)
texts = films.text.tolist()
print(f"corpus: {len(films)} films; device: {describe_device()}")

cache = tempfile.mkdtemp()
t = time.perf_counter(); search = MovieSearch(films, cache=cache); build = time.perf_counter() - t
t = time.perf_counter(); MovieSearch(films, cache=cache); load = time.perf_counter() - t
print(f"index (MiniLM + TF-IDF): built in {build:.1f} s, loaded from the cache in {load:.2f} s")

ids = np.random.default_rng(0).choice(len(films), a.n_queries, replace=False)
for encoder in ('minilm', 'tfidf'):
    for rank, target in (('knn', 10), ('svm', 150)):
        search.similar([int(ids[0])], 10, rank, encoder)  # warm-up
        ms = []
        for i in ids:
            t = time.perf_counter(); search.similar([int(i)], 10, rank, encoder); ms.append(1000 * (time.perf_counter() - t))
        print(f"{rank} query, {encoder:<6}: median {statistics.median(ms):6.1f} ms, p90 {np.percentile(ms, 90):6.1f} ms (target < {target} ms)")

sample = texts[:200 if a.quick else 1000]
enc = MiniLM()
enc.encode(sample[:32])
try:
    from sentence_transformers import SentenceTransformer
except ImportError:
    t = time.perf_counter(); enc.encode(sample); t_ours = time.perf_counter() - t
    raise SystemExit(f"encode {len(sample)} texts: ours {len(sample) / t_ours:.0f} sentences/s (sentence-transformers not installed)")
st = SentenceTransformer(enc.model.name_or_path, device=str(enc.device))
st.max_seq_length = 256
st.encode(sample[:32])
rates = {'ours': [], 'sentence-transformers': []}
for _ in range(a.repeats):  # alternate the two: a noisy machine slows both alike; both at sentence-transformers' batch size, 32
    t = time.perf_counter(); ours = enc.encode(sample, 32); rates['ours'].append(len(sample) / (time.perf_counter() - t))
    t = time.perf_counter(); ref = st.encode(sample, batch_size=32, normalize_embeddings=True)
    rates['sentence-transformers'].append(len(sample) / (time.perf_counter() - t))
ratios = [o / r for o, r in zip(rates['ours'], rates['sentence-transformers'])]
print(f"encode {len(sample)} texts, {a.repeats} alternating runs each (sentences/s): ours {[round(r) for r in rates['ours']]}, "
      f"sentence-transformers {[round(r) for r in rates['sentence-transformers']]}; ratio ours/theirs median "
      f"{statistics.median(ratios):.2f} (runs {', '.join(f'{r:.2f}' for r in ratios)}); largest embedding difference {np.abs(ours - ref).max():.1e}")
