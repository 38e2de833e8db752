"""Issue #12 deliverable 9: the chain is an HMAC under a key kept outside the database, so an
intruder who can write the database cannot re-hash a rewritten tail."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from audit.keys import audit_keys, keyring_parse
from audit.models import AuditEvent, ChainHead
from audit.services import audit_record, event_hash
from tests.audit.intruder import append_row, rewrite_tail

pytestmark = pytest.mark.django_db

KEYS = "k1:first-secret-of-the-audit-chain"


def record(user, count=3):
    for n in range(count):
        audit_record(actor=user, action="test.event", object_type="thing", object_id=n)
    return list(AuditEvent.objects.order_by("seq"))


@pytest.fixture
def keyed(settings):
    settings.AUDIT_HMAC_KEYS = KEYS


def test_events_are_hmac_signed_with_the_first_key(keyed, user):
    events = record(user)
    assert {event.key_id for event in events} == {"k1"}
    last = events[-1]
    assert last.hash == event_hash(last, b"first-secret-of-the-audit-chain")
    assert last.hash != event_hash(last, b"another-secret") != event_hash(last, None)
    call_command("verify_audit")


def test_without_the_variable_the_key_derives_from_secret_key(settings, user):
    settings.AUDIT_HMAC_KEYS = ""
    first_key_id = record(user, 1)[0].key_id
    assert first_key_id.startswith("sk-")
    old_secret, settings.SECRET_KEY = settings.SECRET_KEY, "another-" + settings.SECRET_KEY
    with pytest.raises(CommandError, match=f'#1 is signed with the unknown key "{first_key_id}"'):
        call_command("verify_audit")
    settings.SECRET_KEY_FALLBACKS = [old_secret]  # Django's own SECRET_KEY rotation
    record(user, 1)
    call_command("verify_audit")


@pytest.mark.parametrize(
    ("key_id", "message"),
    [("k1", "#3 .* was altered"), ("", "#3 has no key although the chain is keyed")],
)
def test_a_tail_rewritten_with_the_unkeyed_formula_is_caught(keyed, user, key_id, message):
    record(user)
    rewrite_tail(3, after={"forged": True}, key_id=key_id, key=None)
    with pytest.raises(CommandError, match=message):
        call_command("verify_audit")


def test_a_tail_rewritten_with_a_wrong_key_is_caught(keyed, user):
    record(user)
    rewrite_tail(3, after={"forged": True}, key_id="k1", key=b"a guessed secret")
    with pytest.raises(CommandError, match="#3 .* was altered"):
        call_command("verify_audit")


def test_after_rotation_old_events_still_verify(settings, user):
    settings.AUDIT_HMAC_KEYS = KEYS
    record(user, 2)
    settings.AUDIT_HMAC_KEYS = "k2:second-secret-of-the-chain," + KEYS
    record(user, 2)
    assert [e.key_id for e in AuditEvent.objects.order_by("seq")] == ["k1", "k1", "k2", "k2"]
    call_command("verify_audit")
    settings.AUDIT_HMAC_KEYS = "k2:second-secret-of-the-chain"  # the old key dropped too early
    with pytest.raises(CommandError, match='#1 is signed with the unknown key "k1"'):
        call_command("verify_audit")


@pytest.fixture
def legacy_prefix(keyed):
    """Two rows as written before this change, and the head as the migration leaves it."""
    append_row(key_id="", key=None, action="legacy.one")
    append_row(key_id="", key=None, action="legacy.two")
    ChainHead.objects.filter(stream=0).update(keyed_from=3)


def test_legacy_rows_verify_as_the_prefix_before_keyed_ones(legacy_prefix, user):
    record(user, 2)
    assert [e.key_id for e in AuditEvent.objects.order_by("seq")] == ["", "", "k1", "k1"]
    call_command("verify_audit")


@pytest.mark.parametrize("keyed_from_forged", [None, 100])
def test_a_legacy_row_after_keyed_ones_is_caught(legacy_prefix, user, keyed_from_forged):
    record(user, 1)
    append_row(key_id="", key=None)
    if keyed_from_forged:  # moving the marker does not help: a keyed row came before
        ChainHead.objects.filter(stream=0).update(keyed_from=keyed_from_forged)
    with pytest.raises(CommandError, match="#4 has no key although the chain is keyed"):
        call_command("verify_audit")


def test_a_legacy_row_is_refused_where_the_chain_starts_keyed(keyed):
    append_row(key_id="", key=None)  # a fresh database is keyed from row 1
    with pytest.raises(CommandError, match="#1 has no key"):
        call_command("verify_audit")


def test_the_migration_keys_the_chain_after_the_existing_rows():
    append_row(key_id="", key=None)
    append_row(key_id="", key=None)
    migration = import_module("audit.migrations.0003_key_id_and_keyed_from")
    migration.keyed_from_after_existing_rows(apps, None)
    assert ChainHead.objects.get(stream=0).keyed_from == 3


@pytest.mark.parametrize(
    "text", ["k1", "k1:", ":secret", "k1:a,k1:b", "bad id:secret", "x" * 33 + ":secret"]
)
def test_malformed_keys_are_refused_by_the_system_check(settings, text):
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEYS"):
        keyring_parse(text)
    settings.AUDIT_HMAC_KEYS = text
    assert "audit.E001" in {error.id for error in run_checks()}


def test_keys_keep_their_order_with_the_derived_key_last(settings):
    settings.AUDIT_HMAC_KEYS = " k2:two , k1:one "
    assert list(audit_keys())[:2] == ["k2", "k1"] and list(audit_keys())[2].startswith("sk-")
    assert "audit.E001" not in {error.id for error in run_checks()}
