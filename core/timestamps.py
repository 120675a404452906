from datetime import datetime


def epoch_ms(moment: datetime | None) -> int | None:
    """Timestamps in JSON are epoch milliseconds, as in the spec."""
    return None if moment is None else int(moment.timestamp() * 1000)
