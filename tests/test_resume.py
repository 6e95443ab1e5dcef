"Training killed with SIGKILL mid-run and resumed ends with the same weights as an uninterrupted run."
import json, os, signal, subprocess, time

import torch

from conftest import PY, SCRIPTS


def run(*args, **kw):
    r = subprocess.run([PY, str(SCRIPTS / 'train_tiny.py'), *map(str, args)], capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_resume_after_sigkill(tmp_path):
    full = run(tmp_path / 'full.pt')
    ck = tmp_path / 'ck.pt'
    p = subprocess.Popen([PY, str(SCRIPTS / 'train_tiny.py'), str(tmp_path / 'killed.pt'), '--ckpt', str(ck), '--sleep', '0.05'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.time()
    while not ck.exists() or torch.load(ck, weights_only=True)['step'] < 20:  # well into epoch 1 of 3 (24 steps each)
        assert p.poll() is None and time.time() - t0 < 120, 'training ended before it could be killed'
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL and not (tmp_path / 'killed.pt').exists()
    resumed = run(tmp_path / 'resumed.pt', '--ckpt', ck)
    assert 20 <= resumed['resumed_from'] < full['steps']
    assert resumed['steps'] == full['steps']
    a, b = torch.load(tmp_path / 'full.pt'), torch.load(tmp_path / 'resumed.pt')
    for k in a: assert torch.equal(a[k], b[k]), k
    assert not [f for f in tmp_path.iterdir() if f.name.endswith('.tmp')]
