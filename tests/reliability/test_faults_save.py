"""Fault catalogue: a model folder survives kill -9 at any moment of a save.

Issue 12: `save()` had a window between its two renames where the model folder did not
exist (a kill there left only `.model.old-*`), killed saves left `.model.saving-*`
folders that later saves never removed, `save()` overwrote a foreign folder that held
`config.json` + `model.safetensors`, flipped bytes in the weights went unnoticed, and a
NaN model (a diverged training) saved without complaint.

The kill test: a process saves one model after another into the same folder and is
killed with SIGKILL at 20 random moments (for the atomic exchange and for the fallback
without it); after every kill the folder must load as the last model whose save had
finished or the one being saved -- complete and consistent (its weights belong to its
config), never missing or corrupt -- and the next save must clean whatever the killed
one left behind. Below it, each of those faults on its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import safetensors.torch
import torch

import lstmkit.io.model
from lstmkit.io import ModelFormatError, load_model, save_model

KILLS = 20

# Run in its own process: it forks the savers (cheap: torch is already imported) and
# kills them; the test process itself never forks.
HELPER = textwrap.dedent(
    """
    import json, os, random, signal, sys, time
    import torch
    torch.set_num_threads(1)
    import lstmkit.io.model as model_io
    from lstmkit.io import ModelFormatError, load_model, save_model

    EXCHANGE = model_io._exchange


    def state(i):
        return {"w": torch.full((64, 64), float(i)), "b": torch.full((7,), float(i))}


    def run(root, kills, method):
        model_io._exchange = EXCHANGE if method == "exchange" else (lambda first, second: False)
        parent = os.path.join(root, method)
        os.mkdir(parent)
        folder = os.path.join(parent, "m")
        rng = random.Random(12)
        save_model(folder, state(0), {"i": 0})
        start = time.perf_counter()
        for _ in range(3):  # how long a save takes here (mostly fsync)
            save_model(folder, state(0), {"i": 0})
        seconds = (time.perf_counter() - start) / 3
        outcomes, last = [], 0
        for kill in range(kills):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the saver: save models last+1, last+2, ... until killed
                os.close(read)
                i = last
                while True:
                    i += 1
                    save_model(folder, state(i), {"i": i})
                    os.write(write, f"{i}\\n".encode())
            os.close(write)
            time.sleep(rng.uniform(0.0, 3 * seconds))  # within the first ~3 saves
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            done = b""
            while chunk := os.read(read, 65536):
                done += chunk
            os.close(read)
            finished = [int(n) for n in done.split()]
            newest_done = finished[-1] if finished else last
            leftovers = sorted(n for n in os.listdir(parent) if n.startswith(".m."))
            folder_missing = not os.path.isdir(folder)  # fallback: killed between renames
            try:
                loaded, config = load_model(folder)
                i = config["i"]
                consistent = bool((loaded["w"] == i).all() and (loaded["b"] == i).all())
                result = ("new" if i == newest_done + 1 else "old" if i == newest_done
                          else f"other {i}")
                error = None
            except (ModelFormatError, OSError) as exc:
                i, consistent, result, error = None, False, "unloadable", str(exc)
            outcomes.append({"kill": kill, "saves_done": len(finished),
                             "newest_done": newest_done, "loaded": i, "result": result,
                             "consistent": consistent, "leftovers": leftovers, "error": error,
                             "folder_missing": folder_missing})
            last = i if i is not None else newest_done
        # the next save cleans what the killed ones left
        save_model(folder, state(last + 1), {"i": last + 1})
        remaining = sorted(n for n in os.listdir(parent) if n != "m")
        return {"outcomes": outcomes, "remaining": remaining, "save_seconds": seconds,
                "final": load_model(folder)[1]["i"] == last + 1}


    root, kills = sys.argv[1], int(sys.argv[2])
    print(json.dumps({method: run(root, kills, method) for method in sys.argv[3].split(",")}))
    """
)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """One helper process for both swap methods (torch is imported once)."""
    root = tmp_path_factory.mktemp("kill-saves")
    script = root / "saver.py"
    script.write_text(HELPER)
    done = subprocess.run(
        [sys.executable, str(script), str(root), str(KILLS), "exchange,fallback"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("method", ["exchange", "fallback"])
def test_kill_9_during_saves_always_leaves_the_old_or_the_new_model(reports, method):
    report = reports[method]
    outcomes = report["outcomes"]
    assert len(outcomes) == KILLS
    for outcome in outcomes:
        assert outcome["result"] in ("old", "new"), outcome
        assert outcome["consistent"], outcome
    # The kills did land inside saves (a temporary was left), and were all cleaned.
    assert any(outcome["leftovers"] for outcome in outcomes), outcomes
    assert report["remaining"] == [] and report["final"]


# ------------------------------------------------- the same faults, one at a time
def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def saved(tmp_path) -> Path:
    return save_model(tmp_path / "m", {"w": torch.randn(8, 8), "b": torch.arange(8)}, {"k": 1})


def test_failed_exchange_keeps_previous_model(tmp_path, monkeypatch):
    folder = save_model(tmp_path / "m", {"w": torch.arange(3.0)}, {"version": "old"})
    before = _snapshot(folder)

    def exchange(first, second):
        raise OSError("simulated crash during exchange")

    monkeypatch.setattr(lstmkit.io.model, "_exchange", exchange)
    with pytest.raises(OSError, match="during exchange"):
        save_model(folder, {"w": torch.zeros(3)}, {"version": "new"})
    assert _snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_save_uses_an_atomic_exchange_on_linux(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    if not lstmkit.io.model._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: saves use the two-rename fallback")
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
    folder = save_model(tmp_path / "m", {"w": torch.zeros(2)}, {"v": 1})
    renames = []
    real_rename = os.rename
    monkeypatch.setattr(os, "rename", lambda *a: renames.append(a) or real_rename(*a))
    save_model(folder, {"w": torch.ones(2)}, {"v": 2})
    assert renames == []  # swapped in one step: the folder never stops existing
    assert load_model(folder)[1] == {"v": 2}


@pytest.mark.parametrize(
    "config",
    ['{"architectures": ["BertModel"]}', "{broken", None],
    ids=["other-tool", "damaged", "no-config"],
)
def test_refuses_a_foreign_folder_with_model_file_names(tmp_path, config):
    """Another tool's folder with a config.json and a model.safetensors is not ours."""
    foreign = tmp_path / "hf-model"
    foreign.mkdir()
    safetensors.torch.save_file({"w": torch.ones(2)}, foreign / "model.safetensors")
    if config is not None:
        (foreign / "config.json").write_text(config)
    before = _snapshot(foreign)
    with pytest.raises(ValueError, match=r"not an lstmkit model folder \(.*\).*delete the folder"):
        save_model(foreign, {"w": torch.zeros(1)}, {})
    assert _snapshot(foreign) == before


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_save_refuses_non_finite_weights(tmp_path, bad):
    state = {"ok": torch.ones(3), "w": torch.tensor([1.0, bad, 2.0])}
    with pytest.raises(
        ValueError,
        match=r"state_dict\['w'\] must hold finite values; received 1 non-finite of 3.*diverged",
    ):
        save_model(tmp_path / "m", state, {})
    assert list(tmp_path.iterdir()) == []
    save_model(tmp_path / "m", {"steps": torch.arange(3), "half": torch.ones(2).half()}, {})


