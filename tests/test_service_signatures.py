"""Typed service signatures (issue #13 item 4, STYLE "Typed service signatures"): every public
top-level function of an app's services and selectors annotates each parameter and its return.

No exceptions: where a lower app handles a higher app's row it names a type it may import,
e.g. ``inventory.services.locks.WorkOrderRow`` (any model row) for the work order a posting
is booked for, because inventory never imports workorders (docs/architecture.md)."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def project_apps() -> list[Path]:
    return sorted(
        ROOT / app for app in settings.INSTALLED_APPS if (ROOT / app / "__init__.py").exists()
    )


def service_modules() -> list[Path]:
    """``services*.py``, ``selectors*.py`` and the modules of ``services/`` or ``selectors/``
    packages of each project app (tests, bench and migrations are not apps)."""
    found: set[Path] = set()
    for app in project_apps():
        for kind in ("services", "selectors"):
            found.update(app.glob(f"{kind}*.py"))
            if (app / kind).is_dir():
                found.update(app.joinpath(kind).rglob("*.py"))
    return sorted(path for path in found if "migrations" not in path.parts)


def unannotated(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The parameters without an annotation, and ``return`` when the return has none."""
    args = function.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    missing = [param.arg for param in params if param.annotation is None]
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append(f"*{args.vararg.arg}")
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append(f"**{args.kwarg.arg}")
    if function.returns is None:
        missing.append("return")
    return missing


def signature_gaps(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    gaps = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_"):
            continue
        missing = unannotated(node)
        if missing:
            name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path
            where = f"{name}:{node.lineno} {node.name}"
            gaps.append(f"{where}: {', '.join(missing)}")
    return gaps


def test_the_scan_finds_the_service_and_selector_modules():
    scanned = {path.relative_to(ROOT).as_posix() for path in service_modules()}
    assert {
        "audit/services.py",
        "inventory/selectors.py",
        "inventory/services/posting.py",
        "workorders/services/lifecycle.py",
        "returns/services/common.py",
    } <= scanned
    assert not {name for name in scanned if name.startswith(("tests/", "bench/"))}


def test_every_public_service_and_selector_function_is_typed():
    gaps = [gap for path in service_modules() for gap in signature_gaps(path)]
    assert not gaps, "annotate every parameter and the return:\n" + "\n".join(gaps)


def test_a_missing_annotation_is_reported(tmp_path):
    module = tmp_path / "services.py"
    module.write_text(
        "def typed(*, a: int, **rest: str) -> None: ...\n"
        "def loose(a, *, b: int = 0, **rest) -> int: ...\n"
        "async def no_return(*, a: int): ...\n"
        "def _private(a): ...\n"
        "class Service:\n"
        "    def method(self, a): ...\n",
        encoding="utf-8",
    )
    assert [gap.split(" ", 1)[1] for gap in signature_gaps(module)] == [
        "loose: a, **rest",
        "no_return: return",
    ]
