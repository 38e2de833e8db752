"""Issue #12 deliverable 9: each day the verified head leaves the database (an outbox event to
the ERP and a log line), so even an intruder holding the key cannot rewrite the tail unseen."""

import logging

import pytest
from django.core.management import CommandError, call_command

from audit.anchors import ANCHOR_TOPIC, anchors_digest
from audit.keys import audit_key_signing
from audit.models import AuditEvent, ChainHead
from audit.services import audit_record
from audit.tasks import verify_audit_task
from core.models import OutboxEvent
from tests.audit.intruder import rewrite_tail
from tests.audit.test_audit_chain import behind_the_triggers_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(settings, user):
    settings.AUDIT_HMAC_KEYS = "k1:secret-of-the-audit-chain"
    for n in range(3):
        audit_record(actor=user, action="test.event", object_type="thing", object_id=n)
    return list(AuditEvent.objects.order_by("seq"))


def anchor_sent():
    return OutboxEvent.objects.get(topic=ANCHOR_TOPIC)


def test_the_daily_task_anchors_the_verified_head_in_the_outbox_and_the_log(
    three_events, caplog, django_capture_on_commit_callbacks
):
    head = three_events[-1]
    with (
        caplog.at_level(logging.INFO, logger="audit.anchors"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert verify_audit_task() == []
    payload = anchor_sent().payload
    assert payload["links"] == [{"stream": 0, "seq": 3, "hash": head.hash, "key_id": "k1"}]
    assert payload["at"] and payload["digest"] == anchors_digest(payload["links"])
    assert f"stream=0 seq=3 hash={head.hash} key_id=k1" in caplog.text
    assert AuditEvent.objects.get(seq=4).action == "audit.anchor"  # the anchoring is audited
    call_command("verify_audit")


def test_a_broken_chain_is_not_anchored(three_events):
    behind_the_triggers_back("UPDATE audit_auditevent SET action = 'forged' WHERE seq = 2")
    assert "was altered" in verify_audit_task()[0]
    assert not OutboxEvent.objects.filter(topic=ANCHOR_TOPIC).exists()


def test_a_tail_rewritten_with_the_key_is_caught_against_the_anchor(three_events):
    anchor = f"3:{three_events[-1].hash}"
    rewrite_tail(3, after={"forged": True}, key_id="k1", key=audit_key_signing()[1])
    call_command("verify_audit")  # the key alone no longer tells: the rewrite is consistent
    with pytest.raises(CommandError, match="#3 does not match its anchor"):
        call_command("verify_audit", "--anchor", anchor)


def test_the_anchor_recorded_in_the_outbox_is_checked_by_default(three_events):
    verify_audit_task()
    rewrite_tail(3, after={"forged": True}, key_id="k1", key=audit_key_signing()[1])
    with pytest.raises(CommandError, match="#3 does not match its anchor"):
        call_command("verify_audit")
    assert verify_audit_task() and OutboxEvent.objects.filter(topic=ANCHOR_TOPIC).count() == 1


def test_anchors_are_read_from_the_log(three_events, tmp_path):
    log = tmp_path / "matreturns.log"
    log.write_text(
        "INFO other line\n"
        f"INFO audit.anchor seq=2 hash={three_events[1].hash} key_id=k1 at=2026-12-01T02:40\n"
        f"INFO audit.anchor seq=3 hash={'0' * 64} key_id=k1 at=2026-12-02T02:40\n"
    )
    with pytest.raises(CommandError, match="#3 does not match its anchor"):
        call_command("verify_audit", "--anchors-file", str(log))


def test_rows_cut_off_behind_a_forged_head_are_caught_against_the_anchor(three_events):
    anchor = f"3:{three_events[-1].hash}"
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE seq = 3")
    ChainHead.objects.filter(stream=0).update(last_seq=2, last_hash=three_events[1].hash)
    call_command("verify_audit")
    with pytest.raises(CommandError, match="ends at #2, before the anchored row #3"):
        call_command("verify_audit", "--anchor", anchor)


@pytest.mark.parametrize("text", ["3", "3:abc", f"x:{'a' * 64}"])
def test_a_malformed_anchor_is_refused_clearly(three_events, text):
    with pytest.raises(CommandError, match=r"An anchor is \[STREAM:\]SEQ:HASH"):
        call_command("verify_audit", "--anchor", text)


def test_the_task_is_scheduled_daily_with_consistent_time_limits(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert verify_audit_task.name in scheduled
    assert verify_audit_task.acks_late
    assert 0 < verify_audit_task.soft_time_limit < verify_audit_task.time_limit
