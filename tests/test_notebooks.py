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


def _check_numbers():
    import importlib.util
    spec = importlib.util.spec_from_file_location('check_numbers', NBS[0].parent.parent / 'tools' / 'check_numbers.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def test_number_check_finds_an_unbacked_number():
    "The check itself: a number no output prints is caught; a printed one (rounded, as a percentage), a quoted one and code are not."
    cn = _check_numbers()
    pool = cn.values("accuracy 0.84192\nwall time 359.4 s\nlr = 3e-4")
    found = lambda md: [tok for tok, pc, _ in cn.prose_numbers(md) if not cn.matches(tok, pool, pc)]
    assert found("It scores 84.2% in 359 s.") == []
    assert found("It scores 0.842, then 85.1% after 6,000 steps.") == ['85.1', '6,000']
    assert found("Published: <cite>99.2% (LeCun et al.)</cite>; `steps=6_000`; $\\ln 4 = 1.39$; chapter 60, a 224x224 image.") == []
    assert found("Two runs: 83.1 / 84.2 / 86.8% here.") == ['83.1', '86.8']
    assert found("A 95% interval of 1.4 points; 95% of them.") == ['1.4', '95']  # an interval's level is not a measurement


def test_number_check_takes_a_benchmark_number_only_from_the_files_cited():
    "A number from bench/results backs only the text that names its script or file; `--quick` results back nothing."
    cn = _check_numbers()
    assert cn.cited("`bench/vision.py --style-only` and bench/results/gan.txt, not bench/README") == ('gan', 'vision')
    assert cn.bench_text(()) == ''
    vision = cn.bench_text(('vision',))
    assert 'bench/vision.py --style-only' in vision and 'bench/vision.py --quick' not in vision  # vision_style.txt, not vision.quick.txt
    assert 'bench/gan.py' not in vision


def test_number_check_wants_the_notebooks_own_run_time():
    "A run time in a notebook's header or README row must be the one its last timing cell printed, not any number it printed."
    cn = _check_numbers()
    nb = next(p for p in NBS if p.name.startswith('90_'))
    t = cn.wall_time(nb)
    assert t and cn.check_wall_times(nb, [f"**Run All** on a 2-core CPU: {t} s", f"notebook {t} s", f"The whole notebook ran in {t} s"], 'x') == []
    assert [n for _, n, _ in cn.check_wall_times(nb, [f"**Run All** on a 2-core CPU: {t + 17} s", f"notebook {t - 1} s"], 'x')] == [str(t + 17), str(t - 1)]


def test_every_number_in_prose_comes_from_an_output():
    "tools/check_numbers.py over every notebook and the README's chapter table (its output says which numbers it cannot find)."
    assert _check_numbers().main([]) == 0


def test_modules_and_export_cells_stay_small():
    "No module over 450 lines and no export cell over 80: each can be read whole (a class's methods may go in later cells with @patch)."
    lib = NBS[0].parent.parent / 'weekend_nb'
    big = {p.name: n for p in lib.glob('*.py') if p.name != '_modidx.py' and (n := len(p.read_text().splitlines())) > 450}
    assert not big, f"modules over 450 lines: {big}"
    long = [(nb.name, i, n) for nb in NBS for i, c in enumerate(cells(nb)) if c['cell_type'] == 'code'
            and re.match(r'#\| *export\b', ''.join(c['source'])) and (n := len(''.join(c['source']).splitlines())) > 80]
    assert not long, f"export cells over 80 lines (notebook, cell, lines): {long}"


def _defined(tree) -> set[str]:
    "Names a cell defines at its top level: functions, classes, assignments, imports."
    import ast
    out = set()
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): out.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                out |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
        elif isinstance(n, (ast.Import, ast.ImportFrom)): out |= {(a.asname or a.name).split('.')[0] for a in n.names}
    return out


@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.name)
def test_no_cell_calls_a_function_before_what_it_needs_is_defined(nb):
    """A function that uses a name defined only in a later cell works in the module, but a cell in between that calls it
    fails in the notebook; the tests skip slow cells, so only a reader's Run All would find out. Checked statically:
    no code cell between the two mentions the function."""
    import ast, builtins
    code = [''.join(c['source']) for c in cells(nb) if c['cell_type'] == 'code']
    trees = []
    for s in code:
        try: trees.append(ast.parse(re.sub(r'^\s*[%!].*$', '', re.sub(r'^#\|.*$', '', s, flags=re.M), flags=re.M)))
        except SyntaxError: trees.append(ast.parse(''))
    defs = [_defined(t) for t in trees]
    first = {}
    for i, d in enumerate(defs):
        for name in d: first.setdefault(name, i)
    for i, t in enumerate(trees):
        for f in (n for n in t.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))):
            local = {n.id for n in ast.walk(f) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
            local |= {a.arg for n in ast.walk(f) if isinstance(n, ast.arguments) for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a}
            local |= {n.name for n in ast.walk(f) if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n is not f}
            local |= {(a.asname or a.name).split('.')[0] for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
            needs = {n.id for n in ast.walk(f) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                     and n.id not in local and n.id not in dir(builtins) and first.get(n.id, -1) > i}
            for name in needs:
                between = [j for j in range(i + 1, first[name]) if re.search(rf'\b{f.name}\s*\(', code[j])]  # called there
                assert not between, f"{nb.name}: cell {between[0]} uses {f.name}, which needs {name}, defined only later (cell {first[name]})"
