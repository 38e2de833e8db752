"""Sentry is optional (issue #14): initialised only when SENTRY_DSN is set."""

from tests.test_deploy_files import run_django

PROBE = "import sentry_sdk; print('sentry active:', sentry_sdk.get_client().is_active())"


def test_sentry_is_off_without_a_dsn_and_on_with_one():
    env = {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    off = run_django(env, "shell", "-c", PROBE)
    assert "sentry active: False" in off.stdout, off.stdout + off.stderr
    # A DSN on this machine's loopback: nothing is sent by starting up.
    on = run_django({**env, "SENTRY_DSN": "http://public@127.0.0.1:9/1"}, "shell", "-c", PROBE)
    assert "sentry active: True" in on.stdout, on.stdout + on.stderr
