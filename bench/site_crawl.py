"""A crawl of the whole site as `weekend serve movies` builds it (chapter 95's index with both encoders, chapter 91's
recommendations): every film's page under every ranking (kNN, exemplar SVM) and every embedding (MiniLM, TF-IDF), each
as a visitor who has rated three films; then "Recommended for you" for 200 visitors with 1 to 20 random ratings. Requests
go straight to the WSGI application (no sockets: this is about answers, `bench/site_load.py` is about load). Counts every
status; any 5xx is a failure and the script exits non-zero.

    python bench/site_crawl.py [--quick]     # --quick: 100 films, 20 visitors
"""
import argparse, collections, sys, time
from wsgiref.util import setup_testing_defaults

import numpy as np

from weekend_nb.core import describe_device, setup_threads
from weekend_nb.movie_search import PRESETS, MovieSearch, get_corpus
from weekend_nb.site import ForYou, make_app, ratings_code
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='100 films, 20 visitors: checks the script')
a = p.parse_args()
record('site_crawl', a.quick)
setup_threads()
cfg = PRESETS['cpu']
films = get_corpus(cfg.n_films)
search = MovieSearch(films, bs=cfg.bs, C=cfg.C, expand=cfg.expand)
for_you = ForYou.load(films, preset='cpu')
app = make_app(search, cfg.k, for_you=for_you)
rateable = sorted(for_you.to_ml)
rng = np.random.default_rng(0)


def status(path: str, query: str = '', cookie: str = '') -> int:
    env = {'PATH_INFO': path, 'QUERY_STRING': query, 'REQUEST_METHOD': 'GET', 'HTTP_COOKIE': cookie}
    setup_testing_defaults(env)
    got = {}
    b''.join(app(env, lambda s, h: got.update(status=int(s.split()[0]))))
    return got['status']


ids = films.index if not a.quick else films.index[:100]
visitor = 'ratings=' + ratings_code({int(f): int(s) for f, s in zip(rng.choice(rateable, 3, replace=False), (5, 4, 2))})
print(f"{len(films)} films ({len(ids)} crawled), {len(rateable)} of them rateable; encoders {list(search.index)}; device: {describe_device()}")
failures, t_all = [], time.perf_counter()
for rank in ('knn', 'svm'):
    for emb in search.index:
        t, counts = time.perf_counter(), collections.Counter()
        for i in ids:
            s = status('/film', f'id={i}&rank={rank}&emb={emb}', visitor)
            counts[s] += 1
            if s >= 500: failures.append(f'/film?id={i}&rank={rank}&emb={emb}')
        print(f"film pages, {rank:3s} x {emb:6s}: {dict(counts)}  ({time.perf_counter() - t:.0f} s)", flush=True)
counts, t = collections.Counter(), time.perf_counter()
for n in rng.integers(1, 21, 20 if a.quick else 200):
    rated = {int(f): int(s) for f, s in zip(rng.choice(rateable, n, replace=False), rng.integers(1, 6, n))}
    s = status('/for-you', '', 'ratings=' + ratings_code(rated))
    counts[s] += 1
    if s >= 500: failures.append(f'/for-you with {rated}')
print(f"Recommended for you, {sum(counts.values())} visitors with 1 to 20 ratings: {dict(counts)}  ({time.perf_counter() - t:.0f} s)")
print(f"5xx answers: {len(failures)}; {time.perf_counter() - t_all:.0f} s in all")
for f in failures[:20]: print('  ', f)
sys.exit(1 if failures else 0)
