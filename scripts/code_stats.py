"""Print one JSON line of size and layering measures of the logicmap package, read with `ast`.

Measures (paths are relative to the directory holding the package, e.g. `logicmap/api.py`):
  - modules: number of .py files;
  - longest_modules: the modules over 400 lines, longest first, as {"path", "lines"};
  - max_module_lines: the longest module's line count;
  - functions, median_function_lines: every def and async def, methods and nested
    functions included, a function's lines being end_lineno - lineno + 1;
  - modules_importing_orm_outside_store: modules outside the package's store/ that
    import sqlalchemy or the ORM tables (<package>.store.tables) anywhere, inside
    functions too (the issue's target: none);
  - cores_importing_store: modules of the stage cores (every package but store, review,
    cli, web, demo and the top-level modules) that import <package>.store at all;
  - lazy_imports: import statements inside function bodies that import a module of
    the package.

Usage: python scripts/code_stats.py [--src src/logicmap]
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SRC = REPO / "src" / "logicmap"
LONG_MODULE_LINES = 400
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


def module_files(src: Path) -> list[Path]:
    """Every .py file under the package directory, in a stable order."""
    return sorted(path for path in src.rglob("*.py") if "__pycache__" not in path.parts)


def module_name(path: Path, src: Path) -> str:
    """The dotted name of the module at `path` (a package's __init__ is the package)."""
    parts = list(path.relative_to(src.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """The dotted modules an import statement may load, relative imports resolved.

    `from X import a` yields X and X.a, since `a` may be a submodule.
    """
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return {target} | {f"{target}.{alias.name}" for alias in node.names if alias.name != "*"}


def is_within(name: str, package: str) -> bool:
    """Whether dotted `name` is `package` or one of its submodules."""
    return name == package or name.startswith(package + ".")


def imports_with_scope(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement in the tree, with whether it sits inside a function body."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            yield from visit(child, in_function or isinstance(child, FUNCTION_NODES))

    yield from visit(tree, False)


def module_imports(path: Path, src: Path) -> list[tuple[set[str], bool]]:
    """For each import statement of the module: the modules it may load, and whether it is lazy."""
    name = module_name(path, src)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    return [(imported_modules(node, name, is_package), lazy) for node, lazy in imports_with_scope(tree)]


def modules_importing(src: Path, imported: tuple[str, ...]) -> list[str]:
    """Modules outside `src`/store that import any of the `imported` packages, as relative paths."""
    store = src / "store"
    return [
        path.relative_to(src.parent).as_posix()
        for path in module_files(src)
        if not path.is_relative_to(store)
        and any(
            is_within(target, package)
            for targets, _ in module_imports(path, src)
            for target in targets
            for package in imported
        )
    ]


#: Packages that may use the store: the store itself, the API behind Review, the adapters, the demo.
NOT_CORES = ("store", "review", "cli", "web", "demo")


def orm_importers(src: Path = DEFAULT_SRC) -> list[str]:
    """Modules outside `src`/store that import sqlalchemy or the ORM tables, as relative paths."""
    return modules_importing(src, ("sqlalchemy", f"{src.name}.store.tables"))


def cores_importing_store(src: Path = DEFAULT_SRC) -> list[str]:
    """Modules of the stage cores that import the store package, as relative paths."""
    cores = {path.relative_to(src.parent).as_posix() for path in module_files(src)
             if len(path.relative_to(src).parts) > 1 and path.relative_to(src).parts[0] not in NOT_CORES}
    return [path for path in modules_importing(src, (f"{src.name}.store",)) if path in cores]


def function_lengths(tree: ast.AST) -> list[int]:
    """The line count of every function and method in the tree."""
    return [node.end_lineno - node.lineno + 1 for node in ast.walk(tree) if isinstance(node, FUNCTION_NODES)]


def code_stats(src: Path = DEFAULT_SRC) -> dict:
    """All measures for the package at `src`, as printed by this script."""
    line_counts: dict[str, int] = {}
    lengths: list[int] = []
    lazy_imports = 0
    for path in module_files(src):
        text = path.read_text(encoding="utf-8")
        line_counts[path.relative_to(src.parent).as_posix()] = len(text.splitlines())
        lengths += function_lengths(ast.parse(text, filename=str(path)))
        lazy_imports += sum(
            1
            for targets, lazy in module_imports(path, src)
            if lazy and any(is_within(t, src.name) for t in targets)
        )
    longest = sorted(line_counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "modules": len(line_counts),
        "longest_modules": [{"path": p, "lines": n} for p, n in longest if n > LONG_MODULE_LINES],
        "max_module_lines": longest[0][1] if longest else 0,
        "median_function_lines": statistics.median(lengths) if lengths else 0,
        "functions": len(lengths),
        "modules_importing_orm_outside_store": orm_importers(src),
        "cores_importing_store": cores_importing_store(src),
        "lazy_imports": lazy_imports,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the package directory (default: src/logicmap)")
    args = parser.parse_args()
    print(json.dumps(code_stats(args.src.resolve())))


if __name__ == "__main__":
    main()
