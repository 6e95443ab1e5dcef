#!/usr/bin/env python
"""Every measured number in the README's chapter table and in the notebooks' prose must come from an output.

For each number in a notebook's markdown cells, the script looks for it among the values that notebook prints (its
cell outputs), the values its code sets (a budget, a size, a learning rate), the outputs of the notebooks the cell
names ("chapter 90") and the benchmark results the cell names: `bench/results/NAME.txt` is that file, `bench/NAME.py`
every file its runs write (NAME.txt, NAME_*.txt; not the `--quick` ones). A benchmark's numbers back only the text
that cites it, so that a reader can find them. For each number in a README row, the same for the chapter's notebook.
A number matches when a value found there rounds to it at the precision it is written with, directly or as a
percentage (0.8421 -> 84.2%); `1,000` is 1000. A number that appears nowhere fails the check, with its sentence.
A notebook's run time, in its first cell ("**Run All** ...: N s", "the whole notebook ran in N s") and in its README
row ("notebook N s"), must be the time its last timing cell printed, not merely a number printed somewhere.

Skipped, by design: inline code and maths (they are code and formulas, not measurements), link targets, numbers that
are part of a name (VGG19, GPT-2, conv4_2, CIFAR-10), years, chapter numbers and numbers written out of a citation:
a number taken from the literature or from the source articles is written inside `<cite>...</cite>`, which
Jupyter and GitHub render in italics, so that a reader sees it is quoted, not measured.

    python tools/check_numbers.py [NOTEBOOK ...] [--verbose]
"""
import argparse, bisect, json, re, sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r'(?<![\w.\-/^])(?<!\w-)[+\-−]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:e[+\-]?\d+)?(?![\w]*\(|\d)')
VALUE = re.compile(r'(?<![\w])[+\-]?(?:\d{1,3}(?:[,_]\d{3})+|\d+)(?:\.\d+)?(?:e[+\-]?\d+)?')
SKIP_SPANS = [re.compile(p, re.S) for p in (
    r'<cite>.*?</cite>',       # quoted from the literature or the articles
    r'```.*?```', r'`[^`]*`',  # code
    r'\$\$.*?\$\$', r'\$[^$\n]+\$',  # maths
    r'\]\([^)]*\)', r'<[^>]+>', r'https?://\S+',  # link targets, HTML tags, bare addresses
    r'!\[[^\]]*\]',            # image alt texts
    r'\d[\d,]*(?:\s?[×x]\s?\d[\d,]*)+',  # sizes: 224×224, 8x8, 1,683 x 1,683
    r'§\s?\d+(?:\.\d+)*',           # section numbers
    r"\b95\s?%(?= (?:bootstrap |confidence |Student's t |t )?(?:interval|CI)\b)",  # the level of an interval, not a measurement
)]
NAMED = re.compile(r'\b(?:chapters?|nb|notebooks?|issue|article|articles|seed|step|part|figure|section)\s+((?:\d+(?:\s*(?:,|and|or|-|to)\s*)?)+)', re.I)
YEAR = re.compile(r'^(1[89]\d\d|20[0-4]\d)$')


@lru_cache(None)  # each notebook is read once, however many cells name it
def cells(nb: Path) -> list:
    return json.loads(nb.read_text())['cells']


def _text(x) -> str: return ''.join(x) if isinstance(x, list) else str(x)


def outputs_text(nb: Path) -> str:
    "Everything a notebook printed: streams, results (plain text, HTML, markdown) and error messages."
    out = []
    for c in cells(nb):
        for o in c.get('outputs', []):
            if 'text' in o: out.append(_text(o['text']))
            for kind in ('text/plain', 'text/html', 'text/markdown'):
                if kind in o.get('data', {}): out.append(_text(o['data'][kind]))
            if 'evalue' in o: out.append(o['evalue'])
    return '\n'.join(out)


def code_text(nb: Path) -> str: return '\n'.join(_text(c['source']) for c in cells(nb) if c['cell_type'] == 'code')


def parse(s: str) -> float: return float(s.replace(',', '').replace('_', '').replace('−', '-'))


@lru_cache(None)
def values(text: str) -> tuple:
    "Every number in a text, as floats (signs dropped)."
    return tuple(sorted({abs(parse(m.group())) for m in VALUE.finditer(text)}))


CITED = re.compile(r'bench/(?:results/)?(\w+)\.(?:py|txt)\b')


def cited(text: str) -> tuple: return tuple(sorted(set(CITED.findall(text))))


@lru_cache(None)
def bench_text(names: tuple) -> str:
    "The results files of the benchmarks `names` (see the module's docstring)."
    files = [p for p in sorted((ROOT/'bench'/'results').glob('*.txt')) if not p.stem.endswith('.quick')
             and any(p.stem == n or p.stem.startswith(n + '_') for n in names)]
    return '\n'.join(p.read_text() for p in files)


def notebook(n: str) -> Path | None:
    found = sorted((ROOT/'nbs').glob(f'{int(n):02d}_*.ipynb'))
    return found[0] if found else None


