"""The kernel is the ground floor (docs: STYLE.md, "Floors of the house"): it imports no app of
PRM and not the roof (``prm``), so every app can use it without a cycle."""

import ast
from pathlib import Path

from django.apps import apps

KERNEL = Path(__file__).resolve().parents[1]


def test_kernel_code_imports_no_app_of_prm():
    ours = {c.name for c in apps.get_app_configs() if Path(c.path).parent == KERNEL.parent}
    forbidden = (ours | {"prm"}) - {"kernel"}
    found = []
    for path in KERNEL.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert "deals" in forbidden and "accounts" in forbidden  # the check sees the apps
    assert found == []
