"""Print the app-level import graph of PRM and the import cycles between apps (issue 17).

    uv run python bench/import_graph.py            # app -> apps it imports, then the cycles
    uv run python bench/import_graph.py --edges    # also each arrow's importing lines
    uv run python bench/import_graph.py --modules  # import cycles between modules of one app
    uv run python bench/import_graph.py --exceptions  # the contracts' ignore_imports as markdown
                                                   # (docs/architecture.md "Exceptions" section)

Reads every ``.py`` file of the apps with ``ast`` (no Django, no imports run), so imports inside
functions count like module-level ones; tests and migrations are left out (they are not part of
the floor plan). Every floor is its own app, so the graph is the apps' graph. Nothing in
the apps imports this script; ``docs/architecture.md`` shows its output. ``make lint`` keeps the
rules themselves (import-linter, ``[tool.importlinter]``).
"""

import argparse
import ast
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "kernel",
    "accounts",
    "events",
    "partners",
    "onboarding",
    "enablement",
    "deals",
    "incentives",
    "customers",
    "ingestion",
    "webhooks",
    "audit",
    "tiers",
    "followup",
    "notifications",
    "metrics",
    "demo",
    "console",
    "prm",
]


def node_of(module: str) -> str | None:
    """The graph node (app) a dotted module belongs to, or None when it is not PRM's."""
    parts = module.split(".")
    if parts[0] not in APPS:
        return None
    return parts[0]


def module_of(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every module an import statement anywhere in the tree names (relative ones resolved)."""
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            found += [(a.name, n.lineno) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (n.level - 1)]
                target = ".".join(base + ([n.module] if n.module else []))
            else:
                target = n.module or ""
            found.append((target, n.lineno))
            # `from partners import demo` names a module through its attribute.
            found += [(f"{target}.{a.name}", n.lineno) for a in n.names]
    return found


def build_graph(root: Path = ROOT):
    """source app -> target app -> ["file:line", ...] for every import statement of the apps
    under ``root`` (tests can point it at a small tree of their own)."""
    edges = defaultdict(lambda: defaultdict(list))
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            rel = path.relative_to(root)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            module = module_of(path, root)
            source = node_of(module)
            tree = ast.parse(path.read_text(), filename=str(rel))
            seen = set()
            for target_module, line in imported_modules(tree, module, path.name == "__init__.py"):
                target = node_of(target_module)
                if target is None or target == source or (target, line) in seen:
                    continue
                seen.add((target, line))
                edges[source][target].append(f"{rel}:{line}")
    return edges


def build_module_graph(root: Path = ROOT):
    """Inside each app: module -> module of the same app it imports -> ["file:line", ...]
    (imports inside functions included; tests and migrations left out), for the module cycles
    check (``--modules``, ``tests/test_architecture.py``)."""
    imports = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            rel = path.relative_to(root)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            module = module_of(path, root)
            tree = ast.parse(path.read_text(), filename=str(rel))
            imports[module] = [
                (target, f"{rel}:{line}")
                for target, line in imported_modules(tree, module, path.name == "__init__.py")
                if target.split(".")[0] == app
            ]
    edges = defaultdict(lambda: defaultdict(list))
    for module, found in imports.items():
        for target, where in found:
            if target in imports and target != module and where not in edges[module][target]:
                edges[module][target].append(where)
    return edges


def cycles(edges) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def two_way(edges) -> list[tuple[str, str]]:
    return sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges.get(b, {}))


def exceptions_markdown() -> str:
    """Every import contract's ``ignore_imports``, grouped under the comment that gives their
    reason, as the markdown of docs/architecture.md's "Exceptions" section."""
    raw = (ROOT / "pyproject.toml").read_text()
    contracts = tomllib.loads(raw)["tool"]["importlinter"]["contracts"]
    out = []
    for contract, block in zip(
        contracts, raw.split("[[tool.importlinter.contracts]]")[1:], strict=True
    ):
        if not contract.get("ignore_imports"):
            continue
        out.append(f"### `{contract['id']}`: {contract['name']}\n")
        body = block[block.index("ignore_imports = [") :]
        groups, reason, current = [], [], None
        for line in body[: body.index("\n]")].splitlines()[1:]:
            line = line.strip()
            if line.startswith("#"):
                if current is not None:
                    groups.append(current)
                    current = None
                reason.append(line.lstrip("# ").strip())
            elif line.startswith('"'):
                entry = re.match(r'"([^"]+)",?\s*(?:#\s*(.*))?', line)
                if current is None:
                    current = (" ".join(reason) or entry.group(2) or "", [])
                    reason = []
                current[1].append(entry.group(1))
        if current is not None:
            groups.append(current)
        for why, entries in groups:
            out.append(f"- {why}\n" + "".join(f"  - `{e}`\n" for e in entries))
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="list the lines behind each arrow")
    parser.add_argument(
        "--modules", action="store_true", help="print the import cycles between modules of an app"
    )
    parser.add_argument(
        "--exceptions", action="store_true", help="print the contracts' exceptions as markdown"
    )
    args = parser.parse_args(argv)
    if args.exceptions:
        print(exceptions_markdown())
        return 0
    if args.modules:
        module_edges = build_module_graph()
        print("Cycles between modules of one app (strongly connected groups):")
        for group in cycles(module_edges):
            print("  " + " <-> ".join(group))
            for a in group:
                for b in group:
                    for where in module_edges[a].get(b, []):
                        print(f"{'':4}{a} -> {b}: {where}")
        if not cycles(module_edges):
            print("  none")
        return 0
    edges = build_graph()
    print("App-level import graph (module- and function-level imports; tests, migrations left out)")
    for source in sorted(edges):
        targets = edges[source]
        print(f"{source:12} -> " + ", ".join(f"{t} ({len(targets[t])})" for t in sorted(targets)))
        if args.edges:
            for t in sorted(targets):
                for where in targets[t]:
                    print(f"{'':16}{t}: {where}")
    print("\nTwo-way arrows:", ", ".join(f"{a} <-> {b}" for a, b in two_way(edges)) or "none")
    print("Cycles between apps (strongly connected groups):")
    for group in cycles(edges):
        print("  " + " <-> ".join(group))
    if not cycles(edges):
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
