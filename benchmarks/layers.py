"""Speed of lstmkit.nn.LSTM against torch.nn.LSTM, and of each variant's backends.

    python benchmarks/layers.py              # full run, writes benchmarks/results/layers.json
    python benchmarks/layers.py --quick      # smoke test (< 30 s), first shape only
    python benchmarks/layers.py --device cuda --out layers-cuda.json   # on a GPU

Two sections, each printed as a Markdown table and saved as JSON:

1. Standard options. lstmkit.nn.LSTM (backend "auto", which picks torch's native kernel)
   against torch.nn.LSTM at three shapes. Target: lstmkit throughput >= 0.95 x torch's.
2. Variants, at the first shape. Each variant on lstmkit's fused backend and on the
   per-step reference backend. Targets: fused >= 0.5 x torch.nn.LSTM (standard options,
   same shape, same run) and fused >= 2.5 x its own reference.

Forward is timed in eval mode under torch.no_grad(); forward+backward in training mode
(zero the grads, forward, y.sum().backward()). Every time is the median over repeats,
after a warm-up. Candidates compared with each other are measured interleaved (one call
of each per round), so machine noise and frequency drift hit all of them alike.

GFLOP/s use the nominal standard-LSTM count 8*T*B*H*(I+H) per forward (the four gate
matmuls, input and recurrent; multiply-add = 2 FLOPs) and 3x that for forward+backward,
for every row, variants included: it is a throughput scale, not a count of their work.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import torch

from lstmkit.nn import LSTM

Shape = tuple[int, int, int, int]  # (B, T, I, H): batch, steps, input size, hidden size
SHAPES: list[Shape] = [
    (32, 100, 128, 128),
    (1, 1000, 256, 256),
    (64, 50, 512, 512),
]
VARIANTS = {
    "peephole": {"peephole": True},
    "layer_norm": {"layer_norm": True},
    "proj_size=64": {"proj_size": 64},
    "coupled_gates": {"coupled_gates": True},
    "recurrent_dropout=0.25": {"recurrent_dropout": 0.25},
    "zoneout=0.1": {"zoneout": 0.1},
}
TARGET_NATIVE_VS_TORCH = 0.95
TARGET_FUSED_VS_TORCH = 0.5
TARGET_FUSED_VS_REFERENCE = 2.5
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One measured layer at one shape: the unit of the table and of the JSON."""

    section: str  # "standard" or "variants"
    name: str
    shape: dict[str, int]  # B, T, I, H
    backend: str  # the backend that actually ran (layer.last_backend), or "torch"
    fwd_ms: float
    fwd_bwd_ms: float
    fwd_gflops: float
    fwd_bwd_gflops: float
    # Throughput ratios, e.g. "fwd_bwd_vs_torch" = torch time / this row's time, and the
    # minimum each must reach. Rows that are only baselines have neither.
    ratios: dict[str, float] = field(default_factory=dict)
    target: dict[str, float] = field(default_factory=dict)
    meets_target: bool | None = None  # None for baselines (nothing to meet)

    def __post_init__(self) -> None:
        if self.target:
            self.meets_target = all(self.ratios[k] >= t for k, t in self.target.items())


# ----------------------------------------------------------------------------- timing


def _synchronize(x: torch.Tensor) -> None:
    # GPU kernels run asynchronously: a timer must wait for them, or it times the launch
    if x.is_cuda:
        torch.cuda.synchronize(x.device)


def forward_fn(model: torch.nn.Module, x: torch.Tensor) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad():
            model(x)
        _synchronize(x)

    return run


def forward_backward_fn(model: torch.nn.Module, x: torch.Tensor) -> Callable[[], None]:
    def run() -> None:
        model.zero_grad(set_to_none=True)
        y, _ = model(x)
        y.sum().backward()
        _synchronize(x)

    return run


