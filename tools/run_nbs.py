"""Execute notebooks top to bottom and save their outputs: `python tools/run_nbs.py [NOTEBOOK ...]`.

Unlike nbdev-test, `#| slow` cells run too (they are the chapter's real run, whose outputs the reader
sees). `#| gpu` cells run only where CUDA is available; elsewhere their old outputs are kept.
"""
import re, sys, time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


class Client(NotebookClient):
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type == 'code' and '#| gpu' in cell.source and not torch.cuda.is_available():
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)


_BAR = re.compile(r'\d+/\d+ \[|it/s\]')


def drop_progress_bars(nb):
    "Progress bars are for watching a run, not for reading it later: keep results, drop the bars."
    for c in nb.cells:
        if c.cell_type != 'code': continue
        c.outputs = [o for o in c.get('outputs', [])
                     if not (o.output_type == 'stream' and o.name == 'stderr' and (_BAR.search(o.text) or not o.text.strip()))
                     and 'application/vnd.jupyter.widget-view+json' not in o.get('data', {})
                     and 'TqdmWarning' not in o.get('text', '')]
    return nb


def run(path: Path):
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    Client(nb, timeout=3600, kernel_name='python3', store_widget_state=False,  # progress bars: not kept
           resources={'metadata': {'path': str(path.parent)}}).execute()
    nbformat.write(drop_progress_bars(nb), path)
    print(f'{path.relative_to(ROOT)}: {time.perf_counter() - t0:.0f} s')


if __name__ == '__main__':
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / 'nbs').glob('[0-9]*.ipynb'))
    for p in paths: run(p)
