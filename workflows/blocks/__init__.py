"""Every block registers itself in workflows.registry when its module is imported."""

from workflows.blocks import billing, communication, ledger, pulse, response, sheets  # noqa: F401
