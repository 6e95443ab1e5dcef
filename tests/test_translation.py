"Chapters 60 and 61 as a user meets them: `translate`'s bad input gets clear errors, and a killed `weekend run translation` (or `translation_all`) resumes."

import json

import pytest
import torch

from conftest import kill_and_resume
from weekend_nb.translation import TINY, Seq2Seq, Vocab, load_model, save_model, translate


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
    r, (a, b) = kill_and_resume(tmp_path, ['run', 'translation', '--preset', 'tiny', '--set', 'epochs=6'],
                                'translation/bahdanau_checkpoint.pt', past=60)  # 38 steps an epoch: killed after the second
    assert 'resumed from step 76' in r.stdout
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_killed_full_strength_run_resumes_with_its_own_vocabularies(tmp_path):
    """Chapter 61: SIGKILL during the Transformer's training (after the GRU's); `--resume` goes on from the checkpoint with the
    vocabularies the killed run learned (byte-pair merges differ from one process to the next, so it must not learn new ones).
    The weights are not compared with the never-killed run's: that run, another process, learned other merges."""
    learned = []  # what the killed run wrote, read before the resumed run can touch it
    r, _ = kill_and_resume(tmp_path, ['run', 'translation_all', '--preset', 'tiny', '--set', 'epochs=3'],
                           'translation_all/transformer_checkpoint.pt', past=47, model='transformer_checkpoint.pt',  # 47 steps an epoch
                           after_kill=lambda d: learned.extend(json.loads((d / 'translation_all' / 'vocabularies.json').read_text())))
    assert 'resumed from step 47' in r.stdout
    saved = torch.load(tmp_path / 'killed' / 'translation_all' / 'model.pt', weights_only=False)['state']
    assert [saved['src'], saved['tgt']] == learned  # the model the resumed run saved speaks the killed run's vocabularies
