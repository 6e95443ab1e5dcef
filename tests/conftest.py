import functools, os, sys, threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

os.environ.setdefault('OMP_NUM_THREADS', '1')
SCRIPTS = Path(__file__).parent / 'scripts'
PY = sys.executable
WEEKEND = str(Path(sys.executable).with_name('weekend'))


def cuda_or_skip(n_gpus: int = 1):
    "Mark a test that needs `n_gpus` CUDA GPUs: skipped without them, except under `make test-gpu` (WEEKEND_NB_REQUIRE_CUDA=1), where that fails."
    import torch
    have = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if have >= n_gpus or os.environ.get('WEEKEND_NB_REQUIRE_CUDA') and n_gpus == 1: return pytest.mark.cuda
    return pytest.mark.skipif(True, reason=f"needs {n_gpus} CUDA GPU(s), this machine has {have}")


def kill_and_resume(tmp_path: Path, args: list[str], checkpoint: str, past: int, model: str = 'model.pt', after_kill=None):
    """`weekend ARGS` run to the end in one folder; in another, killed with SIGKILL once `checkpoint` (relative to the
    output folder) records a step of `past` or more, then run again with `--resume`. Returns the resumed run (its
    stdout says where it resumed) and the state dicts of the two runs' saved `model`, which should be identical.
    `after_kill(folder)`, if given, is called with the killed run's output folder before the resume."""
    import signal, subprocess, time
    import torch
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'full')], check=True, capture_output=True, env=env, timeout=600)
    ck = tmp_path / 'killed' / checkpoint
    p = subprocess.Popen([WEEKEND, *args, '--out', str(tmp_path / 'killed')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    t0 = time.time()
    while not ck.exists() or torch.load(ck, weights_only=True)['step'] < past:
        assert p.poll() is None and time.time() - t0 < 300, 'the run ended before it could be killed'
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    if after_kill: after_kill(tmp_path / 'killed')
    r = subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'killed'), '--resume'], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    chapter = Path(checkpoint).parts[0]
    return r, [torch.load(tmp_path / d / chapter / model, weights_only=True)['state']['model'] for d in ('full', 'killed')]


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


_exit_status = None

def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """After pytest has reported, end the process without the interpreter's teardown if background threads are alive.

    A thread that is inside torch's C++ code when Python tears down cannot return to Python; the C++ runtime then aborts
    the whole process ('terminate called without an active exception'), turning a passed run into exit code 134. The
    site's server waits for its workers on shutdown; this catches any other thread (named here, so it can be fixed)."""
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    if alive and _exit_status is not None:
        print(f"\nconftest: {len(alive)} background thread(s) alive at exit ({', '.join(sorted({t.name for t in alive}))}); "
              f"exiting with pytest's status {_exit_status} without interpreter teardown", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(_exit_status)
