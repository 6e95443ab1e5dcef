"The Learner trains data-parallel under torchrun with no change to the training code: gloo on CPU, NCCL on CUDA (`make test-gpu`)."
import json, os, subprocess

import pytest

from conftest import PY, SCRIPTS, cuda_or_skip


@pytest.mark.parametrize('device', ['cpu', pytest.param('cuda', marks=cuda_or_skip(n_gpus=2))])
def test_torchrun_two_processes(tmp_path, device):
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([PY, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2',
                        str(SCRIPTS / 'train_tiny.py'), str(tmp_path / 'ddp.pt'), '--epochs', '4', '--device', device],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    runs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    assert sorted(x['rank'] for x in runs) == [0, 1] and all(x['world'] == 2 for x in runs)
    assert all(x['device'].startswith(device) for x in runs)  # on CUDA: cuda:0 and cuda:1
    # each process sees half the data: 768 samples / 2 processes / batch 32 = 12 steps an epoch
    assert all(x['steps'] == 4 * 12 for x in runs)
    # DDP keeps the replicas identical, and together they learn
    assert abs(runs[0]['checksum'] - runs[1]['checksum']) < 1e-5
    assert runs[0]['train_loss'][-1] < runs[0]['train_loss'][0] and runs[0]['accuracy'] > 0.6
    assert (tmp_path / 'ddp.pt').exists()
