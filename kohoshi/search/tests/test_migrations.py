import ast
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def _kohoshi_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names += [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    return [n for n in names if n.startswith("kohoshi") and not n.startswith("kohoshi.search.migrations.")]


def test_migrations_import_nothing_from_kohoshi_but_other_migrations():
    """A migration's SQL is frozen in it: editing search/backends must not rewrite history."""
    found = {p.name: _kohoshi_imports(p) for p in sorted(MIGRATIONS.glob("0*.py"))}
    assert {name: imports for name, imports in found.items() if imports} == {}
