"""Issue #17 item 7: the audit trail is several chains (streams), one per request's bucket, so
bookings of different requests lock different heads; each stream is verified on its own, all
together by ``verify_audit``, and anchored together."""

import logging

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import transaction

from audit.anchors import ANCHOR_TOPIC, anchors_digest
from audit.models import AuditEvent, ChainHead
from audit.services import audit_record, event_hash, stream_for
from audit.tasks import verify_audit_task
from core.models import OutboxEvent
from core.request_id import bound
from tests.audit.intruder import append_row
from tests.audit.test_audit_chain import behind_the_triggers_back

pytestmark = pytest.mark.django_db


def request_ids_in_distinct_streams(count: int) -> list[str]:
    """Request ids that fall in ``count`` different streams, none of them stream 0."""
    found: dict[int, str] = {}
    for n in range(1000):
        found.setdefault(stream_for(f"req-{n}"), f"req-{n}")
    found.pop(0, None)
    return list(found.values())[:count]


def record(request_id: str, count: int = 2) -> list[AuditEvent]:
    with bound(request_id):
        for n in range(count):
            audit_record(actor=None, action="test.event", object_type="thing", object_id=n)
    return list(AuditEvent.objects.filter(request_id=request_id).order_by("seq"))


@pytest.fixture
def two_streams():
    """Two requests' events, two each, in two streams: (stream, events) per request."""
    requests = [record(request_id) for request_id in request_ids_in_distinct_streams(2)]
    return [(events[0].stream, events) for events in requests]


def test_each_request_appends_to_its_own_stream_counted_from_one(two_streams):
    (first, first_events), (second, second_events) = two_streams
    assert first != second and 0 not in (first, second)
    for events in (first_events, second_events):
        assert [event.seq for event in events] == [1, 2]
        assert events[0].prev_hash == "0" * 64 and events[1].prev_hash == events[0].hash
    heads = {head.stream: head.last_seq for head in ChainHead.objects.all()}
    assert heads == {first: 2, second: 2}
    call_command("verify_audit")


def test_outside_a_request_and_with_one_stream_events_join_stream_zero(settings):
    audit_record(actor=None, action="test.event", object_type="thing", object_id=1)
    settings.AUDIT_STREAMS = 1  # the single chain of before issue #17
    record("req-1")
    assert list(AuditEvent.objects.order_by("id").values_list("stream", "seq")) == [
        (0, 1),
        (0, 2),
        (0, 3),
    ]
    call_command("verify_audit")


def test_a_transaction_locks_one_head_however_many_events_it_records():
    [request_id] = request_ids_in_distinct_streams(1)
    with bound(request_id), transaction.atomic():
        for n in range(3):
            audit_record(actor=None, action="test.event", object_type=f"type{n}", object_id=n)
    assert set(AuditEvent.objects.values_list("stream", flat=True)) == {stream_for(request_id)}


def test_the_stream_is_part_of_the_hash_except_in_stream_zero(two_streams):
    (stream, events), _ = two_streams
    event = events[0]
    key = b"k"
    signed = event_hash(event, key)
    event.stream = 0
    assert event_hash(event, key) != signed


def test_an_altered_row_is_named_with_its_stream(two_streams):
    (stream, _), _ = two_streams
    behind_the_triggers_back(
        "UPDATE audit_auditevent SET after = %s WHERE stream = %s AND seq = 2",
        ['{"n": 99}', stream],
    )
    with pytest.raises(CommandError, match=f"#{stream}:2 .* was altered"):
        call_command("verify_audit")


def test_a_deleted_row_of_a_stream_is_missing(two_streams):
    (stream, _), _ = two_streams
    record(two_streams[0][1][0].request_id)  # rows 3 and 4
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE stream = %s AND seq = 2", [stream])
    with pytest.raises(CommandError, match=f"#{stream}:2 is missing"):
        call_command("verify_audit")


