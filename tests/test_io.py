"""lstmkit.io: safetensors + JSON model folders, atomic saves, clear load errors."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
import safetensors.torch
import torch

import lstmkit
import lstmkit.io
from lstmkit.io import FORMAT_VERSION, ModelFormatError, load_model, save_model, to_jsonable
from lstmkit.nn import LSTM


def _state() -> dict[str, torch.Tensor]:
    return {
        "weight": torch.randn(4, 3, dtype=torch.float32),
        "bias": torch.randn(4, dtype=torch.float64),
        "steps": torch.arange(5, dtype=torch.int64),
        "mask": torch.tensor([True, False]),
        "half": torch.randn(2, 2).to(torch.bfloat16),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------------- round trip
def test_round_trip_values_dtypes_order_and_config(tmp_path):
    state = _state()
    config = {"hidden_size": 8, "labels": ["a", "b"], "nested": {"lr": 0.01, "flag": None}}
    folder = save_model(tmp_path / "model", state, config)
    assert folder == tmp_path / "model"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]

    loaded, loaded_config = load_model(folder)
    assert list(loaded) == list(state)  # the caller's key order, not safetensors' sorted one
    for name, tensor in state.items():
        assert loaded[name].dtype == tensor.dtype, name
        assert loaded[name].shape == tensor.shape, name
        assert torch.equal(loaded[name], tensor), name
    assert loaded_config == config


def test_config_json_is_pretty_and_tagged(tmp_path):
    folder = save_model(tmp_path / "m", {"w": torch.ones(1)}, {"units": (1, 2), "name": "é"})
    text = (folder / "config.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["format"] == "lstmkit-model"
    assert document["format_version"] == FORMAT_VERSION == 2
    assert document["lstmkit_version"] == lstmkit.__version__
    weights = (folder / "model.safetensors").read_bytes()
    assert document["weights_sha256"] == hashlib.sha256(weights).hexdigest()
    assert document["units"] == [1, 2] and document["name"] == "é"
    assert text.count("\n") > 4 and '\n  "units"' in text  # indented, one key per line


def test_lstm_state_dict_round_trip(tmp_path):
    lstm = LSTM(input_size=3, hidden_size=5, num_layers=2, bidirectional=True)
    folder = save_model(tmp_path / "lstm", lstm.state_dict(), {"input_size": 3})
    state, _ = load_model(folder)
    restored = LSTM(input_size=3, hidden_size=5, num_layers=2, bidirectional=True)
    restored.load_state_dict(state)
    x = torch.randn(2, 4, 3)
    assert torch.equal(restored(x)[0], lstm(x)[0])


def test_shared_non_contiguous_and_grad_tensors_are_saved(tmp_path):
    base = torch.randn(4, 4, requires_grad=True)
    tied = torch.randn(3, 3)
    state = {"base": base, "transposed": base.t(), "row": base[1], "a": tied, "b": tied}
    loaded, _ = load_model(save_model(tmp_path / "m", state, {}))
    for name, tensor in state.items():
        assert torch.equal(loaded[name], tensor.detach()), name
    loaded["a"].add_(1)  # stored as independent copies
    assert not torch.equal(loaded["a"], loaded["b"])


def test_overwrite_replaces_model_and_leaves_no_stray_folders(tmp_path):
    save_model(tmp_path / "m", {"w": torch.zeros(2)}, {"v": 1})
    save_model(tmp_path / "m", {"w": torch.ones(3)}, {"v": 2})
    state, config = load_model(tmp_path / "m")
    assert torch.equal(state["w"], torch.ones(3)) and config == {"v": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_save_creates_parents_and_accepts_str(tmp_path):
    folder = save_model(str(tmp_path / "runs" / "a" / "model"), {"w": torch.ones(1)}, {})
    assert isinstance(folder, Path) and (folder / "model.safetensors").is_file()


# ------------------------------------------------------------------- atomic saves
def _patch_fail(monkeypatch, target, attribute):
    def boom(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(target, attribute, boom)


@pytest.mark.parametrize(
    "patch", [(safetensors.torch, "save_file"), (json, "dump")], ids=["weights", "config"]
)
def test_crash_mid_save_keeps_previous_model(tmp_path, monkeypatch, patch):
    folder = save_model(tmp_path / "m", {"w": torch.arange(6.0)}, {"version": "old"})
    before = _snapshot(folder)
    _patch_fail(monkeypatch, *patch)
    with pytest.raises(OSError, match="simulated crash"):
        save_model(folder, {"w": torch.zeros(6)}, {"version": "new"})
    assert _snapshot(folder) == before  # byte for byte
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary folder left


def test_crash_on_first_save_leaves_nothing(tmp_path, monkeypatch):
    _patch_fail(monkeypatch, safetensors.torch, "save_file")
    with pytest.raises(OSError):
        save_model(tmp_path / "m", {"w": torch.ones(1)}, {})
    assert list(tmp_path.iterdir()) == []


def test_failed_swap_restores_previous_model(tmp_path, monkeypatch):
    """The fallback where no atomic exchange exists: move aside, move in, drop the old."""
    monkeypatch.setattr(lstmkit.io.model, "_exchange", lambda first, second: False)
    folder = save_model(tmp_path / "m", {"w": torch.arange(3.0)}, {"version": "old"})
    before = _snapshot(folder)
    real_rename, calls = os.rename, []

    def rename(src, dst):  # the old folder moves aside, then moving the new one in fails
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError("simulated crash during swap")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="during swap"):
        save_model(folder, {"w": torch.zeros(3)}, {"version": "new"})
    assert _snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_refuses_to_replace_a_foreign_folder_or_a_file(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not an lstmkit model folder"):
        save_model(project, {"w": torch.ones(1)}, {})
    assert (project / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="name the model folder itself"):
        save_model(".", {"w": torch.ones(1)}, {})
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="which is a file"):
        save_model(tmp_path / "file", {"w": torch.ones(1)}, {})
    # An empty folder may be written, and a model folder may be replaced.
    (tmp_path / "empty").mkdir()
    save_model(tmp_path / "empty", {"w": torch.ones(1)}, {})
    save_model(tmp_path / "empty", {"w": torch.zeros(1)}, {})


@pytest.mark.parametrize(
    ("state", "config", "error", "match"),
    [
        ([torch.ones(1)], {}, TypeError, "state_dict must be a mapping"),
        ({"w": np.ones(2)}, {}, TypeError, r"state_dict\['w'\] must be a torch.Tensor"),
        ({1: torch.ones(1)}, {}, TypeError, "keys must be str"),
        ({"w": torch.ones(1, device="meta")}, {}, ValueError, "meta device"),
        ({"w": torch.ones(1)}, {"format": "x"}, ValueError, "must not use the keys"),
        ({"w": torch.ones(1)}, {"a": {"b": {1, 2}}}, TypeError, r"config\['a'\]\['b'\]"),
        ({"w": torch.ones(1)}, [("a", 1)], TypeError, "config must be a dict"),
    ],
)
def test_save_rejects_bad_input_and_writes_nothing(tmp_path, state, config, error, match):
    with pytest.raises(error, match=match):
        save_model(tmp_path / "m", state, config)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------- load errors
@pytest.fixture
def saved(tmp_path) -> Path:
    return save_model(tmp_path / "m", {"w": torch.randn(8, 8), "b": torch.arange(8)}, {"k": 1})


def test_load_missing_folder(tmp_path):
    with pytest.raises(ModelFormatError, match="the folder does not exist"):
        load_model(tmp_path / "nope")


def test_load_missing_folder_ignores_a_partial_save(tmp_path):
    (tmp_path / ".m.saving-1234abcd").mkdir()  # a first save killed before its rename
    with pytest.raises(ModelFormatError, match="the folder does not exist"):
        load_model(tmp_path / "m")


def test_load_file_instead_of_folder(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"x")
    with pytest.raises(ModelFormatError, match="it is a file"):
        load_model(tmp_path / "model.safetensors")


@pytest.mark.parametrize("missing", ["config.json", "model.safetensors"])
def test_load_missing_file(saved, missing):
    (saved / missing).unlink()
    with pytest.raises(ModelFormatError, match=f"{missing} is missing"):
        load_model(saved)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ('{"format": "lstmkit-model", ', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ('{"architectures": ["BertModel"]}', "no 'format' entry"),
        ('{"format": "keras-model", "format_version": 1}', "format = 'keras-model'"),
        ("[1, 2, 3]", "a JSON list"),
        ('{"format": "lstmkit-model", "format_version": "1"}', "invalid format_version"),
        ('{"format": "lstmkit-model"}', "invalid format_version"),
    ],
    ids=["truncated-json", "binary", "foreign", "other-format", "json-list", "str-ver", "no-ver"],
)
def test_load_bad_config(saved, content, match):
    path = saved / "config.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ModelFormatError, match=match):
        load_model(saved)


def test_load_newer_format_version_says_upgrade(saved):
    path = saved / "config.json"
    document = json.loads(path.read_text())
    document.update(format_version=FORMAT_VERSION + 1, lstmkit_version="9.1.0")
    version = FORMAT_VERSION + 1
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFormatError) as info:
        load_model(saved)
    message = str(info.value)
    assert f"saved by lstmkit 9.1.0 with format version {version}" in message
    assert f"reads up to version {FORMAT_VERSION}" in message and "upgrade lstmkit" in message


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated mid-tensor
        lambda data: data[:20],  # truncated mid-header
        lambda data: b"",
        lambda data: bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8)),
        lambda data: data + b"extra",
    ],
    ids=["half", "header", "empty", "garbage", "trailing-bytes"],
)
def test_load_corrupt_safetensors(saved, damage):
    path = saved / "model.safetensors"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ModelFormatError, match="not a readable safetensors file"):
        load_model(saved)


def test_errors_are_value_errors():
    assert issubclass(ModelFormatError, ValueError)


def test_load_never_unpickles(saved, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle-based loading was used")

    monkeypatch.setattr(torch, "load", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    state, config = load_model(saved)
    assert set(state) == {"w", "b"} and config == {"k": 1}


# --------------------------------------------------------------------- to_jsonable
@dataclasses.dataclass
class _Options:
    lr: float
    sizes: tuple[int, ...]
    out: PurePosixPath


def test_to_jsonable_converts_known_types():
    value = {
        "int": np.int32(3),
        "float": np.float32(0.5),
        "bool": np.bool_(True),
        "str": np.str_("x"),
        "array": np.arange(4).reshape(2, 2),
        "tuple": (1, (2.0, "a")),
        "path": PurePosixPath("runs/1"),
        "options": _Options(0.1, (4, 8), PurePosixPath("o")),
        np.str_("numpy_key"): None,
        "nan": float("nan"),
    }
    result = to_jsonable(value)
    assert result["int"] == 3 and type(result["int"]) is int
    assert type(result["float"]) is float and result["bool"] is True
    assert result["str"] == "x" and type(result["str"]) is str
    assert result["array"] == [[0, 1], [2, 3]]
    assert result["tuple"] == [1, [2.0, "a"]]
    assert result["path"] == "runs/1"
    assert result["options"] == {"lr": 0.1, "sizes": [4, 8], "out": "o"}
    assert "numpy_key" in result
    json.dumps(result)  # plain types only
    assert value["tuple"] == (1, (2.0, "a"))  # input untouched


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"a": [1, {2, 3}]}, r"cfg\['a'\]\[1\] must be a JSON-compatible value"),
        ({"a": {1: "x"}}, r"cfg\['a'\] must have str keys"),
        ({"w": torch.ones(2)}, "tensors belong in the state dict"),
        ({"z": 1 + 2j}, r"cfg\['z'\]"),
        ({"z": np.complex64(1)}, "no JSON form"),
        ({"o": _Options(0.1, (1,), object())}, r"cfg\['o'\]\.out"),
    ],
)
def test_to_jsonable_names_the_key_path(value, match):
    with pytest.raises(TypeError, match=match):
        to_jsonable(value, path="cfg")