def matches(token: str, pool: tuple, percent: bool = False) -> bool:
    "Does any value in `pool` round to `token` at its written precision (a percentage also as a fraction: 84.2% = 0.842)?"
    mant = token.split('e')[0]
    v = abs(parse(token))
    dec = len(mant.split('.')[1]) if '.' in mant else 0
    tol = 0.5 * 10 ** -dec + 1e-9
    if 'e' in token: tol = abs(v) * 0.05
    for target, t in ((v, tol), (v / 100, tol / 100))[:2 if percent else 1]:
        i = bisect.bisect_left(pool, target - t)
        if i < len(pool) and pool[i] <= target + t: return True
    return False


def prose_numbers(md: str):
    "(number, is it a percentage, sentence) for each number in a markdown text that the check must find."
    plain = md
    for sp in SKIP_SPANS: plain = sp.sub(lambda m: ' ' * len(m.group()), plain)
    named = {(m.start(1), m.end(1)) for m in NAMED.finditer(plain)}
    for m in NUMBER.finditer(plain):
        tok = m.group().lstrip('+-−')
        if any(a <= m.start() < b for a, b in named) or YEAR.match(tok): continue
        after = plain[m.end():m.end() + 3]
        if re.match(r'(st|nd|rd|th)\b', after): continue  # ordinals
        s = plain.rfind('.', 0, max(0, m.start() - 1)); e = plain.find('. ', m.end())
        yield tok, re.match(r'(\s*/\s*[\d.]+)*\s?%', plain[m.end():m.end() + 40]) is not None, ' '.join(plain[s + 1:e if e > 0 else len(plain)].split())[:200]


def chapters_named(md: str) -> set:
    return {int(n) for m in NAMED.finditer(md) if m.group(0).lower().startswith(('chapter', 'nb', 'notebook'))
            for n in re.findall(r'\d+', m.group(1))}


def check_notebook(nb: Path) -> list:
    own = outputs_text(nb) + '\n' + code_text(nb)
    missing = []
    for c in cells(nb):
        if c['cell_type'] != 'markdown': continue
        md = _text(c['source'])
        others = [outputs_text(p) + code_text(p) for n in chapters_named(md) if (p := notebook(n)) and p != nb]
        pool = values('\n'.join([own, bench_text(cited(md)), *others]))
        missing += [(nb.name, tok, sent) for tok, pc, sent in prose_numbers(md) if not matches(tok, pool, pc)]
    return missing + check_wall_times(nb, [_text(c['source']) for c in cells(nb)[:1]], nb.name)


RUN_ALL = re.compile(r'\*\*Run All\*\*[^:]*: (\d[\d,]*) s|notebook ran in (\d[\d,]*) s|notebook (\d[\d,]*) s\b')
WALL = re.compile(r'(?:whole notebook:|notebook wall time:|notebook ran in) (\d+) s')


def wall_time(nb: Path) -> int | None:
    "The notebook's whole run time as its last timing cell printed it."
    found = WALL.findall(outputs_text(nb))
    return int(found[-1]) if found else None


def check_wall_times(nb: Path, texts: list[str], where: str) -> list:
    "Every 'Run All ...: N s', 'the notebook ran in N s' and 'notebook N s' in `texts` must be the time the notebook's last run printed."
    t = wall_time(nb)
    return [(where, n, f"the notebook's time, but its last run printed {t} s" if t else "the notebook's time, but it prints none")
            for text in texts for m in RUN_ALL.finditer(text) for n in [next(g for g in m.groups() if g)] if parse(n) != t]


def check_readme() -> list:
    "Each row of the README's chapter table against its notebook (and the bench results it cites)."
    missing = []
    for line in (ROOT/'README.md').read_text().splitlines():
        m = re.match(r'\|\s*(\d\d)\s*\|', line)
        if not m or not (nb := notebook(m.group(1))): continue
        others = [outputs_text(p) + code_text(p) for n in chapters_named(line) if (p := notebook(n))]
        pool = values('\n'.join([outputs_text(nb), code_text(nb), bench_text(cited(line)), *others]))
        status = line.rsplit('|', 2)[-2]  # the 'status' column: what was measured
        missing += [(f'README.md ({nb.name})', tok, sent) for tok, pc, sent in prose_numbers(status) if not matches(tok, pool, pc)]
        missing += check_wall_times(nb, [status], f'README.md ({nb.name})')
    return missing


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*', type=Path)
    p.add_argument('--verbose', action='store_true', help='print every unfound number with its sentence')
    a = p.parse_args(argv)
    nbs = a.notebooks or sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))
    missing = [m for nb in nbs for m in check_notebook(nb)] + ([] if a.notebooks else check_readme())
    for where, tok, sent in missing: print(f"{where}: {tok}  in: {sent}")
    if missing:
        print(f"\n{len(missing)} numbers in prose come from no output: print them from the notebook or a bench/results file, "
              "or write a quoted number inside <cite>...</cite> with its source.", file=sys.stderr)
        return 1
    where = f"{len(nbs)} notebook(s)" + ('' if a.notebooks else " and the README's chapter table")
    print(f"every number in the prose of {where} comes from an output.")
    return 0


if __name__ == '__main__':
    sys.exit(main())
