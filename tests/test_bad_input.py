"""Every public function a reader calls after a chapter, fed the usual bad values: each must raise ValueError, TypeError,
KeyError or FileNotFoundError from the course's own check (a `raise` in weekend_nb, whose message names the argument),
never an error from inside torch, NumPy, pandas or scikit-learn, and never answer silently. A valid call beside each
function is the control. Then every chapter's model file, damaged three ways, is refused with a message."""
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from weekend_nb import catsdogs, digits, for_you, gan, movie_search, recommender, sentiment, sentiment_fast, shakespeare, style, translation
from weekend_nb.core import save_trained
from weekend_nb.datasets import load_movielens

CLEAR = (ValueError, TypeError, KeyError, FileNotFoundError)


def assert_clear_error(call):
    "`call()` raises one of CLEAR from a `raise` statement of weekend_nb, with a message."
    try: call()
    except CLEAR as e:
        last = traceback.extract_tb(e.__traceback__)[-1]
        assert 'weekend_nb' in last.filename and 'raise' in (last.line or ''), f"{type(e).__name__} from {last.filename}:{last.lineno}: {e}"
        assert str(e).strip(" '\""), 'an error with no message'
        return e
    except Exception as e:
        last = traceback.extract_tb(e.__traceback__)[-1]
        pytest.fail(f"{type(e).__name__} from {last.filename}:{last.lineno}: {e}")
    else: pytest.fail('no error: a silent answer to a bad call')


