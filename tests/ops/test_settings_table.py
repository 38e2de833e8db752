"""README "Settings" is the one table of every variable the product reads, with its default
(issue #14 item 2): each name the code, the Makefile or docker-compose.yml reads is a row,
each row is read somewhere, and each literal default in the code is in the row's default
cell."""

import ast
import functools
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
# The product's own code: not the tests, benchmarks, migrations or the virtualenv.
NOT_PRODUCT = {"tests", "bench", "migrations", ".git", ".venv", "node_modules", "var"}


@functools.cache
def settings_table() -> dict[str, str]:
    """``{variable: default cell}`` of README "Settings"; one variable a row, never twice."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = NAME.findall(cells[0])
        assert len(names) == 1, f"one variable a row: {line}"
        assert names[0] not in rows, f"{names[0]} has two rows"
        rows[names[0]] = cells[1]
    return rows


def env_name_and_default(call: ast.Call) -> tuple[str, ast.expr | None] | None:
    """``env.int("NAME", default=…)``, ``env_list("NAME", …)``, ``os.environ.get("NAME", …)``
    as (name, default expression); None for any other call."""
    func = call.func
    is_env = (isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "env") or (
        isinstance(func, ast.Name) and func.id == "env_list"
    )
    is_environ = (
        isinstance(func, ast.Attribute)
        and func.attr in {"get", "getenv"}
        and (getattr(func.value, "attr", "") == "environ" or getattr(func.value, "id", "") == "os")
    )
    if not (is_env or is_environ) or not call.args:
        return None
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    default = next((kw.value for kw in call.keywords if kw.arg == "default"), None)
    if default is None and len(call.args) > 1:
        default = call.args[1]
    return first.value, default


def product_files():
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in NOT_PRODUCT]
        yield from (Path(folder, name) for name in files if name.endswith(".py"))


@functools.cache
def python_reads() -> dict[str, list[ast.expr | None]]:
    """Every variable read in the product's Python, with the default each read gives."""
    reads: dict[str, list[ast.expr | None]] = {}
    for path in product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found = isinstance(node, ast.Call) and env_name_and_default(node)
            if found:
                reads.setdefault(found[0], []).append(found[1])
    return reads


def makefile_defaults() -> dict[str, str]:
    """``NAME ?= value`` lines: variables a caller may set, with the Makefile's default."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^(?:export )?([A-Z][A-Z0-9_]*) \?=[ \t]*(.*)$", text, re.M))


def other_reads() -> set[str]:
    """Variables the Makefile (``$(or $(NAME),…)``) and docker-compose.yml (``${NAME…}``)
    pass on from the caller's environment."""
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    return set(re.findall(r"\$\(or \$\(([A-Z][A-Z0-9_]*)\)", make)) | set(
        re.findall(r"\$\{([A-Z][A-Z0-9_]*)[:}?-]", compose)
    )


def read_names() -> set[str]:
    names = set(python_reads()) | set(makefile_defaults()) | other_reads()
    return names - {"DJANGO_SETTINGS_MODULE"}  # Django's own, set by manage.py and the image


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def literals(default: ast.expr | None) -> list[object]:
    """The values a default is built from: a constant expression as its value (5 * 1024), else
    each constant inside it (both branches of ``a if DEBUG else b``, the folder names of
    ``BASE_DIR / "var"``); the empty string or tuple as ``""``."""
    if default is None:
        return []
    try:
        return [ast.literal_eval(default)]
    except ValueError:
        pass
    if isinstance(default, ast.BinOp) and all(
        isinstance(node, ast.Constant | ast.BinOp | ast.operator) for node in ast.walk(default)
    ):
        return [eval(compile(ast.Expression(default), "<default>", "eval"), {"__builtins__": {}})]
    if isinstance(default, ast.IfExp):
        return [*literals(default.body), *literals(default.orelse)]
    return [node.value for node in ast.walk(default) if isinstance(node, ast.Constant)]


def mentioned(value: object, cell: str) -> bool:
    if isinstance(value, bool):
        return bool(re.search(r"\bon\b|`1`" if value else r"\boff\b|`0`", cell))
    if isinstance(value, int | float):
        return bool(re.search(rf"(?<![\w.]){re.escape(number_text(value))}(?![\w]|\.\d)", cell))
    if isinstance(value, tuple | list):
        return all(mentioned(item, cell) for item in value) if value else mentioned("", cell)
    if value == "":
        return bool(re.search(r"\b(empty|none)\b", cell))
    return str(value) in cell


def test_every_variable_read_is_in_the_table_and_every_row_is_read():
    table, read = set(settings_table()), read_names()
    assert sorted(read - table) == [], "read but not in README Settings"
    assert sorted(table - read) == [], "in README Settings but read nowhere"


@pytest.mark.parametrize("name", sorted(python_reads()))
def test_the_table_gives_the_code_s_default(name):
    cell = settings_table().get(name, "")
    for default in python_reads()[name]:
        for value in literals(default):
            assert mentioned(value, cell), f"{name}: default {value!r} not in {cell!r}"


@pytest.mark.parametrize("name", sorted(makefile_defaults()))
def test_the_table_gives_the_makefile_s_default(name):
    value = makefile_defaults()[name].strip()
    assert mentioned(value, settings_table().get(name, "")), name


def test_the_checks_see_what_they_should():
    """The readers above find the reads written in each style (a guard against a regex or
    an AST shape quietly matching nothing)."""
    reads = python_reads()
    assert {"DEBUG", "ALLOWED_HOSTS", "WEB_CONCURRENCY", "DEMO_PASSWORD"} <= set(reads)
    assert literals(reads["ATTACHMENT_MAX_BYTES"][0]) == [5 * 1024 * 1024]
    assert set(literals(reads["LOG_FORMAT"][0])) == {"text", "json"}
    assert {"HOST", "PYTHON"} <= set(makefile_defaults())
    assert {"SECRET_KEY", "SENTRY_DSN"} <= other_reads()
    assert not mentioned(30, "`300`") and mentioned(0.25, "`0.25` (s)")
    assert not mentioned("", "`x`") and mentioned(True, "on (with DEBUG off)")
