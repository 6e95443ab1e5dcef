"The Learner's options that change the step: torch.compile and mixed precision (CPU here; CUDA in `make test-gpu`)."
import torch
from torch import nn

from weekend_nb.core import set_seed
from weekend_nb.datasets import synthetic_classification
from weekend_nb.learner import Learner, accuracy, get_dls


def _learner(**kw):
    set_seed(0)
    ds = synthetic_classification(512, n_classes=4)
    train, valid = torch.utils.data.random_split(ds, [384, 128], generator=torch.Generator().manual_seed(0))
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
    return Learner(model, get_dls(train, valid, bs=32), nn.functional.cross_entropy, lr=1e-2, metrics={'accuracy': accuracy},
                   device='cpu', progress=False, **kw)


def test_compile_trains_like_eager():
    "torch.compile changes how the step runs, not what it computes: same weights as eager after two epochs."
    eager, compiled = _learner().fit(2), _learner(compile=True).fit(2)
    assert compiled.model is not compiled.module  # the compiled wrapper trained, the plain module is what is kept
    for a, b in zip(eager.module.parameters(), compiled.module.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    assert compiled.history[-1]['accuracy'] > 0.7


def test_amp_only_on_cuda():
    "Asking for mixed precision off CUDA trains in float32: the Learner uses AMP only on CUDA."
    learn = _learner(use_amp=True)
    assert not learn.use_amp and not learn.scaler.is_enabled()
    assert learn.fit(1).history[-1]['accuracy'] > 0.5
