"""The floor plan's paperwork stays true (issue 17): docs/architecture.md lists exactly the import
contracts' exceptions, the import-graph script sees imports hidden inside functions, and neither
apps nor the modules inside one app import each other in a cycle.
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


# Cycles between modules of one app that are allowed, each with its reason. Empty: keep it so.
ALLOWED_MODULE_CYCLES: set[tuple[str, ...]] = set()


def test_no_two_modules_of_an_app_import_each_other_in_a_cycle():
    """Issue 17, inside the apps too: no module imports, through any chain of modules of its
    app, a module that imports it back, imports inside functions included (an import hidden in
    a function still makes the arrow). What both sides need goes into a third module both import
    (``metrics.adoption_rules``); a task is enqueued by name
    (``kernel.enqueue.send("<app>.tasks.<task>", …)``), never imported back by the services it
    calls. ``bench/import_graph.py --modules`` lists a cycle's import lines."""
    graph = load_import_graph()
    found = {tuple(group) for group in graph.cycles(graph.build_module_graph())}
    assert sorted(found - ALLOWED_MODULE_CYCLES) == []
    assert sorted(ALLOWED_MODULE_CYCLES - found) == [], "allowed cycles that are gone"


def test_the_module_graph_finds_a_cycle_hidden_in_a_function(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "metrics/__init__.py": "",
            "metrics/summaries.py": "def spans():\n    from metrics.definitions import curve\n",
            "metrics/definitions/__init__.py": "",
            "metrics/definitions/curve.py": "from metrics.summaries import trusted\n",
            "metrics/tests/test_curve.py": "from metrics.definitions import curve\n",
            "partners/__init__.py": "",
            "partners/selectors.py": "from metrics.summaries import spans\n",
        },
    )
    graph = load_import_graph()
    edges = graph.build_module_graph(root)
    assert edges["metrics.summaries"]["metrics.definitions.curve"] == ["metrics/summaries.py:2"]
    assert "partners.selectors" not in edges  # another app's import is not an arrow inside one
    assert graph.cycles(edges) == [["metrics.definitions.curve", "metrics.summaries"]]


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
