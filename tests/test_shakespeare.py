"Chapter 50 as a user meets it: `generate`'s bad input gets clear errors, and a killed `weekend run shakespeare` resumes."

import pytest
import torch

from conftest import kill_and_resume
from weekend_nb.shakespeare import TINY, CharVocab, generate, get_model, load_model, save_model


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    "An untrained TINY GPT, saved and loaded as `generate` would load it: the checks here are about input, not quality."
    vocab = CharVocab("\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    torch.manual_seed(0)
    path = save_model(tmp_path_factory.mktemp('m') / 'model.pt', TINY, get_model(TINY, len(vocab)), vocab)
    return load_model(path)


@pytest.mark.parametrize('kwargs, error, text', [
    (dict(prompt='Zoë'), ValueError, "never saw: 'ë'"),
    (dict(prompt=b'ROMEO'), TypeError, 'must be a str'),
    (dict(n_chars=0), ValueError, 'n_chars must be a whole number from 1'),
    (dict(n_chars=-3), ValueError, 'n_chars'),
    (dict(n_chars=10**7), ValueError, '100,000'),
    (dict(n_chars=2.5), ValueError, 'n_chars'),
    (dict(temperature=-0.5), ValueError, 'temperature must be 0'),
    (dict(temperature=float('inf')), ValueError, 'temperature'),
    (dict(top_k=0), ValueError, 'top_k'),
])
def test_bad_input_gets_a_clear_error(model, kwargs, error, text):
    with pytest.raises(error, match=None) as e: generate(**{'prompt': 'ROMEO:', 'n_chars': 10, **kwargs}, model=model)
    assert text in str(e.value)


def test_documented_edge_cases(model):
    assert len(generate('', 25, model=model, seed=0)) == 25                      # an empty prompt starts after a line break
    long = 'To be, or not to be: ' * 20                                           # longer than the model's 32-character context
    assert generate(long, 5, model=model, seed=0).startswith(long)


def test_greedy_takes_the_likeliest_character(model):
    "Temperature 0: every generated character is the model's argmax given all the text before it (checked in one forward pass)."
    m, vocab = model
    out = generate('ROMEO', 20, temperature=0, model=model)
    assert out.startswith('ROMEO') and len(out) == 25
    with torch.no_grad(): logits, _ = m(torch.tensor([vocab.encode(out[:-1])]))  # (1, 24, vocab): what follows each prefix
    assert vocab.decode(logits[0, 4:].argmax(-1)) == out[5:]
    assert generate('ROMEO', 20, temperature=1.0, model=model, seed=1) != out  # sampling is not greedy (an untrained model is unsure)


def test_no_model_yet(tmp_path):
    with pytest.raises(FileNotFoundError, match='weekend run shakespeare'): load_model(tmp_path / 'model.pt')


def test_killed_run_resumes_to_the_same_model(tmp_path):
    "SIGKILL in the middle of the GPT's training; `--resume` ends with the same weights as a run that was never killed."
    r, (a, b) = kill_and_resume(tmp_path, ['run', 'shakespeare', '--preset', 'tiny', '--set', 'max_iters=600', '--set', 'eval_every=50'],
                                'shakespeare/gpt_checkpoint.pt', past=150)
    assert 'resumed from step' in r.stdout
    assert all(torch.equal(a[k], b[k]) for k in a)
