"""The ledger block appends hash-chained audit events; ledger_verify finds edits and deletions."""

import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from tests.support.workflows import error_of, publish_workflows, run
from workflows.models import LedgerEvent, LedgerHead

pytestmark = pytest.mark.django_db

AUDIT = {
    "audit": {
        "steps": [
            {
                "ledger.audit": {
                    "operation": "{{ input.op }}",
                    "resource": "sheet/{{ input.id }}",
                    "dataRefs": ["{{ input.id }}"],
                    "meta": {"n": "{{ input.n }}"},
                }
            }
        ]
    }
}


def verify() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("ledger_verify", stdout=out, stderr=err)
    return out.getvalue()


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ledger_verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def chained(api, user):
    app = publish_workflows(api, AUDIT)
    for n in range(4):
        assert run(api, app["sid"], "audit", {"op": "write", "id": f"s{n}", "n": n}).status_code == 200
    return app


def test_events_are_chained_per_app_with_the_caller_as_default_actor(chained, user):
    events = list(LedgerEvent.objects.order_by("seq"))
    assert [event.seq for event in events] == [1, 2, 3, 4]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert events[0].actor == user.email and events[2].resource == "sheet/s2" and events[3].meta == {"n": 3}
    assert "OK: 1 ledger(s) verified" in verify()


def test_ledger_verify_detects_an_edited_event(chained):
    LedgerEvent.objects.filter(seq=2).update(resource="sheet/forged")
    assert "#2" in verify_fails() and "edited" in verify_fails()


def test_ledger_verify_detects_a_deleted_event_in_the_middle(chained):
    LedgerEvent.objects.filter(seq=2).delete()
    assert "missing" in verify_fails()


def test_ledger_verify_detects_a_deleted_tail(chained):
    LedgerEvent.objects.filter(seq=4).delete()
    assert "truncated" in verify_fails()


def test_ledger_verify_detects_a_rewritten_chain_hash(chained):
    LedgerEvent.objects.filter(seq=3).update(hash="0" * 64)
    assert verify_fails()


def test_an_unknown_operation_is_refused_and_nothing_is_appended(api):
    app = publish_workflows(api, AUDIT)
    status, code, message = error_of(run(api, app["sid"], "audit", {"op": "erase", "id": "x", "n": 1}))
    assert (status, code) == (400, "VALIDATION_ERROR") and "operation" in message
    assert LedgerEvent.objects.count() == 0
    assert not LedgerHead.objects.filter(seq__gt=0).exists()
