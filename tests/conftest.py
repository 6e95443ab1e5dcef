import functools, os, sys, threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

os.environ.setdefault('OMP_NUM_THREADS', '1')
SCRIPTS = Path(__file__).parent / 'scripts'
PY = sys.executable


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass


@pytest.fixture
def http_dir(tmp_path):
    "A folder served over HTTP on 127.0.0.1; yields (folder, base URL)."
    root = tmp_path / 'www'
    root.mkdir()
    srv = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=root))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield root, f'http://127.0.0.1:{srv.server_port}'
    srv.shutdown()


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    "An empty data cache for one test."
    d = tmp_path / 'cache'
    monkeypatch.setenv('WEEKEND_NB_DATA', str(d))
    monkeypatch.delenv('WEEKEND_NB_OFFLINE', raising=False)
    return d
