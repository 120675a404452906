"""The append-only audit ledger: each app's events form a SHA-256 hash chain.

An event's hash covers its sequence number, the previous hash and its canonical JSON content, so editing
any event breaks its own hash and deleting one breaks the sequence or the chain; the app's LedgerHead
records the newest event, so deleting the tail shows too.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from workflows.models import LedgerEvent, LedgerHead

GENESIS = "0" * 64


def event_digest(*, app_sid: str, seq: int, prev_hash: str, content: dict) -> str:
    canonical = json.dumps(
        {"app": app_sid, "seq": seq, "prev": prev_hash, **content}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _content(event: LedgerEvent) -> dict:
    return {
        "operation": event.operation,
        "actor": event.actor,
        "resource": event.resource,
        "dataRefs": event.data_refs,
        "status": event.status,
        "meta": event.meta,
        "createdAt": event.created_at.isoformat(),
    }


def ledger_append(
    *,
    app,
    run,
    step_index,
    operation: str,
    actor: str,
    resource: str,
    data_refs: list,
    status: str,
    meta: dict,
    fresh: bool = False,
) -> LedgerEvent:
    """Append one event under a lock on the app's chain head; a repeated run step returns its first event."""
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(app=app).first()
        if head is None:
            LedgerHead.objects.get_or_create(app=app)
            head = LedgerHead.objects.select_for_update().get(app=app)
        if run is not None and not fresh:
            existing = LedgerEvent.objects.filter(run=run, step_index=step_index).first()
            if existing is not None:
                return existing
        event = LedgerEvent(
            app=app,
            run=run,
            step_index=step_index,
            seq=head.seq + 1,
            operation=operation,
            actor=actor,
            resource=resource,
            data_refs=data_refs,
            status=status,
            meta=meta,
            prev_hash=head.hash or GENESIS,
            created_at=timezone.now(),
        )
        event.hash = event_digest(app_sid=app.sid, seq=event.seq, prev_hash=event.prev_hash, content=_content(event))
        event.save(force_insert=True)
        LedgerHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


@dataclass
class LedgerProblem:
    app_sid: str
    seq: int | None
    problem: str

    def __str__(self):
        return (
            f"{self.app_sid} #{self.seq}: {self.problem}" if self.seq is not None else f"{self.app_sid}: {self.problem}"
        )


def ledger_verify_app(*, app) -> list[LedgerProblem]:
    """Walk the app's chain and report every edited, missing or reordered event."""
    problems = []
    expected_seq, prev = 1, GENESIS
    for event in LedgerEvent.objects.filter(app=app).order_by("seq").iterator():
        if event.seq != expected_seq:
            problems.append(LedgerProblem(app.sid, expected_seq, f"missing event(s) before #{event.seq}"))
        if event.prev_hash != prev:
            problems.append(LedgerProblem(app.sid, event.seq, "previous hash does not match the chain"))
        digest = event_digest(app_sid=app.sid, seq=event.seq, prev_hash=event.prev_hash, content=_content(event))
        if digest != event.hash:
            problems.append(LedgerProblem(app.sid, event.seq, "content does not match its hash (edited)"))
        expected_seq, prev = event.seq + 1, event.hash
    head = LedgerHead.objects.filter(app=app).first()
    if head is not None and (head.seq != expected_seq - 1 or (head.seq and head.hash != prev)):
        problems.append(LedgerProblem(app.sid, head.seq, "the newest event(s) are missing (the chain was truncated)"))
    return problems