def test_rows_cut_off_the_end_of_a_stream_are_missing(two_streams):
    _, (stream, _) = two_streams
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE stream = %s AND seq = 2", [stream])
    with pytest.raises(CommandError, match=f"after #{stream}:1 are missing"):
        call_command("verify_audit")


def test_reordered_rows_are_caught(two_streams):
    (stream, _), _ = two_streams
    for old, new in [(1, 100), (2, 1), (100, 2)]:  # swap rows 1 and 2
        behind_the_triggers_back(
            "UPDATE audit_auditevent SET seq = %s WHERE stream = %s AND seq = %s",
            [new, stream, old],
        )
    with pytest.raises(CommandError, match=f"#{stream}:1 does not follow"):
        call_command("verify_audit")


def test_a_row_moved_to_another_stream_is_caught(two_streams):
    (source, _), (target, _) = two_streams
    behind_the_triggers_back(
        "UPDATE audit_auditevent SET stream = %s, seq = 3 WHERE stream = %s AND seq = 2",
        [target, source],
    )
    ChainHead.objects.filter(stream=target).update(last_seq=3)
    with pytest.raises(CommandError, match=f"#{target}:3 does not follow row #{target}:2"):
        call_command("verify_audit")


def test_a_stream_whose_head_was_removed_is_caught(two_streams):
    (stream, _), _ = two_streams
    ChainHead.objects.filter(stream=stream).delete()
    with pytest.raises(CommandError, match=f"stream {stream} has rows but no head"):
        call_command("verify_audit")


def test_a_forged_row_in_a_stream_of_its_own_needs_the_key(two_streams):
    append_row(key_id="", key=None, stream=9)
    with pytest.raises(CommandError, match="#9:1 has no key"):
        call_command("verify_audit")


def test_the_anchor_covers_every_stream_and_catches_a_removed_one(
    two_streams, caplog, django_capture_on_commit_callbacks
):
    (first, first_events), (second, second_events) = two_streams
    with (
        caplog.at_level(logging.INFO, logger="audit.anchors"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert verify_audit_task() == []
    payload = OutboxEvent.objects.get(topic=ANCHOR_TOPIC).payload
    links = {link["stream"]: (link["seq"], link["hash"]) for link in payload["links"]}
    assert links == {first: (2, first_events[1].hash), second: (2, second_events[1].hash)}
    assert payload["digest"] == anchors_digest(payload["links"])
    assert f"stream={second} seq=2 hash={second_events[1].hash}" in caplog.text
    call_command("verify_audit")
    # The whole second stream, head and rows, removed: only the anchor still knows it.
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE stream = %s", [second])
    ChainHead.objects.filter(stream=second).delete()
    with pytest.raises(CommandError, match=f"ends at #{second}:0, before the anchored row"):
        call_command("verify_audit")


def test_anchors_name_their_stream_on_the_command_line_and_in_the_log(two_streams, tmp_path):
    (stream, events), _ = two_streams
    call_command("verify_audit", "--anchor", f"{stream}:2:{events[1].hash}")
    log = tmp_path / "matreturns.log"
    log.write_text(f"INFO audit.anchor digest=x stream={stream} seq=2 hash={'0' * 64}\n")
    with pytest.raises(CommandError, match=f"#{stream}:2 does not match its anchor"):
        call_command("verify_audit", "--anchors-file", str(log))


def test_an_anchor_recorded_before_streams_names_stream_zero(user):
    for n in range(2):
        audit_record(actor=user, action="test.event", object_type="thing", object_id=n)
    OutboxEvent.objects.create(topic=ANCHOR_TOPIC, payload={"seq": 2, "hash": "0" * 64})
    with pytest.raises(CommandError, match="Audit row #2 does not match its anchor"):
        call_command("verify_audit")


@pytest.mark.parametrize("streams", [0, 1025])
def test_a_stream_count_out_of_range_is_refused_by_the_system_check(settings, streams):
    settings.AUDIT_STREAMS = streams
    assert "audit.E002" in {error.id for error in run_checks()}
