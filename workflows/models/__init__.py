from .communication import CommunicationChannel, Delivery, Message, Registration
from .google import GoogleCredential
from .records import BillingItem, LedgerEvent, LedgerHead, PulseEvent
from .runs import Run, StepRun

__all__ = [
    "BillingItem",
    "CommunicationChannel",
    "Delivery",
    "GoogleCredential",
    "LedgerEvent",
    "LedgerHead",
    "Message",
    "PulseEvent",
    "Registration",
    "Run",
    "StepRun",
]