def test_stale_temporaries_of_killed_saves_are_cleaned_by_the_next_save(tmp_path):
    folder = save_model(tmp_path / "m", {"w": torch.zeros(2)}, {"v": 1})
    for leftover in (".m.saving-0badc0de", ".m.saving-1badc0de", ".m.old-2badc0de"):
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "model.safetensors").write_bytes(b"partial")
    save_model(folder, {"w": torch.ones(2)}, {"v": 2})
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    assert load_model(folder)[1] == {"v": 2}


def test_a_model_left_aside_by_a_killed_fallback_save_is_loaded_and_put_back(tmp_path):
    folder = save_model(tmp_path / "m", {"w": torch.arange(2.0)}, {"v": "old"})
    folder.rename(tmp_path / ".m.old-1234abcd")  # killed between the fallback's renames
    (tmp_path / ".m.saving-5678abcd").mkdir()  # ... with the new model not yet moved in
    state, config = load_model(folder)
    assert config == {"v": "old"} and torch.equal(state["w"], torch.arange(2.0))
    save_model(folder, {"w": torch.ones(2)}, {"v": "new"})
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    assert load_model(folder)[1] == {"v": "new"}


def test_flipped_bytes_are_detected_by_the_checksum(saved):
    path = saved / "model.safetensors"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x10  # one bit of a weight: still a well-formed safetensors file
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match=r"does not match the checksum in config.json"):
        load_model(saved)


def test_version_1_folders_without_a_checksum_still_load(saved):
    path = saved / "config.json"
    document = json.loads(path.read_text())
    del document["weights_sha256"]
    path.write_text(json.dumps(document | {"format_version": 1}))
    assert load_model(saved)[1] == {"k": 1}
    path.write_text(json.dumps(document))  # version 2 must have it
    with pytest.raises(ModelFormatError, match="has no 'weights_sha256' entry"):
        load_model(saved)
