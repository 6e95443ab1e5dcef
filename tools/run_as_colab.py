"""Run a chapter notebook the way a Colab user does, against the *installed* package.

`python tools/run_as_colab.py NOTEBOOK`: executes the notebook top to bottom with nbclient, without its
`#| slow` and `#| gpu` cells, in a scratch folder outside the repository, so that `import weekend_nb`
finds the installed package (not the source tree) and the notebook's own install cell decides what to
install. `tools/check_plain_install.sh` calls it from a fresh venv that has `pip install .` without `[dev]`.
"""
import sys, tempfile, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

SKIP = ('#| slow', '#| gpu')


def _flags(cell) -> set:
    return {l.strip() for l in cell.source.splitlines() if l.startswith('#|')}


def run(path: Path):
    nb = nbformat.read(path, as_version=4)
    n = len(nb.cells)
    nb.cells = [c for c in nb.cells if c.cell_type != 'code' or not _flags(c) & set(SKIP)]
    # the kernel must be this interpreter (the fresh venv's), not some other installed 'python3' kernel
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import sys\nassert sys.executable == {sys.executable!r}, sys.executable"))
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=1200, kernel_name='python3', resources={'metadata': {'path': d}}).execute()
    print(f"{path.name}: {len(nb.cells) - 1} of {n} cells (no slow/gpu cells) ran without error in {time.perf_counter() - t0:.0f} s")


if __name__ == '__main__':
    import weekend_nb
    root = Path(__file__).resolve().parent.parent
    if root in Path(weekend_nb.__file__).resolve().parents:
        sys.exit(f"weekend_nb is imported from the source tree ({weekend_nb.__file__}), not from an installed package")
    for p in sys.argv[1:]: run(Path(p).resolve())