def time_interleaved(
    fns: dict[str, Callable[[], None]], repeats: int, warmup: int
) -> dict[str, float]:
    """Median seconds per call of each function, measured in interleaved rounds.

    Each round calls every function once, so a slow spell of the machine (another
    process, thermal throttling) lands on all candidates instead of on whichever was
    being measured at the time. The starting function rotates from round to round so
    none always runs first (cold caches) or always after the same neighbour.
    """
    for fn in fns.values():
        for _ in range(warmup):  # first calls allocate, pick kernels, fill caches
            fn()
    names = list(fns)
    samples: dict[str, list[float]] = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection inside one sample is noise, not cost
    try:
        for r in range(repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                start = time.perf_counter()
                fns[name]()
                samples[name].append(time.perf_counter() - start)
            gc.collect()  # between rounds, outside the timed region
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


def measure(
    models: dict[str, torch.nn.Module], x: torch.Tensor, repeats: int, warmup: int
) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """Forward (eval, no_grad) and forward+backward (train) medians for each model.

    Returns (fwd seconds, fwd+bwd seconds, backend that ran) keyed like ``models``.
    The backend is read after each phase: it must be the same in both, else the row
    would mix two backends.
    """
    backends: dict[str, str] = {}

    def check_backends() -> None:
        for name, model in models.items():
            ran = getattr(model, "last_backend", "torch")
            if backends.setdefault(name, ran) != ran:
                raise RuntimeError(f"{name}: ran {backends[name]!r} in eval, {ran!r} in train")

    for model in models.values():
        model.eval()
    # Forward is ~4x cheaper than forward+backward: twice the repeats for the same noise.
    fwd = time_interleaved({n: forward_fn(m, x) for n, m in models.items()}, 2 * repeats, warmup)
    check_backends()
    for model in models.values():
        model.train()
    fwd_bwd = time_interleaved(
        {n: forward_backward_fn(m, x) for n, m in models.items()}, repeats, warmup
    )
    check_backends()
    return fwd, fwd_bwd, backends


# --------------------------------------------------------------------------- sections


def lstm_flops(batch: int, steps: int, inputs: int, hidden: int) -> float:
    """Nominal FLOPs of one standard LSTM forward: 4 gates x (I + H) x H multiply-adds."""
    return 8.0 * steps * batch * hidden * (inputs + hidden)


def make_row(
    section: str,
    name: str,
    shape: Shape,
    backend: str,
    fwd_s: float,
    fwd_bwd_s: float,
    ratios: dict[str, float] | None = None,
    target: dict[str, float] | None = None,
) -> Row:
    flops = lstm_flops(*shape)
    return Row(
        section=section,
        name=name,
        shape=dict(zip("BTIH", shape, strict=True)),
        backend=backend,
        # Rounded so the JSON stays readable; far finer than run-to-run noise anyway.
        fwd_ms=round(1e3 * fwd_s, 4),
        fwd_bwd_ms=round(1e3 * fwd_bwd_s, 4),
        fwd_gflops=round(flops / fwd_s / 1e9, 2),
        fwd_bwd_gflops=round(3 * flops / fwd_bwd_s / 1e9, 2),
        ratios={k: round(v, 4) for k, v in (ratios or {}).items()},
        target=target or {},
    )


def make_input(shape: Shape, device: str = "cpu") -> torch.Tensor:
    batch, steps, inputs, _ = shape
    gen = torch.Generator().manual_seed(0)
    return torch.randn(batch, steps, inputs, generator=gen, dtype=torch.float32).to(device)


def bench_standard(shape: Shape, repeats: int, warmup: int, device: str = "cpu") -> list[Row]:
    """lstmkit.nn.LSTM (auto -> native) against torch.nn.LSTM, same weights."""
    _, _, inputs, hidden = shape
    torch_lstm = torch.nn.LSTM(inputs, hidden, batch_first=True).to(device, torch.float32)
    models = {"torch": torch_lstm, "lstmkit": LSTM.from_torch(torch_lstm).to(device)}
    fwd, fwd_bwd, backends = measure(models, make_input(shape, device), repeats, warmup)
    ratios = {
        "fwd_vs_torch": fwd["torch"] / fwd["lstmkit"],
        "fwd_bwd_vs_torch": fwd_bwd["torch"] / fwd_bwd["lstmkit"],
    }
    target = dict.fromkeys(ratios, TARGET_NATIVE_VS_TORCH)
    return [
        make_row("standard", "torch.nn.LSTM", shape, "torch", fwd["torch"], fwd_bwd["torch"]),
        make_row(
            "standard",
            "lstmkit.nn.LSTM",
            shape,
            backends["lstmkit"],
            fwd["lstmkit"],
            fwd_bwd["lstmkit"],
            ratios,
            target,
        ),
    ]


def bench_variants(shape: Shape, repeats: int, warmup: int, device: str = "cpu") -> list[Row]:
    """Every variant on fused and reference, with one torch.nn.LSTM baseline.

    All of them share one interleaved pool, so the baseline is measured across the same
    stretch of time as every variant it is compared with.
    """
    _, _, inputs, hidden = shape
    models: dict[str, torch.nn.Module] = {
        "torch": torch.nn.LSTM(inputs, hidden, batch_first=True).to(device, torch.float32)
    }
    for name, options in VARIANTS.items():
        fused = LSTM(inputs, hidden, backend="fused", **options).to(device, torch.float32)
        slow = copy.deepcopy(fused)  # same weights; only the backend differs
        slow.backend = "reference"
        models[f"{name}/fused"], models[f"{name}/reference"] = fused, slow
    fwd, fwd_bwd, backends = measure(models, make_input(shape, device), repeats, warmup)

    rows = [make_row("variants", "torch.nn.LSTM", shape, "torch", fwd["torch"], fwd_bwd["torch"])]
    for name in VARIANTS:
        f, r = f"{name}/fused", f"{name}/reference"
        ratios = {
            "fwd_vs_torch": fwd["torch"] / fwd[f],
            "fwd_bwd_vs_torch": fwd_bwd["torch"] / fwd_bwd[f],
            "fwd_vs_reference": fwd[r] / fwd[f],
            "fwd_bwd_vs_reference": fwd_bwd[r] / fwd_bwd[f],
        }
        target = {
            k: TARGET_FUSED_VS_TORCH if k.endswith("torch") else TARGET_FUSED_VS_REFERENCE
            for k in ratios
        }
        rows.append(
            make_row("variants", name, shape, backends[f], fwd[f], fwd_bwd[f], ratios, target)
        )
        rows.append(make_row("variants", name, shape, backends[r], fwd[r], fwd_bwd[r]))
    return rows


# ---------------------------------------------------------------------------- report


def machine_info(device: str = "cpu") -> dict[str, object]:
    processor = platform.processor()
    if not processor and Path("/proc/cpuinfo").exists():  # empty on most Linux systems
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                processor = line.split(":", 1)[1].strip()
                break
    return {
        "platform": platform.platform(),
        "processor": processor,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "gpu": torch.cuda.get_device_name(device) if device.startswith("cuda") else None,
    }


def ratio_cell(key: str) -> Callable[[Row], str]:
    """A table cell showing one ratio, marked MISS when below its target."""

    def cell(row: Row) -> str:
        if key not in row.ratios:
            return ""
        value = row.ratios[key]
        return f"{value:.2f}" if value >= row.target[key] else f"**{value:.2f} MISS**"

    return cell


def result_cell(row: Row) -> str:
    if row.meets_target is None:
        return "baseline"
    return "ok" if row.meets_target else "**MISS**"


Column = tuple[str, Callable[[Row], str]]
TIMING_COLUMNS: list[Column] = [
    ("fwd ms", lambda r: f"{r.fwd_ms:.2f}"),
    ("fwd GFLOP/s", lambda r: f"{r.fwd_gflops:.1f}"),
    ("fwd+bwd ms", lambda r: f"{r.fwd_bwd_ms:.2f}"),
    ("fwd+bwd GFLOP/s", lambda r: f"{r.fwd_bwd_gflops:.1f}"),
]
STANDARD_COLUMNS: list[Column] = [
    ("layer", lambda r: r.name),
    ("backend", lambda r: r.backend),
    ("B×T×I×H", lambda r: "×".join(map(str, r.shape.values()))),
    *TIMING_COLUMNS,
    ("vs torch fwd", ratio_cell("fwd_vs_torch")),
    ("vs torch fwd+bwd", ratio_cell("fwd_bwd_vs_torch")),
    ("result", result_cell),
]
VARIANT_COLUMNS: list[Column] = [
    ("variant", lambda r: r.name),
    ("backend", lambda r: r.backend),
    *TIMING_COLUMNS,
    ("vs torch fwd", ratio_cell("fwd_vs_torch")),
    ("vs torch fwd+bwd", ratio_cell("fwd_bwd_vs_torch")),
    ("vs reference fwd", ratio_cell("fwd_vs_reference")),
    ("vs reference fwd+bwd", ratio_cell("fwd_bwd_vs_reference")),
    ("result", result_cell),
]


def markdown_table(rows: list[Row], columns: list[Column]) -> str:
    lines = ["| " + " | ".join(h for h, _ in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r) for _, cell in columns) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: list[Row]) -> str:
    standard = [r for r in rows if r.section == "standard"]
    variants = [r for r in rows if r.section == "variants"]
    shape = "×".join(map(str, variants[0].shape.values()))
    return "\n".join(
        [
            "### Standard options: lstmkit.nn.LSTM vs torch.nn.LSTM "
            f"(target >= {TARGET_NATIVE_VS_TORCH})\n",
            markdown_table(standard, STANDARD_COLUMNS),
            f"\n### Variants at B×T×I×H = {shape}: fused vs torch.nn.LSTM "
            f"(target >= {TARGET_FUSED_VS_TORCH}) and vs its own reference backend "
            f"(target >= {TARGET_FUSED_VS_REFERENCE})\n",
            markdown_table(variants, VARIANT_COLUMNS),
            "\nRatios are throughput ratios (other time / this time), each from candidates "
            "timed interleaved in the same run. GFLOP/s of every row use the standard-LSTM "
            "count 8·T·B·H·(I+H) per forward (3× for fwd+bwd), variants included: a common "
            "scale, not their actual work.",
        ]
    )


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=20,
        help="timed fwd+bwd rounds per pool (forward gets twice as many); default 20",
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="untimed calls per candidate; default 3"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 3 repeats, 1 warm-up, first shape only; writes layers-quick.json",
    )
    parser.add_argument("--out", type=Path, help="JSON path (default benchmarks/results/)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error(f"--device {args.device}: torch sees no CUDA device here")
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be >= 1 and --warmup >= 0")
    if args.quick:
        args.repeats, args.warmup = 3, 1
    # A smoke test must never overwrite the numbers of a full run.
    out = args.out or RESULTS / ("layers-quick.json" if args.quick else "layers.json")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)  # weights, and the dropout / zoneout masks drawn while timing

    shapes = SHAPES[:1] if args.quick else SHAPES
    started = time.perf_counter()
    rows: list[Row] = []
    for shape in shapes:
        print(f"standard options at B,T,I,H = {shape} ...", file=sys.stderr, flush=True)
        rows += bench_standard(shape, args.repeats, args.warmup, args.device)
    print(f"variants at B,T,I,H = {SHAPES[0]} ...", file=sys.stderr, flush=True)
    rows += bench_variants(SHAPES[0], args.repeats, args.warmup, args.device)
    elapsed = time.perf_counter() - started

    machine = machine_info(args.device)
    result = {
        "machine": machine,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "repeats_fwd_bwd": args.repeats,
            "repeats_fwd": 2 * args.repeats,
            "warmup": args.warmup,
            "quick": args.quick,
            "dtype": "float32",
            "device": args.device,
            "statistic": "median",
            "flops_per_forward": "8*T*B*H*(I+H) (standard LSTM, used for every row)",
            "flops_per_forward_backward": "3 x forward",
            "elapsed_s": round(elapsed, 1),
        },
        "rows": [asdict(r) for r in rows],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    print(
        f"{machine['gpu'] or machine['processor'] or machine['platform']}, "
        f"torch {machine['torch']}, "
        f"{machine['torch_num_threads']} threads, {machine['cpu_count']} CPUs; medians of "
        f"{2 * args.repeats} fwd / {args.repeats} fwd+bwd interleaved repeats\n"
    )
    print(report(rows))
    misses = [
        f"{r.name} {r.backend} {tuple(r.shape.values())}" for r in rows if r.meets_target is False
    ]
    summary = f"MISS: {', '.join(misses)}" if misses else "all targets met"
    print(f"\n{summary}. Wrote {out} in {elapsed:.0f} s.")


if __name__ == "__main__":
    main()
