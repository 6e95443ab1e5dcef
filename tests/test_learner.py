"The Learner's options that change the step: torch.compile and mixed precision (CPU here; CUDA in `make test-gpu`)."
import pytest
import torch
from torch import nn

from conftest import cuda_or_skip

from weekend_nb.core import set_seed
from weekend_nb.datasets import synthetic_classification
from weekend_nb.learner import Learner, accuracy, get_dls


DEVICES = ['cpu', pytest.param('cuda', marks=cuda_or_skip())]


def _learner(device='cpu', **kw):
    set_seed(0)
    ds = synthetic_classification(512, n_classes=4)
    train, valid = torch.utils.data.random_split(ds, [384, 128], generator=torch.Generator().manual_seed(0))
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
    return Learner(model, get_dls(train, valid, bs=32), nn.functional.cross_entropy, lr=1e-2, metrics={'accuracy': accuracy},
                   device=device, progress=False, **kw)


@pytest.mark.parametrize('device', DEVICES)
def test_compile_trains_like_eager(device):
    "torch.compile changes how the step runs, not what it computes: same weights as eager after two epochs."
    eager, compiled = _learner(device, use_amp=False).fit(2), _learner(device, use_amp=False, compile=True).fit(2)
    assert compiled.model is not compiled.module  # the compiled wrapper trained, the plain module is what is kept
    tol = dict(rtol=1e-4, atol=1e-5) if device == 'cpu' else dict(rtol=1e-3, atol=1e-4)  # GPU kernels reorder sums more
    for a, b in zip(eager.module.parameters(), compiled.module.parameters()):
        torch.testing.assert_close(a, b, **tol)
    assert compiled.history[-1]['accuracy'] > 0.7


def test_amp_policy_off_cuda():
    "Off CUDA mixed precision is off by default; asked for, it is bf16 autocast (no loss scaler: bf16 needs none), and it trains."
    default, asked = _learner(), _learner(use_amp=True)
    assert not default.use_amp and not default.scaler.is_enabled()
    assert asked.use_amp and asked.amp_dtype == torch.bfloat16 and not asked.scaler.is_enabled()
    seen = []
    orig = asked.model.forward
    asked.model.forward = lambda x: (asked.module.training and seen.append(torch.is_autocast_enabled('cpu'))) or orig(x)  # training steps only
    assert asked.fit(1).history[-1]['accuracy'] > 0.5 and all(seen) and seen
    assert default.fit(1).history[-1]['accuracy'] > 0.5


@cuda_or_skip()
def test_amp_on_cuda_trains():
    "On CUDA mixed precision is on by default (bf16 where the GPU has it, else fp16 with a loss scaler) and trains as well."
    learn = _learner('cuda')
    assert learn.use_amp and (learn.amp_dtype == torch.bfloat16) == torch.cuda.is_bf16_supported()
    assert learn.scaler.is_enabled() == (learn.amp_dtype == torch.float16)
    assert learn.fit(2).history[-1]['accuracy'] > 0.7


def test_one_cycle_keeps_the_ratio_of_parameter_groups():
    "1cycle with an optimiser whose groups have their own rates (chapter 30: head 10x body): each group peaks at its own rate."
    from weekend_nb.learner import Callback
    seen = []
    class Spy(Callback):
        def after_batch(self, learn): seen.append([g['lr'] for g in learn.opt.param_groups])
    def two_groups(params, lr, weight_decay):
        ps = list(params)
        return torch.optim.AdamW([dict(params=ps[:2], lr=lr), dict(params=ps[2:], lr=lr * 10)], lr=lr)
    _learner(opt_func=two_groups, one_cycle=True, cbs=[Spy()]).fit(2)
    lrs = torch.tensor(seen)
    assert torch.allclose(lrs[:, 1] / lrs[:, 0], torch.tensor(10.0))  # the ratio holds at every step
    assert lrs[:, 0].max() == pytest.approx(1e-2, rel=0.05) and lrs[:, 1].max() == pytest.approx(1e-1, rel=0.05)
