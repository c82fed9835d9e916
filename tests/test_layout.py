"""The package's shape: modules by role, no import cycles, one vocabulary, pure mechanisms."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "agents")
VOCAB = {"MATERIALS", "STAGES", "CIRCLES", "CLASSES", "N_CLASSES", "MARKETS", "SCENARIOS", "HINDCASTS",
         "RUNNABLE", "DAYS_PER_MONTH", "LIGHT", "HEAVY", "METAL", "MAGNET", "OUTPUT", "SEPARATION"}


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the two packages."""
    found = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def top_level_imports(path: Path, known: set[str]) -> set[str]:
    """The package modules ``path`` imports when it is imported (function-level imports aside)."""
    out = set()
    for node in ast.parse(path.read_text()).body:
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def test_the_import_graph_has_no_cycle():
    mods = modules()
    graph = {m: top_level_imports(p, set(mods)) - {m} for m, p in mods.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [n] if n in path else [m, n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_mechanisms_are_pure_functions_of_arrays():
    """sim/mechanisms/ imports neither the model, nor the agents, nor outputs or ways to run."""
    mods = modules()
    for name, path in mods.items():
        if name.startswith("sim.mechanisms."):
            used = top_level_imports(path, set(mods))
            bad = {u for u in used if u.startswith(("sim.model", "sim.runs", "sim.outputs", "sim.study", "agents"))}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_the_vocabulary_is_defined_once():
    for name, path in modules().items():
        if name == "sim.vocab":
            continue
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for t in targets:
                for n in ast.walk(t):
                    assert not (isinstance(n, ast.Name) and n.id in VOCAB), f"{name} defines {n.id}: import it from sim.vocab"


def test_the_public_entry_points_still_work():
    from sim import load_results, run_scenario  # noqa: F401

    for module in ("sim.sweep", "experiments.report", "experiments.sensitivity"):
        proc = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (module, proc.stderr[-500:])
