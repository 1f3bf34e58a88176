"""The layering of DESIGN.md: what each layer may load (import-linter checks the rest)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", ["lstmkit.data", "lstmkit.datasets", "lstmkit._checks"])
def test_lower_layers_do_not_load_the_layer_family(module):
    loaded = _loaded_after(f"import {module}")
    assert "lstmkit.nn" not in loaded
    assert not any(name.startswith(("lstmkit.training", "lstmkit.tasks")) for name in loaded)


@pytest.mark.parametrize("module", ["lstmkit.datasets", "lstmkit._checks"])
def test_datasets_and_checks_are_torch_free(module):
    assert "torch" not in _loaded_after(f"import {module}")


def test_import_linter_contracts_hold():
    pytest.importorskip("importlinter")
    code = (
        "import sys; from importlinter.cli import lint_imports_command; "
        "sys.argv = ['lint-imports', '--no-cache']; sys.exit(lint_imports_command())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_no_import_cycles_between_modules():
    """A module never imports, even indirectly, one that imports it (type-only imports and
    a package's own ``__init__`` aside): cycles are what kept set_gate_bias_ importing the
    layers that imported it."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("lstmkit", exclude_type_checking_imports=True)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue
            if graph.chain_exists(importer=imported, imported=module):
                cycles.add(tuple(sorted((module, imported))))
    assert not cycles, sorted(cycles)
