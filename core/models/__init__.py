from .keys import ApiKey
from .outbox import UnsentTask

__all__ = ["ApiKey", "UnsentTask"]
