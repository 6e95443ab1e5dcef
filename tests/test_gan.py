"Chapter 80 as a user meets it: the score's formula against torchmetrics, `sample`'s bad input, and a killed `weekend run gan` resumes."

import pytest
import torch

from conftest import kill_and_resume
from weekend_nb.gan import GAN, TINY, frechet_distance, load_model, sample, save_model


def test_frechet_distance_matches_torchmetrics():
    "The chapter's formula (eigenvalues, float64) against torchmetrics' FID formula (the one its Inception FID uses)."
    fid = pytest.importorskip('torchmetrics.image.fid')
    g = torch.Generator().manual_seed(0)
    a = torch.randn(3000, 32, generator=g) @ torch.randn(32, 32, generator=g)
    b = torch.randn(3000, 32, generator=g) @ torch.randn(32, 32, generator=g) + 0.5
    for x, y in [(a, b), (a, a[:1500]), (torch.relu(a), torch.relu(b))]:  # relu: singular covariances, as real features have
        x, y = x.double(), y.double()
        ref = fid._compute_fid(x.mean(0), torch.cov(x.T), y.mean(0), torch.cov(y.T)).item()
        assert frechet_distance(x, y) == pytest.approx(ref, rel=1e-4, abs=1e-6)


@pytest.fixture(scope='module')
def model_path(tmp_path_factory):
    "An untrained TINY GAN saved as `weekend run gan` saves it: the checks here are about input, not quality."
    torch.manual_seed(0)
    return save_model(tmp_path_factory.mktemp('m') / 'model.pt', TINY, GAN(TINY))


@pytest.mark.parametrize('kwargs, error, text', [
    (dict(n=0), ValueError, 'n must be a whole number from 1 to 100,000'),
    (dict(n=-5), ValueError, 'n must be'),
    (dict(n=10**9), ValueError, 'call sample again'),
    (dict(n=2.5), ValueError, 'n must be'),
    (dict(n='64'), ValueError, 'n must be'),
    (dict(n=True), ValueError, 'n must be'),
    (dict(n=4, seed=1.5), TypeError, 'seed must be'),
    (dict(n=4, model=42), TypeError, 'model must be a GAN'),
])
def test_sample_bad_input_gets_a_clear_error(model_path, kwargs, error, text):
    kwargs.setdefault('model', model_path)
    with pytest.raises(error) as e: sample(**kwargs)
    assert text in str(e.value)


def test_sample_shapes_and_seeds(model_path):
    a = sample(5, seed=3, model=model_path)
    assert a.shape == (5, 28, 28) and a.dtype == torch.uint8
    assert torch.equal(a, sample(5, seed=3, model=load_model(model_path)))
    assert torch.equal(sample(1, seed=3, model=model_path)[0], a[0])   # the first of a batch does not depend on the batch size


def test_no_model_yet(tmp_path):
    with pytest.raises(FileNotFoundError, match='weekend run gan'): sample(4, model=tmp_path / 'model.pt')


def test_killed_run_resumes_to_the_same_model(tmp_path):
    "SIGKILL in the middle of a round; `--resume` ends with the same generator and discriminator as a run that was never killed."
    r, (a, b) = kill_and_resume(tmp_path, ['run', 'gan', '--preset', 'tiny', '--set', 'steps=600', '--set', 'eval_every=200'],
                                'gan/checkpoint.pt', past=240)
    assert 'resumed from step' in r.stdout
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_gan_learner_refuses_torchrun(monkeypatch):
    "Its step updates the networks directly, so DDP could not average their gradients: a clear error, not silently diverging replicas."
    from weekend_nb.gan import GANLearner, gan_batches
    monkeypatch.setenv('WORLD_SIZE', '2')
    x = torch.zeros(8, 1, 28, 28)
    with pytest.raises(NotImplementedError, match='without torchrun'):
        GANLearner(GAN(TINY), gan_batches(x, torch.zeros(8, dtype=torch.long), TINY), TINY)
