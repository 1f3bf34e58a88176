import os

# The BLAS and OpenMP pools of NumPy, SciPy, statsmodels and scikit-learn (set before
# any of them loads; xdist's workers and the tests' subprocesses inherit it): with two
# workers on two cores, spinning pool threads slowed a statsmodels ARIMA fit 40x
# (a 30-point series took 20 CPU-seconds instead of 0.5). Numba's pool too: aeon's
# numba kernels otherwise resize the shared OpenMP pool back to the core count, and the
# torch tests after them ran with two threads per worker. A value set outside wins.
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

import pytest  # noqa: E402
import torch  # noqa: E402

# pytest runs with -n 2 on a 2-core machine: two workers with two OpenMP threads each
# oversubscribe the cores, and spinning OpenMP threads then slow small ops 10-100x.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    # Every test starts from the same RNG state, so failures reproduce.
    torch.manual_seed(0)
