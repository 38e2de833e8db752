"""The Makefile read by tests without running its recipes: what a target exports to its
processes, and its command-line variables."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def make(*args: str, unset: set[str] = frozenset()) -> str:
    """``make`` in the checkout, with the variables in ``unset`` removed from its
    environment (the developer's shell must not change what the Makefile chooses)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key not in unset | {"MAKEFLAGS"}},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def target_env(target: str, names: set[str]) -> dict[str, str]:
    """The values of ``names`` that ``target`` gives its processes when none is set: a
    prerequisite added with --eval inherits the target's exports and runs (`+`) although
    -n runs nothing."""
    out = make(
        "-n", f"--eval={target}: {target}-env", f"--eval={target}-env: ; +@env", target, unset=names
    )
    lines = (line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {key: value for key, value in lines if key in names}


def variable(name: str) -> str:
    """A Makefile variable as make expands it."""
    return make("-s", f"--eval=print-variable: ; @echo $({name})", "print-variable").strip()
