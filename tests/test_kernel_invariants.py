"""Repository invariants of the shared kernel (docs/architecture.md floors): settings are read one
way, uploads are inspected in one place, and the kernel imports no PRM app."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", "var", ".git"}


def app_code() -> list[Path]:
    """Every Python module that runs in PRM, without tests and migrations."""
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts[:-1])
    )


def local_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"kernel"}


def test_app_code_reads_settings_directly_never_through_getattr_with_a_default():
    """A default written beside a read repeats (and drifts from) the one in prm/settings/base.py."""
    pattern = re.compile(r"getattr\(\s*(django_)?settings\s*,")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in app_code()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_every_prm_setting_the_app_code_reads_is_declared_in_the_base_settings():
    import prm.settings.base as base

    read = {
        name
        for path in app_code()
        if "settings" not in path.relative_to(ROOT).parts
        for name in re.findall(r"\bsettings\.(PRM_[A-Z0-9_]+)", path.read_text())
    }
    assert read, "the scan found no settings at all"
    assert sorted(name for name in read if not hasattr(base, name)) == []
    assert all(hasattr(settings, name) for name in read)


def test_only_the_kernel_inspects_upload_content():
    """One upload inspector (kernel.uploads): no app keeps its own magic-byte checks."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_code()
        if path.relative_to(ROOT).parts[0] != "kernel"
        and re.search(r"^\s*(import filetype|from filetype )", path.read_text(), re.M)
    ]
    assert offenders == []


def test_the_kernel_imports_no_prm_app():
    apps = local_packages()
    offenders = []
    for path in app_code():
        if path.relative_to(ROOT).parts[0] != "kernel":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] in apps
            ]
    assert "partners" in apps and "prm" in apps
    assert offenders == []
