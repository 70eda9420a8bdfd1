"""The architecture rules the layout promises, checked on the source."""

import ast
import subprocess
import sys

from .conftest import ROOT


def _imports(folder):
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name


def test_model_never_imports_training_or_eval():
    bad = [(p.name, m) for p, m in _imports("model") if m.startswith(("detente.training", "detente.eval"))]
    assert bad == []


def test_no_bare_imports_of_the_top_level_folders():
    folders = ("detente", "model", "training", "eval", "summary", "labelling", "tests")
    bare = [(p.name, m) for folder in folders for p, m in _imports(folder)
            if m.split(".")[0] in ("model", "training", "eval", "summary", "labelling")]  # fmt: skip
    assert bare == []


def test_the_cli_imports_no_heavy_library_until_a_command_runs():
    code = "import sys, detente.cli; print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
