"""The container stack is checked by parsing (no Docker engine in CI): docker-compose.yml
with PyYAML and the Dockerfile line by line. The settings `make stack` and the Dockerfile's
build step start Django with are read from those files and run for real (issue #12 item 7)."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client, override_settings

from tests.makefile import target_env

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile():
    """Dockerfile instructions as (INSTRUCTION, arguments), continuation lines joined."""
    instructions, pending = [], ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def command_text(service):
    """A service's command as one string, whether written as a string or a list."""
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def exec_form(args):
    """CMD/ENTRYPOINT arguments as a list (JSON exec form or shell form)."""
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def test_compose_has_the_six_services(compose):
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(compose["services"])


def test_compose_images(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in APP_SERVICES:
        assert services[name]["build"] in (".", {"context": "."}), name


def test_migrations_are_a_one_off_service(compose):
    migrate = compose["services"]["migrate"]
    assert command_text(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_wait_for_the_migrations_and_never_run_them(compose, name):
    service = compose["services"][name]
    condition = service["depends_on"]["migrate"]["condition"]
    assert condition == "service_completed_successfully"
    assert "migrate" not in command_text(service)


def test_web_runs_gunicorn_with_its_config_file(compose):
    web = compose["services"]["web"]
    command = command_text(web)
    assert command == "gunicorn -c gunicorn.conf.py config.wsgi:application"
    assert "8000:8000" in [str(port) for port in web["ports"]]


def healthcheck_text(service):
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_web_and_worker_report_healthz(compose):
    web = healthcheck_text(compose["services"]["web"])
    assert "urlopen('http://127.0.0.1:8000/healthz'" in web
    worker = healthcheck_text(compose["services"]["worker"])
    assert "manage.py health_check healthz-worker --no-http" in worker
    for name in ("web", "worker"):
        assert compose["services"][name]["healthcheck"]["retries"] >= 3


def test_web_waits_for_healthy_postgres_and_redis(compose):
    depends_on = compose["services"]["web"]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert "redis" in depends_on


def test_worker_and_beat_run_celery(compose):
    services = compose["services"]
    assert "celery -A config worker" in command_text(services["worker"])
    assert "celery -A config beat" in command_text(services["beat"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_the_environment(compose, name):
    env = environment(compose["services"][name])
    assert env["DATABASE_URL"] == "postgres://postgres:postgres@postgres:5432/matreturns"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY must be required"
    assert str(env["DEBUG"]) in {"0", "False", "false"}
    assert "ALLOWED_HOSTS" in env
    assert "CSRF_TRUSTED_ORIGINS" in env


def test_postgres_has_healthcheck_and_volume(compose):
    postgres = compose["services"]["postgres"]
    test = postgres["healthcheck"]["test"]
    assert "pg_isready" in (" ".join(test) if isinstance(test, list) else test)
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in (compose.get("volumes") or {})


def test_dockerfile_base_image(dockerfile):
    assert dockerfile[0] == ("FROM", "python:3.11-slim")


def test_dockerfile_installs_the_lock_and_collects_static(dockerfile):
    runs = [args for keyword, args in dockerfile if keyword == "RUN"]
    assert ("COPY", "requirements.lock ./") in dockerfile
    assert "pip install --require-hashes -r requirements.lock" in runs
    collect = [run for run in runs if "collectstatic" in run]
    assert collect and "SECRET_KEY=" in collect[0]


def test_dockerfile_runs_as_non_root_on_port_8000(dockerfile):
    users = [args for keyword, args in dockerfile if keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}
    assert ("EXPOSE", "8000") in dockerfile


def test_dockerfile_cmd_runs_gunicorn(dockerfile):
    cmds = [args for keyword, args in dockerfile if keyword == "CMD"]
    assert cmds, "Dockerfile has no CMD"
    cmd = exec_form(cmds[-1])
    assert cmd == ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"]


def test_dockerignore_keeps_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "db.sqlite3", ".env"):
        assert entry in ignored
    # The image holds the service only: no test suite, no benchmarks.
    for entry in ("tests", "bench"):
        assert entry in ignored


def run_django(env, *args):
    """``manage.py`` in a subprocess that sees only ``env`` (not the test's own settings)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def deploy_findings(env):
    """The ids ``check --deploy`` reports; it must get as far as running the checks."""
    result = run_django(env, "check", "--deploy", "--fail-level", "ERROR")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return set(re.findall(r"\((\w+\.[EW]\d+)\)", output))


def dockerfile_collectstatic(dockerfile):
    """The build's collectstatic: the image's ENV plus the assignments on its RUN line."""
    env = {}
    for keyword, args in dockerfile:
        if keyword == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(args))
    run = next(args for keyword, args in dockerfile if keyword == "RUN" and "collectstatic" in args)
    step = next(part for part in run.split("&&") if "collectstatic" in part)
    words = shlex.split(step)
    while "=" in words[0]:
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    assert words[:2] == ["python", "manage.py"], words
    return env, words[2:]


@pytest.fixture(scope="module")
def make_stack_env():
    """The environment `make stack` gives its processes when nothing is set."""
    names = {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "HOST",
        "SECURE_SSL_REDIRECT",
        "LOG_LEVEL",
    }
    return target_env("stack", names)


def page_with_manifest_storage(static_root, path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=static_root):
        response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dockerfile_collects_static_files_with_its_build_settings(dockerfile, tmp_path):
    env, command = dockerfile_collectstatic(dockerfile)
    assert env["DEBUG"] == "0" and env["SECRET_KEY"].startswith("dev-only-")
    result = run_django({**env, "STATIC_ROOT": str(tmp_path)}, *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "admin").is_dir()
    # Hashed and compressed names (WhiteNoise's manifest storage, DEBUG off), which the
    # pages link to.
    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]["css/app.css"]
    assert hashed != "css/app.css" and (tmp_path / f"{hashed}.gz").is_file()
    assert f"/static/{hashed}" in page_with_manifest_storage(tmp_path, "/accounts/login/")
    # ALLOWED_HOSTS comes from the container's environment at run time, not the build.
    assert deploy_findings(env) == {"security.W020"}


def test_make_stack_starts_with_its_own_defaults(make_stack_env):
    assert make_stack_env["DEBUG"] == "0"
    assert make_stack_env["SECRET_KEY"].startswith("dev-only-")
    # Plain HTTP on this machine is what `make stack` is for (README "Production").
    assert make_stack_env["SECURE_SSL_REDIRECT"] == "0"
    assert deploy_findings(make_stack_env) == {"security.W008"}
