"""The notebooks as files: what a reader opens must run on any machine and stay small enough to open."""
import json, re
from pathlib import Path

import pytest

NBS = sorted((Path(__file__).resolve().parent.parent / 'nbs').glob('*.ipynb'))
CHAPTERS = [p for p in NBS if int(p.name[:2]) >= 10]  # 00-09 are the library's notebooks


def cells(p: Path) -> list[dict]: return json.loads(p.read_text())['cells']


@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.name)
def test_gpu_cells_skip_without_an_accelerator(nb):
    "Every `#| gpu` cell starts with `if (device := accelerator(...))`, so that Run All without one goes on (make test-nbs runs them)."
    for c in cells(nb):
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and re.match(r'#\| *gpu\b', src):
            assert src.split('\n')[1].startswith('if (device := accelerator('), f"{nb.name}: a #| gpu cell that would fail without a GPU:\n{src[:300]}"


@pytest.mark.parametrize('nb', CHAPTERS, ids=lambda p: p.name)
def test_first_cell_says_how_long_run_all_takes(nb):
    first = ''.join(cells(nb)[0]['source'])
    assert re.search(r'Run All[^.]*\b\d[\d,]* (s|min)\b', first), f"{nb.name}: the first cell should say how long Run All takes on a CPU"


@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.name)
def test_outputs_are_small(nb):
    "A notebook opens quickly: no text output over 100 kB, no image over 1 MB, the whole file under 2 MB, no saved widget state."
    assert nb.stat().st_size < 2_000_000, f"{nb.name} is {nb.stat().st_size / 1e6:.1f} MB"
    assert 'widgets' not in json.loads(nb.read_text())['metadata'], f"{nb.name} keeps widget state (progress bars): drop it"
    for i, c in enumerate(cells(nb)):
        for o in c.get('outputs', []):
            text = ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', ''))
            assert len(text) < 100_000, f"{nb.name} cell {i}: {len(text):,} characters of text output"
            for kind, data in o.get('data', {}).items():
                if kind.startswith('image/'): assert len(data) < 1_000_000, f"{nb.name} cell {i}: a {len(data) / 1e6:.1f} MB image"
