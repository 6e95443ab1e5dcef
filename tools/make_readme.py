"""Write README.md from index.ipynb (the course's one landing page), or check that it is up to date.

nbdev's own `nbdev-readme` needs Quarto; this does the same with nbconvert:
`python tools/make_readme.py` writes README.md, `--check` exits 1 if it is stale.
"""
import sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"


def render(nb_path: Path = ROOT / 'index.ipynb') -> str:
    nb = nbformat.read(nb_path, as_version=4)
    # nbdev directives (`#| hide`) keep set-up cells out of the page
    nb.cells = [c for c in nb.cells if not c.source.lstrip().startswith('#| hide')]
    for c in nb.cells:
        if c.cell_type == 'code': c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|'))
    body, _ = MarkdownExporter().from_notebook_node(nb)
    return HEADER + body.strip() + '\n'


if __name__ == '__main__':
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with index.ipynb: run `make readme`')
        print('README.md matches index.ipynb')
    else:
        readme.write_text(text)
