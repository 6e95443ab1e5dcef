"""Recommended for you (chapters 90-91): every ranker against a most-popular list on MovieLens 100k users held out of
training entirely (NDCG@10, Recall@10 with paired 95% intervals, RMSE of the stars shown), and `recommend_for`'s latency.

python bench/recommender.py [--quick]
"""
import argparse, statistics, time

from _record import record
from weekend_nb.core import describe_device, setup_threads
from weekend_nb.datasets import load_movielens
from weekend_nb.for_you import build_recommender, evaluate_fold_in, holdout_users, recommend_for, tune_recommender
from weekend_nb.recommender import CPU, TINY

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--quick', action='store_true', help='one-epoch model, 30 held-out users, fixed parameters')
a = p.parse_args()
record('recommender', a.quick)
setup_threads()
ratings, movies = load_movielens()
print(f"MovieLens 100k: {len(ratings)} ratings; device: {describe_device()}")

t = time.perf_counter()
if a.quick:
    table, params = evaluate_fold_in(ratings, TINY, n_users=30, given=(5, 10), params=dict(lam=4000.0, reg=1.0, beta=1.0))
else:
    params, tuning = tune_recommender(holdout_users(ratings, 189, 20)[0], CPU)
    print("tuned on 100 users held out of the training users:", params)
    print(tuning.to_string(index=False), '\n')
    table, _ = evaluate_fold_in(ratings, CPU, params=params)
print(f"{table.given.nunique()} budgets x {len(table.ranker.unique())} rankers, {time.perf_counter() - t:.0f} s\n")
print(table.round(3).to_string(index=False), '\n')

rec = build_recommender(ratings, TINY if a.quick else CPU, **params)
three = {'Godfather, The': 5, 'Forrest Gump': 5, 'Shawshank Redemption, The': 5}
recommend_for(three, 10, rec, (ratings, movies))  # warm-up
ms = []
for _ in range(50):
    t = time.perf_counter(); recs = recommend_for(three, 10, rec, (ratings, movies)); ms.append(1000 * (time.perf_counter() - t))
print(f"recommend_for (3 ratings, top 10): median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms over 50 calls (target < 50 ms)")
print(recs.round(2).to_string(index=False))
print('reasons:', recs['because you liked'].value_counts().to_dict())
