"""Backends that run the recurrences: reference (readable), native (torch's fused
kernels), fused (lstmkit's own autograd Function for the variants)."""

BACKENDS = ("auto", "reference", "native", "fused")
