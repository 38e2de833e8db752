"""The lock files follow pyproject.toml and are what the image, `make` and CI install;
gunicorn.conf.py reads its workers and timeouts from the environment (issue #14)."""

import os
import re
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
APP = "config.wsgi:application"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def pins(name):
    """``{package: version}`` of a lock file; every pin must carry hashes."""
    found, current = {}, None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match[1])
            found[current] = match[2]
            assert line.rstrip().endswith("\\"), f"{name}: {current} has no hash"
        elif line.strip().startswith("--hash=sha256:"):
            assert current
    return found


def declared(*extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(text) for text in requirements]


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))]
)
def test_the_lock_pins_every_declared_dependency_within_its_range(lock, extras):
    locked = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock} pins {name}=={locked[name]} outside {requirement.specifier}: run `make lock`"
        )


def test_the_dev_lock_keeps_the_runtime_pins():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    # `make run` and the image install no test tool; PyYAML is also a runtime dependency's
    # (drf-spectacular's), so it is in both.
    names = {canonicalize_name(r.name) for r in declared("dev")} - {"pyyaml"}
    tools = names - {canonicalize_name(r.name) for r in declared()}
    assert tools <= set(dev) and not tools & set(runtime)
    assert {"pytest", "playwright", "schemathesis", "hypothesis"} <= tools


def test_the_locks_name_no_local_index():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        lines = (ROOT / lock).read_text(encoding="utf-8").splitlines()
        options = [line for line in lines if line.startswith("-")]
        assert options == [] and not any("file://" in line for line in lines), lock


def make_dry_run(*targets):
    result = subprocess.run(
        ["make", "-n", "--always-make", "--no-print-directory", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_and_so_ci_install_from_the_locks():
    """`make test` (and so CI) installs the dev lock; `make run` only the runtime lock."""
    commands = make_dry_run("venv-dev")
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in commands
    assert "pip install --quiet --no-deps -e ." in commands
    run_commands = make_dry_run("venv")
    assert "pip install --quiet --require-hashes -r requirements.lock" in run_commands
    assert "requirements-dev.lock" not in run_commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_make_lock_refreshes_both_locks_from_pyproject():
    commands = make_dry_run("lock")
    assert "--generate-hashes" in commands
    assert "-o requirements.lock pyproject.toml" in commands
    assert "--extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml" in commands


def test_make_stack_runs_gunicorn_with_its_config_file():
    assert "gunicorn -c gunicorn.conf.py config.wsgi:application" in make_dry_run("stack")


def gunicorn_settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "WEB_CONCURRENCY_MAX", "GUNICORN_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_default_to_twice_the_cores_plus_one_capped(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert conf["workers"] == min(2 * os.cpu_count() + 1, 8)
    assert conf["default_workers"](16, 8) == 8 and conf["default_workers"](1, 8) == 3
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="5")["workers"] == 5
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="")["workers"] == conf["workers"]


def test_gunicorn_binds_port_8000_logs_access_to_stdout_with_the_request_id(monkeypatch):
    conf = gunicorn_settings(monkeypatch, GUNICORN_TIMEOUT="90")
    assert (conf["bind"], conf["timeout"], conf["accesslog"]) == ("0.0.0.0:8000", 90, "-")
    assert "%({x-request-id}o)s" in conf["access_log_format"]


def test_gunicorn_accepts_the_config_file():
    """gunicorn itself parses the file (every name a known setting, every value valid)."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", APP],
        cwd=ROOT,
        env={**os.environ, "WEB_CONCURRENCY": "4", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^workers\s+= 4$", result.stdout, re.M)
    assert re.search(r"^accesslog\s+= -$", result.stdout, re.M)


def test_a_gunicorn_worker_freezes_what_it_loaded(monkeypatch):
    """Issue #17: after the worker loads Django, everything alive moves to the permanent
    generation, so collections during requests skip the framework's objects."""
    import gc

    conf = gunicorn_settings(monkeypatch)
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
