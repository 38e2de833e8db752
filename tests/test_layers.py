"""Model lookups by name count as imports (issue #13 item 1): `lint-imports` sees every
``import`` of the layers contract in pyproject.toml, but not ``apps.get_model("app", …)``
or a relation to ``"app.Model"``. This test reads the same layers and refuses such a
reference to a higher app, or to a sibling of an independent layer (``reports | alerts``)."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# apps.get_model("returns", "MonthEnd") / apps.get_model("returns.MonthEnd"), and the lazy
# relation string "returns.MonthEnd" of ForeignKey, OneToOneField, ManyToManyField.
GET_MODEL = re.compile(r"""get_model\(\s*["'](\w+)["']""")
MODEL_LABEL = re.compile(r"""["']([a-z_]+)\.[A-Z]\w*["']""")


def importlinter():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["importlinter"]


def layers():
    return next(c for c in importlinter()["contracts"] if c["type"] == "layers")["layers"]


def layer_ranks():
    """App → (rank from the bottom, whether its siblings are independent of it)."""
    ranks = {}
    for rank, layer in enumerate(reversed(layers())):
        independent = ":" not in layer
        for app in re.split(r"[|:]", layer):
            ranks[app.strip().strip("()")] = (rank, independent)
    return ranks


def upward_references():
    ranks = layer_ranks()
    found = set()
    for app, (rank, independent) in ranks.items():
        if not (ROOT / app).is_dir():
            continue  # an optional layer that does not exist yet
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for named in {*GET_MODEL.findall(text), *MODEL_LABEL.findall(text)}:
                if named == app or named not in ranks:
                    continue
                their_rank = ranks[named][0]
                if their_rank > rank or (their_rank == rank and independent):
                    found.add((path.relative_to(ROOT).as_posix(), named))
    return found


def test_no_model_lookup_by_name_reaches_a_higher_layer():
    assert not upward_references(), "a model named from a lower layer (pyproject layers)"


def test_every_app_of_the_project_is_a_checked_layer():
    """A new app joins root_packages and a layer; "(app)" (optional) only until it exists."""
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "__init__.py").exists()}
    roots = set(importlinter()["root_packages"])
    assert ours | {"config"} == roots
    optional = set(layer_ranks()) - roots
    assert not {app for app in optional if (ROOT / app).is_dir()}, "drop its parentheses"


def test_no_app_module_over_600_lines():
    """Modules by concept (issue #13 item 4): none of the apps' modules, migrations aside,
    passes 600 lines; split by concept before it does."""
    apps = [app for app in layer_ranks() if (ROOT / app).is_dir()]
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, f"split by concept: {long}"
