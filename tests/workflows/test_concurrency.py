"""Racing requests with one Idempotency-Key on PostgreSQL: one run, one side effect."""

import threading

import pytest
from django.db import connection

from tests.support.workflows import publish_workflows, run
from workflows.models import BillingItem, LedgerEvent, Run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_requests_with_one_key_make_one_run_and_bill_once(api):
    # given
    app = publish_workflows(
        api,
        {
            "w": {
                "steps": [
                    {"billing.createItem": {"customerEmail": "a@b.co", "amountCents": 100}},
                    {"ledger.audit": {"operation": "write"}},
                ]
            }
        },
    )
    barrier, answers = threading.Barrier(6), []

    def call():
        try:
            barrier.wait()
            answers.append(run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="race").status_code)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: every answer is the run's answer or "still running", and the side effects happened once
    assert set(answers) <= {200, 409} and 200 in answers
    assert Run.objects.count() == 1 and BillingItem.objects.count() == 1 and LedgerEvent.objects.count() == 1
    assert run(api, app["sid"], "w", {}, HTTP_IDEMPOTENCY_KEY="race").status_code == 200


def test_racing_ledger_appends_keep_one_unbroken_chain(api):
    from django.core.management import call_command

    app = publish_workflows(api, {"w": {"steps": [{"ledger.audit": {"operation": "read"}}]}})

    def call():
        try:
            for _ in range(5):
                assert run(api, app["sid"], "w", {}).status_code == 200
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(LedgerEvent.objects.values_list("seq", flat=True)) == list(range(1, 21))
    call_command("ledger_verify")  # raises CommandError on a broken chain
