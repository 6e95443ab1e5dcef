"Chapters 30 and 70 as a user meets them: any form of image is taken or refused with a clear error, and a killed `weekend run catsdogs` resumes."

import json, os, signal, subprocess, time

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from conftest import WEEKEND
from weekend_nb.catsdogs import predict
from weekend_nb.pretrained import load_image
from weekend_nb.style import TINY as STYLE_TINY, stylize


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "Image files of every kind a user might have, and some that are not images."
    d = tmp_path_factory.mktemp('images')
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(d / 'rgb.png')
    Image.fromarray(np.zeros((30, 30), np.uint8)).save(d / 'gray.png')
    Image.fromarray(np.full((30, 30, 4), 200, np.uint8)).save(d / 'rgba.png')
    Image.new('1', (8000, 7000)).save(d / 'huge.png')  # 56 megapixels, a small file
    (d / 'text.jpg').write_text('not an image')
    (d / 'empty.png').write_bytes(b'')
    return d


@pytest.mark.parametrize('name, shape', [('rgb.png', (3, 40, 50)), ('gray.png', (3, 30, 30)), ('rgba.png', (3, 30, 30))])
def test_image_files_of_any_mode_become_rgb(files, name, shape):
    x = load_image(files / name)
    assert x.shape == shape and x.dtype == torch.float32 and 0 <= x.min() <= x.max() <= 1


@pytest.mark.parametrize('bad, error, text', [
    ('missing.jpg', FileNotFoundError, 'No image file'),
    ('text.jpg', ValueError, 'not an image PIL can read'),
    ('empty.png', ValueError, 'not an image PIL can read'),
    ('huge.png', ValueError, 'over 50,000,000 pixels; shrink it first'),
])
def test_bad_image_files_get_a_clear_error(files, bad, error, text):
    for f in (load_image, predict, lambda p: stylize(p, 'the_scream', cfg=STYLE_TINY)):
        with pytest.raises(error, match=text): f(files / bad)


@pytest.mark.parametrize('bad, error, text', [
    (torch.rand(2, 3, 4, 5, 6), ValueError, 'one image of shape'),
    (torch.rand(3, 8, 8) * 3, ValueError, r'\[0, 1\]'),
    (torch.full((3, 8, 8), float('nan')), ValueError, r'\[0, 1\]'),
    (np.zeros((5, 5, 7), np.uint8), ValueError, 'one image of shape'),
    ({'not': 'an image'}, TypeError, 'Expected an image path'),
    ([], ValueError, 'No images given'),
])
def test_predict_bad_arrays_get_a_clear_error(bad, error, text):
    with pytest.raises(error, match=text): predict(bad)


def test_predict_takes_any_image_form(files):
    arr = np.array(Image.open(files / 'rgb.png'))
    forms = [files / 'rgb.png', str(files / 'rgb.png'), Image.open(files / 'rgb.png'), arr, torch.from_numpy(arr).permute(2, 0, 1)]
    out = predict(forms)
    assert len(out) == 5 and all(o['label'] in ('cat', 'dog', 'neither') for o in out)
    assert all(o['cat'] == pytest.approx(out[0]['cat'], abs=1e-5) for o in out)  # the same image, whatever its form
    assert len(predict(torch.rand(3, 3, 20, 20))) == 3  # a batch tensor


def test_predict_without_a_trained_model(tmp_path):
    with pytest.raises(FileNotFoundError, match='run `weekend run catsdogs` first'): predict(torch.rand(3, 20, 20), model=tmp_path / 'model.pt')


@pytest.mark.parametrize('kwargs, error, text', [
    (dict(steps=0), ValueError, 'steps must be a whole number'),
    (dict(size=4), ValueError, 'size must be a whole number of pixels from 16'),
    (dict(size=100.5), ValueError, 'size must be'),
    (dict(style='starry_nite'), FileNotFoundError, "No image file or picture called 'starry_nite'"),
])
def test_stylize_bad_arguments_get_a_clear_error(kwargs, error, text):
    with pytest.raises(error, match=text): stylize(**{'cfg': STYLE_TINY, **kwargs})


def test_stylize_takes_arrays_and_lowers_the_loss(files):
    h = []
    out = stylize(np.asarray(Image.open(files / 'rgb.png')), Image.open(files / 'rgba.png').convert('RGB').resize((60, 40)),
                  size=32, steps=5, cfg=STYLE_TINY, history=h)
    assert out.shape == (3, 32, 40) and 0 <= out.min() <= out.max() <= 1
    assert h[-1]['loss'] < h[0]['loss']


def test_killed_catsdogs_run_resumes_to_the_same_results(tmp_path):
    "SIGKILL after the first results are saved; `--resume` skips them and ends with the results and model of a run never killed."
    args = ['run', 'catsdogs', '--preset', 'tiny', '--set', 'budgets=20,40']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'full')], check=True, capture_output=True, env=env, timeout=600)
    progress = tmp_path / 'killed' / 'catsdogs' / 'progress.json'
    p = subprocess.Popen([WEEKEND, *args, '--out', str(tmp_path / 'killed')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    t0 = time.time()
    while not progress.exists() or len(json.loads(progress.read_text())['rows']) < 2:
        assert p.poll() is None and time.time() - t0 < 300, 'the run ended before it could be killed'
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    r = subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'killed'), '--resume'], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert 'results already done' in r.stdout
    full, killed = (pd.read_csv(tmp_path / d / 'catsdogs' / 'results.csv').drop(columns='seconds') for d in ('full', 'killed'))
    pd.testing.assert_frame_equal(full, killed)
    assert len(full) == 2 * 3
    a, b = (torch.load(tmp_path / d / 'catsdogs' / 'model.pt', weights_only=True)['state']['model'] for d in ('full', 'killed'))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    # resuming with another config is refused, in one line
    r = subprocess.run([WEEKEND, *args, '--set', 'size=48', '--out', str(tmp_path / 'killed'), '--resume'], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode != 0 and 'saved with another config' in r.stderr and 'Traceback' not in r.stderr, r.stderr


def test_finetuned_resnet_trains_its_own_copy():
    "ResNet-18 (the online backbone): FineTuned's deep copy must compute features with the copy's weights, not the frozen original's."
    import torchvision, types
    from weekend_nb.catsdogs import FineTuned
    from weekend_nb.pretrained import Pretrained, resnet_features, torchvision_normalize
    m = torchvision.models.resnet18().eval().requires_grad_(False)
    m.features = types.MethodType(resnet_features, m)
    ft = FineTuned(Pretrained(m, torchvision_normalize, 'random weights')).eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        before = ft.body.features(x).clone()
        torch.nn.init.zeros_(ft.body.conv1.weight)
        assert not torch.equal(ft.body.features(x), before)  # the copy's weights are the ones used
    ft(x).sum().backward()
    assert ft.body.layer4[1].conv2.weight.grad is not None  # and they get gradients
