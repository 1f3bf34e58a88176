import pytest
import torch

# pytest runs with -n 2 on a 2-core machine: two workers with two OpenMP threads each
# oversubscribe the cores, and spinning OpenMP threads then slow small ops 10-100x.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    # Every test starts from the same RNG state, so failures reproduce.
    torch.manual_seed(0)
