"The data layer's failure modes: bad hashes, damaged files, no network, unknown names."
import shutil, zipfile
from pathlib import Path
from dataclasses import dataclass

import pytest

from weekend_nb import data
from weekend_nb.data import ASSETS, Asset, DataUnavailable, Debian, Registry, Url, get_asset, sha256sum
from weekend_nb.datasets import fetch  # imported from here, the course's assets are registered


@pytest.fixture
def toy(http_dir, data_home):
    "A zip served locally and an asset pointing at it; removed from the registry afterwards."
    root, base = http_dir
    with zipfile.ZipFile(root / 'toy.zip', 'w') as z: z.writestr('toy/data.csv', 'x,y\n1,2\n' * 100)
    h = sha256sum(root / 'toy.zip')
    yield root, base, h
    for k in [k for k in ASSETS if k.startswith('toy')]: del ASSETS[k]


def reg(name, url, known_hash):
    return data.register(Asset(name, 'a toy table', 'CC0', [Url({'table': 'toy/data.csv'}, 'csv', url=url, known_hash=known_hash)]))


def test_fetch_extracts_and_caches(toy, data_home):
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', f'sha256:{h}')
    f = fetch('toy')
    assert f['table'].read_text().startswith('x,y\n1,2')
    (root / 'toy.zip').unlink()  # the second fetch must come from the cache
    assert fetch('toy')['table'] == f['table']


def test_hash_mismatch_is_refused_and_leaves_nothing(toy, data_home):
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', 'sha256:' + 'f' * 64)
    with pytest.raises(DataUnavailable, match='(?s)toy.zip.*SHA256 hash'):
        fetch('toy')
    assert not (data_home / 'toy').exists()
    assert not list((data_home / '_downloads').glob('toy.zip*'))


def test_truncated_cache_file_is_fetched_again(toy, data_home):
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', f'sha256:{h}')
    p = fetch('toy')['table']
    full = p.read_bytes()
    p.write_bytes(full[:10])
    assert fetch('toy')['table'].read_bytes() == full


@pytest.mark.parametrize('manifest', ['{}', '[]', '{"sha256": [], "files": {}}', 'not json'])
def test_damaged_manifest_is_fetched_again(toy, data_home, manifest):
    "A manifest that is not what fetch wrote means a damaged cache: fetched again, and `status` does not crash on it."
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', f'sha256:{h}')
    p = fetch('toy')['table']
    man = p.parent / 'MANIFEST.json'
    man.write_text(manifest)
    assert data.status('toy') == 'not cached'
    assert fetch('toy')['table'].read_text().startswith('x,y')
    assert data.status('toy').startswith('cached')


def test_truncated_download_is_fetched_again(toy, data_home):
    "A partial archive in the download folder (say, from a killed copy) fails its hash and is replaced."
    root, base, h = toy

    @dataclass
    class LocalRegistry(Registry):  # a registry mirror that "downloads" by copying a local file
        @property
        def label(self): return 'local mirror'
        def _fetch(self, tmp): shutil.copy(root / self.file, tmp / self.file)

    data.register(Asset('toy_reg', 'toy', 'CC0', [LocalRegistry({'table': 'toy/data.csv'}, 'csv', spec='toy', file='toy.zip', sha256=h)]))
    dl = data_home / '_downloads'
    dl.mkdir(parents=True)
    (dl / 'toy.zip').write_bytes((root / 'toy.zip').read_bytes()[:50])
    assert fetch('toy_reg')['table'].read_text().startswith('x,y')
    assert sha256sum(dl / 'toy.zip') == h


def test_failed_source_leaves_no_partial_files(toy, data_home):
    @dataclass
    class Broken(Registry):
        @property
        def label(self): return 'broken mirror'
        def _fetch(self, tmp):
            (tmp / self.file).write_bytes(b'half a file')
            raise OSError('connection reset')

    data.register(Asset('toy_broken', 'toy', 'CC0', [Broken({'t': ''}, 'raw', spec='x', file='x.whl', sha256='0' * 64)]))
    with pytest.raises(DataUnavailable, match='broken mirror: OSError: connection reset'):
        fetch('toy_broken')
    assert not [p for p in data_home.rglob('*') if p.is_file() and p.suffix != '.lock']  # only the (empty) lock file


def test_offline_with_no_cache_names_every_source(toy, data_home, monkeypatch):
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', f'sha256:{h}')
    monkeypatch.setenv('WEEKEND_NB_OFFLINE', '1')
    with pytest.raises(DataUnavailable) as e:
        fetch('toy')
    msg = str(e.value)
    assert "Could not get dataset 'toy'" in msg and 'skipped (WEEKEND_NB_OFFLINE is set)' in msg and 'WEEKEND_NB_DATA' in msg


def test_offline_uses_cache(toy, data_home, monkeypatch):
    root, base, h = toy
    reg('toy', f'{base}/toy.zip', f'sha256:{h}')
    fetch('toy')
    monkeypatch.setenv('WEEKEND_NB_OFFLINE', '1')
    assert fetch('toy')['table'].exists()


def test_unreachable_host_fails_fast(data_home):
    import time
    data.register(Asset('toy_dead', 'toy', 'CC0', [Url({'t': ''}, 'raw', url='http://127.0.0.1:9/x.zip', known_hash='sha256:' + '0' * 64)]))
    t0 = time.perf_counter()
    with pytest.raises(DataUnavailable, match='cannot reach 127.0.0.1'):
        fetch('toy_dead')
    assert time.perf_counter() - t0 < 10
    del ASSETS['toy_dead']


def test_unknown_dataset_suggests():
    with pytest.raises(KeyError, match='Did you mean movielens_100k'):
        get_asset('movielens100k')


def test_registry_mirrors_are_pinned():
    "Every registry mirror names an exact version, its file and a full sha256."
    mirrors = [s for a in ASSETS.values() for s in a.sources if isinstance(s, Registry)]
    assert len(mirrors) >= 7
    for s in mirrors:
        exact = '=' in s.spec if isinstance(s, Debian) else '==' in s.spec or '@' in s.spec  # apt: name=version
        assert exact and len(s.sha256) == 64 and s.file, s


def test_imports_point_backwards():
    """Every module imports only modules of earlier notebooks: the library (00 core, 01 data, 02 learner, 03 datasets,
    04 cli, 05 pretrained) before the chapters, and a chapter only earlier chapters (gan uses digits' CNN; never the reverse)."""
    import ast, re, weekend_nb
    folder = Path(weekend_nb.__file__).parent
    number = {}
    for f in folder.glob('*.py'):
        m = re.search(r'File to edit: \.\./nbs/(\d+)_', f.read_text())
        if m: number[f.stem] = int(m.group(1))
    assert len(number) >= 19, sorted(number)  # every module of the library and the chapters
    for name, n in number.items():
        tree = ast.parse((folder / f'{name}.py').read_text())
        imported = {x.module.split('.')[-1] for x in ast.walk(tree)
                    if isinstance(x, ast.ImportFrom) and x.module and (x.level == 1 or x.module.startswith('weekend_nb.'))}
        imported |= {a.name.split('.')[-1] for x in ast.walk(tree) if isinstance(x, ast.Import) for a in x.names if a.name.startswith('weekend_nb.')}
        later = {m: number[m] for m in imported if number.get(m, -1) >= n and m != name}
        assert not later, f"{name} ({n:02d}) imports {later}: a module may import only those of earlier notebooks"
