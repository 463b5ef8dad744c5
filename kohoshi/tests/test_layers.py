"""The layering rule of docs/architecture.md: an app imports only from its own layer or below.

Read from the source with `ast`, so an import inside a function counts as much as one at the top.
Tests are exempt (a test may build its data through any layer); migrations import nothing of
kohoshi but the field callables makemigrations writes, so editing live code (a search backend,
say) never rewrites migration history.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]

# Bottom up. Apps on one line are one layer and may import each other.
LAYERS = [
    {"places", "accounts"},
    {"newsletters", "search"},
    {"ingest", "engagement", "subscriptions", "reading_aids"},
    {"staff", "api", "reading"},
]
LAYER_OF = {app: n for n, apps in enumerate(LAYERS) for app in apps}
# The project package's own modules: settings, URLs, WSGI, and the core app's commands.
PROJECT = {"core", "settings", "test_settings", "urls", "wsgi", "asgi", "__main__", "conftest", "tests"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                yield node.lineno, ".".join(base + ((node.module,) if node.module else ()))
            elif node.module:
                yield node.lineno, node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            yield from ((node.lineno, a.value) for a in node.args if isinstance(a, ast.Constant))


def _source_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or path.name == "conftest.py":
            continue
        yield path, parts


def layering_violations() -> list[str]:
    problems = []
    for path, parts in _source_files():
        app = parts[0].removesuffix(".py") if len(parts) > 1 or parts[0] != "__init__.py" else None
        for lineno, module in _imports(path):
            if not module.startswith("kohoshi."):
                continue
            target = module.split(".")[1]
            where = f"kohoshi/{'/'.join(parts)}:{lineno} imports {module}"
            if "migrations" in parts:
                # Only what makemigrations itself writes: the app's own field callables
                # (upload_to, validators). SQL and backend code are frozen inside the migration.
                if module not in {f"kohoshi.{app}.models", f"kohoshi.{app}.codes"} and not module.startswith(
                    f"kohoshi.{app}.migrations"
                ):
                    problems.append(f"{where}: a migration imports live code")
                continue
            if app in PROJECT or target == app or target in PROJECT and app not in LAYER_OF:
                continue
            if app not in LAYER_OF:
                problems.append(f"{where}: kohoshi/{app} is in no layer (add it to LAYERS and the docs)")
            elif target not in LAYER_OF and target not in PROJECT:
                problems.append(f"{where}: kohoshi/{target} is in no layer")
            elif target in PROJECT:
                if target not in {"settings"}:
                    problems.append(f"{where}: an app imports the project package's {target}")
            elif LAYER_OF[target] > LAYER_OF[app]:
                problems.append(f"{where}: {app} (layer {LAYER_OF[app]}) reaches up to {target} (layer {LAYER_OF[target]})")
    return problems


def test_no_app_imports_from_a_layer_above_it():
    assert layering_violations() == []


def test_every_app_is_in_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps - PROJECT <= set(LAYER_OF), apps - set(LAYER_OF)


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("newsletters", "from kohoshi.staff.views import common\n", "reaches up to staff"),
        ("newsletters", "def f():\n    from kohoshi.engagement import services\n", "reaches up to engagement"),
        ("search", "from kohoshi.newsletters.models import Article\n", None),
        ("places", "import importlib\nimportlib.import_module('kohoshi.staff.forms')\n", "reaches up to staff"),
    ],
)
def test_the_layering_check_catches_an_upward_import(tmp_path, monkeypatch, app, source, expected):
    fake = tmp_path / "kohoshi"
    (fake / app).mkdir(parents=True)
    (fake / app / "module.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    problems = layering_violations()
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0]
