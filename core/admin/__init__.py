"""Staff's view of the kernel: API keys and the task outbox."""

from core.admin import keys, outbox  # noqa: F401
