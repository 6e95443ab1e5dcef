"The movie index cache holds numbers only: a tampered file cannot run code, a damaged one is rebuilt."
import os

import numpy as np

from weekend_nb.movie_search import get_corpus, get_index


class _Payload:
    "Unpickling this runs a shell command (the classic pickle exploit)."
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return os.system, (f'touch {self.marker}',)


def test_tampered_or_damaged_cache_is_rebuilt_not_run(tmp_path):
    films = get_corpus(30)
    _, emb = get_index(films, 'minilm', cache=tmp_path)
    (path,) = tmp_path.glob('minilm-*.npz')
    with np.load(path, allow_pickle=False) as z: good = {k: z[k] for k in z.files}
    marker = tmp_path / 'code-ran'
    payload = np.array([_Payload(marker)], dtype=object)
    np.savez(path, overview=payload, summary=payload)  # what an attacker could write there (np.savez pickles object arrays)
    _, again = get_index(films, 'minilm', cache=tmp_path)
    assert not marker.exists() and np.array_equal(again, emb)
    path.write_bytes(path.read_bytes()[:200])  # a truncated file
    _, again = get_index(films, 'minilm', cache=tmp_path)
    with np.load(path, allow_pickle=False) as z: rebuilt = {k: z[k] for k in z.files}
    assert np.array_equal(again, emb) and all(np.array_equal(rebuilt[k], good[k], equal_nan=True) for k in good)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # rebuilt in place: no temporary or second file left behind