@pytest.fixture(scope='module')
def m(tmp_path_factory):
    "Untrained tiny models of every chapter, saved and loaded as a reader's `load_model` would: these checks are about input."
    torch.manual_seed(0)
    tmp = tmp_path_factory.mktemp('models')
    ratings, movies = load_movielens()
    vocab = shakespeare.CharVocab("\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    sv, tv = translation.Vocab(['he is tall .', 'i am here .']), translation.Vocab(['él es alto .', 'estoy aquí .'])
    mt = translation.Seq2Seq(len(sv), len(tv), translation.TINY.emb, translation.TINY.hidden, translation.TINY.attention)
    batcher = sentiment.Batcher(32, sentiment.Vocab.build(pd.Series(['a good film', 'a bad film']), 1))
    return dict(
        tmp=tmp, data=(ratings, movies),
        digits=digits.get_model(digits.DigitsConfig()).eval(),
        mf=recommender.get_model(recommender.RecConfig(model='mf')),
        sentiment=(sentiment.LSTMClassifier(len(batcher.vocab), 16, 16).eval(), batcher),
        search=movie_search.MovieSearch(movie_search.get_corpus(30), encoders=('tfidf',)),
        emb=np.random.default_rng(0).normal(size=(30, 8)).astype(np.float32),
        shakespeare=shakespeare.load_model(shakespeare.save_model(tmp / 'sh.pt', shakespeare.TINY, shakespeare.get_model(shakespeare.TINY, len(vocab)), vocab)),
        translation=translation.load_model(translation.save_model(tmp / 'mt.pt', translation.TINY, mt, sv, tv, 'spa')),
        gan=gan.save_model(tmp / 'gan.pt', gan.TINY, gan.GAN(gan.TINY)),
    )


NAN, INF = float('nan'), float('inf')
IMG = np.zeros((28, 28), np.float32)

# (name, call(m) -> result): each must raise a clear error
BAD = {
    'digits.predict': [lambda m: digits.predict(np.full((28, 28), 1e6), model=m['digits']),
                       lambda m: digits.predict(np.full((28, 28), -255.0), model=m['digits']),
                       lambda m: digits.predict(np.full((28, 28), NAN), model=m['digits']),
                       lambda m: digits.predict(IMG, model='cnn'), lambda m: digits.predict(None, model=m['digits']),
                       lambda m: digits.predict(np.zeros((5, 5)), model=m['digits']), lambda m: digits.predict(IMG, model=m['digits'], bs=0),
                       lambda m: digits.predict(IMG, model=m['digits'], bs=True), lambda m: digits.predict(m['tmp'] / 'missing.png', model=m['digits'])],
    'sentiment.predict': [lambda m: sentiment.predict('<br/><p></p>', model=m['sentiment']), lambda m: sentiment.predict('😀🎬!!', model=m['sentiment']),
                          lambda m: sentiment.predict('', model=m['sentiment']), lambda m: sentiment.predict(None, model=m['sentiment']),
                          lambda m: sentiment.predict(['fine', 3], model=m['sentiment']), lambda m: sentiment.predict(b'good', model=m['sentiment']),
                          lambda m: sentiment.predict('good', model='lstm')],
    'recommender.similar_items': [lambda m, v=v: recommender.similar_items(m['mf'], v) for v in (0, -1, 1683, 10**6, 1.5, True, None, '5')]
                                 + [lambda m: recommender.similar_items(m['mf'], 1, k=0), lambda m: recommender.similar_items('mf', 1)],
    'recommender.predict_ratings': [lambda m: recommender.predict_ratings(m['mf'], pd.DataFrame(dict(user=[5000], item=[1]))),
                                    lambda m: recommender.predict_ratings(m['mf'], pd.DataFrame(dict(user=[-1], item=[1]))),
                                    lambda m: recommender.predict_ratings(m['mf'], pd.DataFrame(dict(user=[1.5], item=[1.0]))),
                                    lambda m: recommender.predict_ratings(m['mf'], pd.DataFrame(dict(a=[1]))),
                                    lambda m: recommender.predict_ratings(m['mf'], [[1, 2]]), lambda m: recommender.predict_ratings(None, pd.DataFrame(dict(user=[1], item=[1])))],
    'recommender.recommend': [lambda m: recommender.recommend(0, model=m['mf'], data=m['data']), lambda m: recommender.recommend(1.0, model=m['mf'], data=m['data']),
                              lambda m: recommender.recommend(1, k=0, model=m['mf'], data=m['data'])],
    'recommender.similar_movies': [lambda m: recommender.similar_movies('', model=m['mf'], data=m['data']), lambda m: recommender.similar_movies(None, model=m['mf'], data=m['data']),
                                   lambda m: recommender.similar_movies('Star Warz', model=m['mf'], data=m['data']),
                                   lambda m: recommender.similar_movies('Star Wars', k=-1, model=m['mf'], data=m['data'])],
    'for_you.fold_in': [lambda m, a=a: for_you.fold_in(m['mf'], *a) for a in
                        [([1, 2], [5]), ([1], [NAN]), ([0], [4]), ([10**6], [4]), ([1], [7]), ([1.5], [4]), ('1', [4]), ([], [])]]
                       + [lambda m: for_you.fold_in(m['mf'], [1], [4], reg=-1), lambda m: for_you.fold_in(m['mf'], [1], [4], steps=0),
                          lambda m: for_you.fold_in('mf', [1], [4])],
    'for_you.recommend_for': [lambda m, r=r, kw=kw: for_you.recommend_for(r, **{'model': m['mf'], 'data': m['data'], **kw}) for r, kw in
                              [({'Star Wars': 6}, {}), ({'Star Wars': NAN}, {}), ({'Star Wars': 5}, dict(k=True)), ({'Star Wars': 5}, dict(ranker='x')),
                               (['Star Wars'], {}), ({'Star Wars': '5'}, {}), ({}, {}), ({'Star Warz': 5}, {}), ({99999: 5}, {})]],
    'MovieSearch.similar': [lambda m, a=a, kw=kw: m['search'].similar(*a, **{'encoder': 'tfidf', **kw}) for a, kw in
                            [(([],), {}), (('12',), {}), ((12,), {}), (([10**6],), {}), (([-1],), {}), (([1.5],), {}), (([True],), {}), ((None,), {}),
                             (([1],), dict(k=0)), (([1],), dict(k=-3)), (([1],), dict(k=2.5)), (([1],), dict(rank='x')), (([1],), dict(encoder='minilm'))]],
    'MovieSearch.titles': [lambda m, a=a, kw=kw: m['search'].titles(*a, **kw) for a, kw in
                           [(('alien',), dict(k=-1)), (('alien',), dict(k=0)), ((None,), {}), ((5,), {}), (('a' * 10_000,), {})]],
    'MovieSearch.film': [lambda m, v=v: m['search'].film(v) for v in (10**6, -1, '1.7', 1.7, None, '٣')],
    'movie_search.knn': [lambda m: movie_search.knn(m['emb'], m['emb'][0], k=-3), lambda m: movie_search.knn(m['emb'], m['emb'][0], k=0),
                         lambda m: movie_search.knn(m['emb'], m['emb'][0][:3]), lambda m: movie_search.knn(m['emb'], np.full(8, NAN))],
    'movie_search.exemplar_svm': [lambda m: movie_search.exemplar_svm(m['emb'], []), lambda m: movie_search.exemplar_svm(m['emb'], [30]),
                                  lambda m: movie_search.exemplar_svm(m['emb'], [], extra=np.full((1, 8), NAN)),
                                  lambda m: movie_search.exemplar_svm(m['emb'], [1], C=0), lambda m: movie_search.exemplar_svm(m['emb'], [1], C=-1),
                                  lambda m: movie_search.exemplar_svm(m['emb'], [1], C=NAN), lambda m: movie_search.exemplar_svm(m['emb'], [1], k=0)],
    'movie_search.evaluate_rankers': [lambda m, n=n: movie_search.evaluate_rankers(m['search'], n_queries=n, ranks=('knn',)) for n in (0, -1, 2.5)]
                                     + [lambda m: movie_search.evaluate_rankers(m['search'], n_queries=5, ranks=('x',))],
    'movie_search.get_corpus': [lambda m, n=n: movie_search.get_corpus(n) for n in (-1, 0, '5', True)],
    'shakespeare.generate': [lambda m, kw=kw: shakespeare.generate(**{'model': m['shakespeare'], 'n_chars': 5, **kw}) for kw in
                             [dict(prompt=None), dict(prompt='Zoë'), dict(model='gpt'), dict(model=(1, 2)), dict(seed=1.5), dict(seed=True), dict(seed=-1),
                              dict(top_k=True), dict(top_k=0), dict(temperature=None), dict(temperature=True), dict(temperature=NAN), dict(temperature=-1),
                              dict(n_chars=True), dict(n_chars=0), dict(n_chars=10**7)]],
    'translation.translate': [lambda m, a=a, kw=kw: translation.translate(*a, **{'model': m['translation'], **kw}) for a, kw in
                              [(('hi',), dict(model='x')), (('hi',), dict(attention='yes')), ((None,), {}), ((['hi', None],), {}), (('hi',), dict(model=(1, 2, 3, 4))),
                               (('hi',), dict(beam=0)), (('hi',), dict(beam=2.5)), (('word ' * 61,), {})]],
    'gan.sample': [lambda m, kw=kw: gan.sample(**{'n': 4, 'model': m['gan'], **kw}) for kw in
                   [dict(n=0), dict(n=True), dict(n='4'), dict(n=10**9), dict(seed=-1), dict(seed=2**70), dict(seed=1.5), dict(model=42),
                    dict(model=Path('/nonexistent/model.pt'))]],
    'catsdogs.predict': [lambda m: catsdogs.predict(np.zeros((20, 20, 3), np.uint8), model=42), lambda m: catsdogs.predict(np.full((20, 20, 3), 1e6, np.float32)),
                         lambda m: catsdogs.predict(np.full((20, 20, 3), NAN, np.float32)), lambda m: catsdogs.predict(None), lambda m: catsdogs.predict([]),
                         lambda m: catsdogs.predict(m['tmp'] / 'missing.jpg')],
    'style.stylize': [lambda m, kw=kw: style.stylize(**{'cfg': style.TINY, **kw}) for kw in
                      [dict(size=True), dict(size=4), dict(steps=True), dict(steps=2.5), dict(steps=0), dict(content=42), dict(style='starry_nite'),
                       dict(content=np.full((20, 20, 3), NAN)), dict(cfg='x'),
                       dict(cfg=replace(style.TINY, tol=1.5)), dict(cfg=replace(style.TINY, tol=NAN)), dict(cfg=replace(style.TINY, budget_s=-1)),
                       dict(cfg=replace(style.TINY, winograd_from=0)), dict(cfg=replace(style.TINY, winograd_from='128'))]],
}

# one valid call of each, the control: it must run and answer
GOOD = {
    'digits.predict': lambda m: digits.predict(IMG, model=m['digits']),
    'sentiment.predict': lambda m: sentiment.predict('a good film', model=m['sentiment']),
    'recommender.similar_items': lambda m: recommender.similar_items(m['mf'], 1, k=3),
    'recommender.predict_ratings': lambda m: recommender.predict_ratings(m['mf'], pd.DataFrame(dict(user=[1], item=[1]))),
    'recommender.recommend': lambda m: recommender.recommend(1, k=3, model=m['mf'], data=m['data']),
    'recommender.similar_movies': lambda m: recommender.similar_movies('Star Wars', k=3, model=m['mf'], data=m['data']),
    'for_you.fold_in': lambda m: for_you.fold_in(m['mf'], [1, 50], [5, 4]),
    'for_you.recommend_for': lambda m: for_you.recommend_for({'Star Wars': 5}, 3, model=for_you.build_recommender(m['data'][0][:2000], mf=m['mf']), data=m['data']),
    'MovieSearch.similar': lambda m: m['search'].similar([m['search'].films.index[0]], 3, encoder='tfidf'),
    'MovieSearch.titles': lambda m: m['search'].titles('the', 3),
    'MovieSearch.film': lambda m: m['search'].film(m['search'].films.index[0]),
    'movie_search.knn': lambda m: movie_search.knn(m['emb'], m['emb'][0], 3),
    'movie_search.exemplar_svm': lambda m: movie_search.exemplar_svm(m['emb'], [1], k=3),
    'movie_search.evaluate_rankers': lambda m: movie_search.evaluate_rankers(m['search'], n_queries=3, ranks=('knn',)),
    'movie_search.get_corpus': lambda m: movie_search.get_corpus(5),
    'shakespeare.generate': lambda m: shakespeare.generate('ROMEO', 5, model=m['shakespeare'], seed=0),
    'translation.translate': lambda m: translation.translate('he is tall', model=m['translation']),
    'gan.sample': lambda m: gan.sample(2, seed=0, model=m['gan']),
    'catsdogs.predict': lambda m: catsdogs.predict(np.zeros((20, 20, 3), np.uint8)),
    'style.stylize': lambda m: style.stylize(cfg=style.TINY, steps=1),
}


@pytest.mark.parametrize('name, i', [(n, i) for n, calls in BAD.items() for i in range(len(calls))], ids=lambda x: str(x))
def test_bad_call_gets_a_clear_error(m, name, i):
    assert_clear_error(lambda: BAD[name][i](m))


@pytest.mark.parametrize('name', list(GOOD))
def test_valid_call_answers(m, name):
    out = GOOD[name](m)
    assert out is not None and (isinstance(out, str) or not hasattr(out, '__len__') or len(out) > 0), f"{name}: an empty answer to a valid call"


def test_every_function_has_its_control():
    assert set(BAD) == set(GOOD)


# Every chapter's model file, damaged: a file of garbage, a truncated file, weights changed after saving.
def _saved(m, chapter: str, path: Path) -> Path:
    torch.manual_seed(0)
    if chapter == 'digits': return digits.save_model(path, digits.DigitsConfig(), m['digits'])
    if chapter == 'recommender': return recommender.save_model(path, recommender.RecConfig(model='mf'), m['mf'])
    if chapter == 'sentiment': return sentiment.save_model(path, sentiment.SentimentConfig(emb_dim=16, hidden=16), *m['sentiment'])
    if chapter == 'sentiment_fast':
        tok, clf = sentiment.get_transformer('minilm')
        nb = sentiment.NBSVM().fit(['a good film', 'a bad film'], [1, 0])
        return sentiment_fast.save_model(path, sentiment_fast.TINY, sentiment_fast.Stacked(clf), sentiment_fast.StackBatcher(sentiment.Batcher(32, tokenizer=tok), nb))
    if chapter == 'shakespeare': return shakespeare.save_model(path, shakespeare.TINY, *m['shakespeare'])
    if chapter == 'translation': return translation.save_model(path, translation.TINY, *m['translation'])
    if chapter == 'gan': return gan.save_model(path, gan.TINY, gan.GAN(gan.TINY))
    if chapter == 'catsdogs':
        from weekend_nb.pretrained import load_classifier
        return save_trained(path, catsdogs.TINY, catsdogs.FineTuned(load_classifier(catsdogs.TINY.backbone)), classes=['T-shirt/top', 'Shirt'], per_class=50)
    raise ValueError(chapter)

LOADERS = {'digits': digits.load_model, 'recommender': recommender.load_model, 'sentiment': sentiment.load_model, 'sentiment_fast': sentiment_fast.load_model,
           'shakespeare': shakespeare.load_model, 'translation': translation.load_model, 'gan': gan.load_model, 'catsdogs': catsdogs.load_model}


@pytest.mark.parametrize('chapter', list(LOADERS))
def test_intact_model_files_load(m, tmp_path, chapter):
    "The control: the same files, undamaged, load into a model in eval mode."
    out = LOADERS[chapter](_saved(m, chapter, tmp_path / 'model.pt'))
    model = out[0] if isinstance(out, tuple) else out
    assert isinstance(model, torch.nn.Module) and not model.training


@pytest.mark.parametrize('chapter', list(LOADERS))
@pytest.mark.parametrize('damage', ['garbage', 'truncated', 'tampered', 'missing'])
def test_damaged_model_files_are_refused(m, tmp_path, chapter, damage):
    path = tmp_path / 'model.pt'
    if damage == 'garbage': path.write_bytes(b'not a model at all\n' * 100)
    elif damage == 'missing': pass
    else:
        _saved(m, chapter, path)
        if damage == 'truncated': path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        else:
            ck = torch.load(path, weights_only=True)
            w = ck['state']['model']; k = next(k for k, v in w.items() if v.is_floating_point() and v.numel())
            w[k] = w[k] + 1.0
            torch.save(ck, path)
    e = assert_clear_error(lambda: LOADERS[chapter](path))
    assert ('damaged' in str(e) or 'not a readable' in str(e) or 'not a weekend_nb' in str(e) or isinstance(e, FileNotFoundError)), str(e)


@pytest.mark.parametrize('bad', [dict(ema=1.0), dict(ema=-0.5), dict(ema=float('nan')), dict(budget_s=0), dict(lr=-1e-3), dict(bs=0), dict(soup=0)])
def test_bad_sentiment_fast_config_is_refused_before_loading(tmp_path, monkeypatch, bad):
    "`weekend run sentiment_fast --set ema=1` and the like: refused by name before the reviews or MiniLM are loaded."
    monkeypatch.setattr(sentiment_fast, 'get_split', lambda *a, **k: pytest.fail('the data was loaded before the config was checked'))
    e = assert_clear_error(lambda: sentiment_fast.run(cfg=replace(sentiment_fast.TINY, **bad), out_dir=tmp_path))
    assert next(iter(bad)) in str(e)


@pytest.mark.parametrize('bad', [dict(probe_features=('middle',)), dict(budgets=(20, -1)), dict(seeds=()), dict(size=8), dict(data='mnist'),
                                 dict(smoothing=1.0), dict(ft_lr=0.0)])
def test_bad_catsdogs_config_is_refused_before_loading(tmp_path, monkeypatch, bad):
    "`weekend run catsdogs --set probe_features=middle` and the like: refused by name before the images or the backbone are loaded."
    monkeypatch.setattr(catsdogs, 'load_pair', lambda *a, **k: pytest.fail('the images were loaded before the config was checked'))
    e = assert_clear_error(lambda: catsdogs.run(cfg=replace(catsdogs.TINY, **bad), out_dir=tmp_path))
    assert next(iter(bad)) in str(e)


def test_catsdogs_budget_over_the_training_set_is_refused():
    "A budget of more labels per class than the training set has is an error, not a silent run on all of them."
    g = torch.Generator().manual_seed(0)
    pair = catsdogs.Pair(torch.randint(0, 255, (40, 28, 28, 3), dtype=torch.uint8, generator=g), torch.arange(40) % 2,
                         torch.randint(0, 255, (10, 28, 28, 3), dtype=torch.uint8, generator=g), torch.arange(10) % 2, ('a', 'b'), 'random')
    e = assert_clear_error(lambda: catsdogs.compare(replace(catsdogs.TINY, budgets=(10, 30)), pair, pre=object()))
    assert 'budgets' in str(e) and '20' in str(e)
