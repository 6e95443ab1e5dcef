"The `weekend` command as a user runs it: results for good input, one-line errors for bad input."
import json, os, re, signal, subprocess, sys, time
from pathlib import Path

import pytest
import torch

WEEKEND = str(Path(sys.executable).with_name('weekend'))


def weekend(*args, env=None, cwd=None):
    r = subprocess.run([WEEKEND, *args], capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})}, cwd=cwd)
    assert 'Traceback' not in r.stderr, r.stderr
    return r


def test_list_shows_chapters_and_data():
    r = weekend('list')
    assert r.returncode == 0
    assert 'digits' in r.stdout and 'data mnist:' in r.stdout


def test_data_list_shows_licences():
    r = weekend('data', 'list')
    assert r.returncode == 0
    for name in ('mnist', 'movielens_100k', 'rotten_tomatoes', 'minilm', 'gpt2_tokenizer', 'tmdb_movies', 'wiki_film_summaries',
                 'vgg19', 'efficientnet_lite0', 'starry_night', 'cifar10'):
        assert name in r.stdout
    assert 'do not redistribute' in r.stdout


def test_run_digits_tiny(tmp_path):
    r = weekend('run', 'digits', '--preset', 'tiny', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert 'metric' in r.stdout and 'test accuracy, CNN' in r.stdout and 'MNIST' not in r.stderr
    res = json.loads((tmp_path / 'digits' / 'results.json').read_text())
    cnn = next(x for x in res if x['metric'].startswith('test accuracy, CNN'))
    logreg = next(x for x in res if x['metric'].startswith('test accuracy, logistic regression'))
    assert cnn['value'] > logreg['value'] > 0.85 and cnn['device'] and cnn['data'] and cnn['wall_s'] > 0  # the CNN beats the pixels baseline
    assert (tmp_path / 'digits' / 'model.pt').exists() and (tmp_path / 'digits' / 'curves.png').exists()
    # the saved model is what `predict` loads: 200 held-out test digits of every class (the first 200 offline images are all zeros)
    code = ("from weekend_nb.digits import predict, load_model, split_indices; from weekend_nb.datasets import load_mnist; "
            "m = load_mnist(); te = split_indices(m.y, m.is_test, 0)['test'][:200]; "
            f"p = predict(m.x[te], load_model('{tmp_path}/digits/model.pt')); "
            "print(sum(d == int(y) for (d, _), y in zip(p, m.y[te])), len(set(m.y[te].tolist())))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    right, classes = map(int, out.split())
    assert classes == 10 and right >= 180, (right, classes)


def test_run_with_tensorboard(tmp_path):
    "--tensorboard DIR: every Learner of the run writes its curves there, readable by TensorBoard."
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    r = weekend('run', 'shakespeare', '--preset', 'tiny', '--out', str(tmp_path / 'runs'), '--tensorboard', str(tmp_path / 'tb'))
    assert r.returncode == 0, r.stderr
    runs = sorted(p.name for p in (tmp_path / 'tb').iterdir())
    assert runs == ['CharRNN_0', 'CharRNN_1', 'GPT_0'], runs  # the GPT, the GRU's timing probe, the GRU
    assert f"tensorboard --logdir {tmp_path / 'tb'}" in r.stdout
    ev = EventAccumulator(str(tmp_path / 'tb' / 'GPT_0')).Reload()
    assert [e.step for e in ev.Scalars('epoch/valid_loss')] == [50, 100, 150] and len(ev.Scalars('train/loss')) == 15


def test_run_style_tiny(tmp_path):
    "A photo painted end to end from the command line, with a field changed by --set: the result and its loss curve saved, the loss down."
    r = weekend('run', 'style', '--preset', 'tiny', '--set', 'style=the_scream', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = {x['metric']: x for x in json.loads((tmp_path / 'style' / 'results.json').read_text())}
    assert res['loss, first -> last (x lower)']['value'] > 2 and 'the_scream' in res['loss, first -> last (x lower)']['data']
    assert (tmp_path / 'style' / 'result.png').exists() and (tmp_path / 'style' / 'losses.png').exists()


def test_run_scale_tiny(tmp_path):
    "Chapter 99's throughput table from the command line (the data-parallel part has its own test: test_ddp.py)."
    r = weekend('run', 'scale', '--preset', 'tiny', '--set', 'ddp_steps=0', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / 'scale' / 'results.json').read_text())
    assert len(res) == 4 and all(x['value'] > 0 for x in res) and (tmp_path / 'scale' / 'sweep.csv').exists()


@pytest.mark.parametrize('args, code, words', [
    (['run', 'no-such-chapter'], 2, 'unknown chapter'),
    (['run', 'digits', '--preset', 'huge'], 2, "no preset 'huge'"),
    (['run', 'digits', '--bogus'], 2, 'unrecognized arguments'),
    (['frobnicate'], 2, 'invalid choice'),
    (['data', 'fetch'], 2, 'needs a NAME'),
    (['data', 'fetch', 'mnistt'], 2, 'Did you mean mnist'),
    (['run', 'digits', '--set', 'n_epoch=3'], 2, "has no field 'n_epoch'"),
    (['run', 'digits', '--set', 'lr=fast'], 2, "lr='fast': expected a number"),
    (['run', 'movies', '--resume'], 2, 'no long training to resume'),
    (['serve', 'digits'], 2, 'has no web app'),
    (['run', 'style', '--set', 'size=huge'], 2, "size='huge': expected an integer"),
    (['run', 'catsdogs', '--set', 'budgets=lots'], 2, "budgets='lots'"),
    (['run', 'catsdogs', '--set', 'probe_features=middle'], 2, "Unknown probe_features 'middle'"),
    (['run', 'sentiment_fast', '--set', 'ema=1'], 2, 'ema must be between 0 and 1'),
    (['run', 'style', '--set', 'winograd_from=0'], 2, 'winograd_from must be a whole number of at least 1'),
    (['run', 'style', '--set', 'steps=None'], 2, "steps='None': expected an integer"),
    (['serve', 'movies', '--port', '70000'], 2, 'not between 0 and 65535'),
    (['serve', 'movies', '--port', 'http'], 2, 'invalid int value'),
])
def test_bad_input_is_one_line(args, code, words):
    r = weekend(*args)
    assert r.returncode == code
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr


def test_unwritable_data_folder_is_one_line(tmp_path):
    "WEEKEND_NB_DATA pointing at a file: one line that names the path, no traceback."
    (tmp_path / 'afile').write_text('not a folder')
    r = weekend('data', 'fetch', 'mnist', env={'WEEKEND_NB_DATA': str(tmp_path / 'afile'), 'WEEKEND_NB_OFFLINE': '1'})
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and 'afile' in r.stderr, r.stderr


def test_bundled_data_needs_no_fetch(tmp_path):
    "Offline, the 8x8 digits bundled with scikit-learn are not a download: no error, no 'connect to the internet'."
    r = weekend('data', 'fetch', 'digits8x8', env={'WEEKEND_NB_DATA': str(tmp_path), 'WEEKEND_NB_OFFLINE': '1'})
    assert r.returncode == 0 and 'bundled' in r.stdout and 'internet' not in r.stdout + r.stderr


def test_missing_data_is_one_line(tmp_path):
    "Offline with an empty cache, a chapter whose data has only online sources fails in one line."
    r = weekend('data', 'fetch', 'imdb', env={'WEEKEND_NB_DATA': str(tmp_path), 'WEEKEND_NB_OFFLINE': '1'})
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "Could not get dataset 'imdb'" in r.stderr


def test_run_movies_tiny(tmp_path):
    "`make run`'s chapter on the tiny preset: neighbours printed, timings reported, how to start the site."
    r = weekend('run', 'movies', '--preset', 'tiny', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert 'The Dark Knight (knn):' in r.stdout and 'The Dark Knight (svm):' in r.stdout and 'weekend serve movies' in r.stdout
    res = {x['metric']: x['value'] for x in json.loads((tmp_path / 'movies' / 'results.json').read_text())}
    assert 0 < res['kNN query (MiniLM), ms'] < 10 and res['exemplar-SVM query (MiniLM), ms'] > 0  # the kNN target (measured: about 1.5 ms)


def test_run_recommender_and_recommend(tmp_path):
    r = weekend('run', 'recommender', '--preset', 'tiny', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = {x['metric'].split(',')[0]: x['value'] for x in json.loads((tmp_path / 'recommender' / 'results.json').read_text())}
    assert res['RMSE'] < 1.0
    code = ("from weekend_nb.recommender import recommend, load_model; "
            f"print(len(recommend(1, 7, load_model('{tmp_path}/recommender/model.pt'))))")
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip() == '7'


def test_run_sentiment_and_predict(tmp_path):
    "The tiny preset end to end, then `predict` on the saved model from a fresh process, bad input included."
    r = weekend('run', 'sentiment', '--preset', 'tiny', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = {x['metric'].split(' (')[0]: x for x in json.loads((tmp_path / 'sentiment' / 'results.json').read_text())}
    majority, tfidf = res['test accuracy, majority class']['value'], res['test accuracy, TF-IDF + logistic regression']['value']
    assert 0.5 <= majority < tfidf and 'split by film' in res['test accuracy, NB-SVM']['data']
    assert (tmp_path / 'sentiment' / 'model.pt').exists() and (tmp_path / 'sentiment' / 'lstm_curves.png').exists()
    code = ("from weekend_nb.sentiment import predict, load_model; "
            f"m = load_model('{tmp_path}/sentiment/model.pt'); print(predict(['Great.', 'x ' * 10_000], m))\n"
            "try: predict('  ', m)\nexcept ValueError as e: print(e)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert "truncated=False), Prediction(label=" in out and 'truncated=True)]' in out and 'review 0 is empty' in out


def test_run_sentiment_fast_killed_resumes_and_predicts(tmp_path):
    """Chapter 41's tiny preset end to end (a soup of two fine-tunings), SIGKILLed after the second one's first checkpoint (its
    step 5) and resumed: the first fine-tuning is not redone, the second continues; every accuracy with its interval over
    films; the stacked model predicts from a fresh process."""
    args = ['run', 'sentiment_fast', '--preset', 'tiny', '--out', str(tmp_path)]
    out = tmp_path / 'sentiment_fast'
    p = subprocess.Popen([WEEKEND, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while not (out / 'checkpoint-1.pt').exists():
        assert p.poll() is None and time.time() - t0 < 300, 'the run ended before its first checkpoint'
        time.sleep(0.05)
    assert p.poll() is None, 'the run ended before it could be killed'
    p.send_signal(signal.SIGKILL); p.wait()
    assert not (out / 'results.json').exists()
    r = weekend(*args, '--resume')
    assert r.returncode == 0, r.stderr
    resumed = [int(n) for n in re.findall(r'resumed from step (\d+)', r.stdout)]
    assert len(resumed) == 2 and resumed[0] > resumed[1] >= 5, r.stdout  # the first finished, the second from its checkpoint
    res = {x['metric'].split(' (')[0]: x for x in json.loads((tmp_path / 'sentiment_fast' / 'results.json').read_text())}
    majority = res['test accuracy, majority class']['value']
    stacked = res['test accuracy, MiniLM fine-tuned + NB-SVM, stacked']
    assert stacked['value'] > majority + 0.05 and '95% interval over films' in stacked['metric'] and 'split by film' in stacked['data']
    code = ("from weekend_nb.sentiment_fast import predict, load_model; "
            f"m = load_model('{tmp_path}/sentiment_fast/model.pt'); print(predict(['Great.', 'Dull and lifeless.'], m))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.count('Prediction(label=') == 2


def test_sentiment_gpu_preset_offline_is_one_line(tmp_path):
    "The GPU preset reads IMDb, which only downloads: offline with an empty cache that is one clear line."
    r = weekend('run', 'sentiment', '--preset', 'gpu', '--out', str(tmp_path), env={'WEEKEND_NB_DATA': str(tmp_path), 'WEEKEND_NB_OFFLINE': '1'})
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "Could not get dataset 'imdb'" in r.stderr


def test_run_digits_resumes(tmp_path):
    "`weekend run digits --resume` continues from the checkpoint and ends with the weights of an uninterrupted run."
    def weights(out, *args):
        r = weekend('run', 'digits', '--preset', 'tiny', '--out', str(out), *args)
        assert r.returncode == 0, r.stderr
        return torch.load(out / 'digits' / 'model.pt', weights_only=True)['state']['model']
    full = weights(tmp_path / 'full', '--set', 'n_epochs=2')
    weights(tmp_path / 'part', '--set', 'n_epochs=1')             # stops after epoch 1, its checkpoint left behind
    ck = torch.load(tmp_path / 'part' / 'digits' / 'checkpoint.pt', weights_only=True)
    resumed = weights(tmp_path / 'part', '--set', 'n_epochs=2', '--resume')
    assert ck['step'] > 0 and set(full) == set(resumed)
    for k in full: assert torch.equal(full[k], resumed[k]), k
    fresh = weights(tmp_path / 'part', '--set', 'n_epochs=2')   # without --resume: trained from scratch, same result
    for k in full: assert torch.equal(full[k], fresh[k]), k


def test_ctrl_c_while_importing_is_one_line():
    "Ctrl-C while torch is still being imported (inside `main`): 'interrupted', status 130, no traceback."
    import signal, time
    maps = Path('/proc/self/maps')
    if not maps.exists(): pytest.skip('needs /proc to see when the child starts loading torch')
    p = subprocess.Popen([sys.executable, '-m', 'weekend_nb.cli', 'list'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal, even when run in the background
    # a fixed delay raced the interpreter's start on a busy machine: signal once torch's library is mapped,
    # which happens only inside `main`'s imports, and a second or more before they finish
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline:
        try:
            if 'libtorch' in Path(f'/proc/{p.pid}/maps').read_text(): break
        except OSError: pass
        time.sleep(0.005)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert (p.returncode, err.strip(), out) == (130, 'weekend: error: interrupted', '')
