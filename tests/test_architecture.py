"""The floor plan's paperwork stays true (issue 17): docs/architecture.md lists exactly the import
contracts' exceptions, and the import-graph script sees imports hidden inside functions.
`make lint` runs the contracts themselves (`lint-imports`)."""

import ast
import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contract_exceptions() -> set[tuple[str, str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {
        (contract["id"], entry)
        for contract in config["contracts"]
        for entry in contract.get("ignore_imports", [])
    }


def documented_exceptions() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## Exceptions", 1)[1]
    found, contract = set(), None
    for line in section.splitlines():
        heading = re.match(r"### `([^`]+)`", line)
        if heading:
            contract = heading.group(1)
        for entry in re.findall(r"`([^`]+ -> [^`]+)`", line):
            found.add((contract, entry))
    return found


def test_the_architecture_doc_lists_exactly_the_import_contracts_exceptions():
    in_config, in_doc = contract_exceptions(), documented_exceptions()
    assert in_config, "no ignore_imports found: did [tool.importlinter] move?"
    assert sorted(in_config - in_doc) == [], "exceptions missing from docs/architecture.md"
    assert sorted(in_doc - in_config) == [], "docs/architecture.md lists exceptions that are gone"


def test_the_architecture_doc_shows_the_exceptions_with_their_reasons_as_configured():
    """Reasons too: the section is what `bench/import_graph.py --exceptions` prints."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert load_import_graph().exceptions_markdown().strip() in text


def load_import_graph():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "bench" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_import_graph_counts_imports_inside_functions(tmp_path):
    """An import inside a function hides the arrow from a reader, not from the graph."""
    root = write_tree(
        tmp_path,
        {
            "onboarding/__init__.py": "",
            "onboarding/models.py": "def reachable():\n    from enablement.selectors import x\n",
            "enablement/__init__.py": "",
            "enablement/selectors.py": "x = 1\n",
        },
    )
    edges = load_import_graph().build_graph(root)
    assert edges["onboarding"]["enablement"] == ["onboarding/models.py:2"]
    assert "onboarding" not in edges["enablement"]


def test_the_import_graph_finds_a_cycle_and_its_two_way_arrow(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "partners/__init__.py": "",
            "partners/selectors.py": "from tiers import progress\n",
            "tiers/__init__.py": "",
            "tiers/progress.py": "from partners.selectors import y\n",
            "deals/__init__.py": "from partners import selectors\n",
        },
    )
    graph = load_import_graph()
    edges = graph.build_graph(root)
    assert graph.cycles(edges) == [["partners", "tiers"]]
    assert graph.two_way(edges) == [("partners", "tiers")]


def test_there_is_no_import_cycle_between_apps():
    """Issue 17: every floor imports only downwards, imports inside functions included (the
    graph counts them; import-linter's layers would miss an arrow listed as an exception)."""
    graph = load_import_graph()
    edges = graph.build_graph()
    assert graph.cycles(edges) == []
    assert graph.two_way(edges) == []


def test_no_tasks_module_is_in_an_import_cycle_inside_its_app():
    """A task calls its app's services; the services enqueue the task by name
    (``kernel.enqueue.send("<app>.tasks.<task>", …)``), never by importing it back."""
    graph = load_import_graph()
    edges = {}
    for app in graph.APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            module = graph.module_of(path)
            tree = ast.parse(path.read_text())
            imported = graph.imported_modules(tree, module, path.name == "__init__.py")
            edges[module] = {name: {} for name, _ in imported if name.split(".")[0] == app}
    modules = set(edges)
    edges = {m: {t: {} for t in targets if t in modules and t != m} for m, targets in edges.items()}
    loops = [group for group in graph.cycles(edges) if any(m.endswith(".tasks") for m in group)]
    assert loops == []


def test_no_app_imports_the_bench_scripts():
    packages = [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests"}]
    offenders = []
    for package in packages:
        for path in package.rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                if any(n == "bench" or n.startswith("bench.") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
