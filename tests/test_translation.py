"Chapter 60 as a user meets it: `translate`'s bad input gets clear errors, and a killed `weekend run translation` resumes."
import os, signal, subprocess, sys, time
from pathlib import Path

import pytest
import torch

from weekend_nb.translation import TINY, Seq2Seq, Vocab, load_model, save_model, translate

WEEKEND = str(Path(sys.executable).with_name('weekend'))


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    "An untrained TINY translator, saved and loaded as `translate` would load it: the checks here are about input, not quality."
    sv, tv = Vocab(['he is tall .', 'i am here .']), Vocab(['él es alto .', 'estoy aquí .'])
    torch.manual_seed(0)
    m = Seq2Seq(len(sv), len(tv), TINY.emb, TINY.hidden, TINY.attention)
    return load_model(save_model(tmp_path_factory.mktemp('m') / 'model.pt', TINY, m, sv, tv, 'spa'))


@pytest.mark.parametrize('sentences, kwargs, error, text', [
    (b'he is tall', {}, TypeError, 'must be a str or a list'),
    (['he is tall', None], {}, TypeError, 'item 1 is a NoneType'),
    ('word ' * 61, {}, ValueError, 'at most 60'),
    ('he is tall', dict(beam=0), ValueError, 'beam must be a whole number'),
    ('he is tall', dict(beam=2.5), ValueError, 'beam'),
    ('he is tall', dict(beam=True), ValueError, 'beam'),
])
def test_bad_input_gets_a_clear_error(model, sentences, kwargs, error, text):
    with pytest.raises(error) as e: translate(sentences, model=model, **kwargs)
    assert text in str(e.value)


def test_documented_edge_cases(model):
    assert translate(['', '   ', '?!'], model=model)[:2] == ['', '']          # nothing to translate: ''
    assert isinstance(translate('Zebras juggle quantum teapots!', model=model), str)  # unknown words are read as <unk>
    out, att = translate('He is tall.', model=model, attention=True)
    assert att.shape[1] == 5 and abs(att.sum(1) - 1).max() < 1e-5          # 4 tokens and </s>; each row a distribution
    assert translate('he is tall', beam=3, model=model) == translate('he is tall', beam=3, model=model)


def test_no_model_yet(tmp_path):
    with pytest.raises(FileNotFoundError, match='weekend run translation'): load_model(tmp_path / 'model.pt')


def test_killed_run_resumes_to_the_same_model(tmp_path):
    "SIGKILL during the attention model's training; `--resume` ends with the same weights as a run that was never killed."
    args = ['run', 'translation', '--preset', 'tiny', '--set', 'epochs=6']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'full')], check=True, capture_output=True, env=env, timeout=600)
    ck = tmp_path / 'killed' / 'translation' / 'bahdanau_checkpoint.pt'
    p = subprocess.Popen([WEEKEND, *args, '--out', str(tmp_path / 'killed')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    t0 = time.time()
    while not ck.exists() or torch.load(ck, weights_only=True)['step'] < 2:
        assert p.poll() is None and time.time() - t0 < 300, 'the run ended before it could be killed'
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    r = subprocess.run([WEEKEND, *args, '--out', str(tmp_path / 'killed'), '--resume'], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0 and 'resumed after epoch' in r.stdout, r.stderr
    a, b = (torch.load(tmp_path / d / 'translation' / 'model.pt', weights_only=True)['state']['model'] for d in ('full', 'killed'))
    assert all(torch.equal(a[k], b[k]) for k in a)
