"""Shared helpers of the ensemble tests."""

import numpy as np

from cationx.ensemble import kinetics


def time_average(ens, total, t_end, points, burn, reps, method, **kw):
    """Mean and SE over ``reps`` seeded replicates of the time averages (after ``burn`` record
    points) of the fraction exchanged and the free ions per NC: (fe, fe_se, free, free_se)."""
    times = np.linspace(0.0, t_end, points)
    fe, free = [], []
    for seed in range(reps):
        r = kinetics(ens, total, times, method=method, rng=seed, **kw)
        fe.append(r.fraction_exchanged[burn:].mean())
        free.append(r.free_ions_per_nc[burn:].mean())
    fe, free = np.array(fe), np.array(free)
    return fe.mean(), fe.std(ddof=1) / np.sqrt(reps), free.mean(), free.std(ddof=1) / np.sqrt(reps)
