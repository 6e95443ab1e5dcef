"""The site under load: `weekend serve movies` in its own process, 20 and 50 concurrent clients, each request
on a new connection (film pages, half kNN and half exemplar SVM, and title searches), each load twice
(cold: every ranking computed; warm: from the cache). `--before DIR` also serves the site from another
checkout of the repository (e.g. `git worktree add /tmp/before c475e07`) and loads it the same way.

    python bench/site_load.py [--quick] [--before DIR]
"""
import argparse, os, sys

import pandas as pd

from weekend_nb.core import describe_device
from weekend_nb.movie_search import PRESETS, get_corpus
from weekend_nb.site import load_test, site_paths, site_process
from _record import record

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--quick', action='store_true', help='the tiny preset (400 films) and 10 clients: seconds')
p.add_argument('--before', help='a checkout of an earlier version whose server to load too')
a = p.parse_args()
record('site_load', getattr(a, 'quick', False))  # what follows is also written to bench/results/site_load.txt
preset, loads = ('tiny', (10,)) if a.quick else ('cpu', (20, 50))
films = get_corpus(PRESETS[preset].n_films)
rows = []
for name, env in [('this version', None), *([('before', {**os.environ, 'PYTHONPATH': a.before})] if a.before else [])]:
    with site_process(preset, env=env) as base:
        for clients in loads:
            paths = site_paths(films, 10 * clients, seed=clients)
            for cache in ('cold', 'warm'): rows.append(dict(load_test(base, paths, clients), server=name, cache=cache))
print(f"{len(films)} films; device: {describe_device()}")
print(pd.DataFrame(rows)[['server', 'clients', 'cache', 'requests', 'failed', 'p50', 'p95', 'max', 'per_second']].round(3).to_string(index=False))
