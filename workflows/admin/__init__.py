"""Staff's view of workflows: runs, communication, billing, pulse and the ledger. History is read-only."""

from workflows.admin import communication, records, runs  # noqa: F401
