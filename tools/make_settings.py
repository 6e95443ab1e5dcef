"""Write settings.ini from pyproject.toml, for nbdev 2 tools and CI workflows that still read it.

pyproject.toml (`[project]` and `[tool.nbdev]`) is the one source: nbdev 3 reads only that and ignores
settings.ini. `python tools/make_settings.py` writes the file, `--check` exits 1 if it is stale.
"""
import re, sys
from pathlib import Path
try: import tomllib
except ImportError: import tomli as tomllib  # Python 3.10

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# Generated from pyproject.toml by tools/make_settings.py for nbdev 2 tools: edit pyproject.toml, not this file.\n"


def render(pyproject: Path = ROOT / 'pyproject.toml') -> str:
    d = tomllib.loads(pyproject.read_text())
    proj, nbdev = d['project'], d['tool']['nbdev']
    init = (ROOT / nbdev['lib_path'] / '__init__.py').read_text()
    url = proj['urls']['Repository'].rstrip('/')
    user, repo = url.split('/')[-2:]
    deps = lambda reqs: ' '.join(r.replace(' ', '') for r in reqs)
    cfg = dict(
        repo=repo, lib_name=proj['name'], version=re.search(r"__version__\s*=\s*['\"]([^'\"]+)", init).group(1),
        min_python=proj['requires-python'].lstrip('>='), license=proj['license'].lower(), black_formatting='False',
        doc_path='_docs', lib_path=nbdev['lib_path'], nbs_path=nbdev['nbs_path'], recursive='True',
        tst_flags=nbdev['tst_flags'], put_version_in_init=str(nbdev['put_version_in_init']), branch='main',
        custom_sidebar='False', doc_host=f'https://{user}.github.io', doc_baseurl=f'/{repo}', git_url=url,
        title=proj['name'], audience='Developers', author=proj['authors'][0]['name'], author_email='',
        copyright=f"{proj['authors'][0]['name']}", description=proj['description'], keywords=' '.join(proj['keywords']),
        language='English', status='3', user=user, requirements=deps(proj['dependencies']),
        dev_requirements=deps(proj['optional-dependencies']['dev']),
        console_scripts=' '.join(f'{k}={v}' for k, v in proj['scripts'].items()),
        readme_nb=nbdev['readme_nb'], clear_all=str(nbdev['clear_all']), jupyter_hooks=str(nbdev['jupyter_hooks']))
    return HEADER + '[DEFAULT]\n' + ''.join(f'{k} = {v}\n' for k, v in cfg.items())


if __name__ == '__main__':
    text, ini = render(), ROOT / 'settings.ini'
    if '--check' in sys.argv:
        if not ini.exists() or ini.read_text() != text:
            sys.exit('settings.ini is out of date with pyproject.toml: run `make settings`')
        print('settings.ini matches pyproject.toml')
    else:
        ini.write_text(text)
