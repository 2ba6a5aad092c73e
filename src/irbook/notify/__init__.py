"""Notifications: build from templates + incident facts, write RFC 5322 .eml files, send over SMTP."""

from irbook.notify.message import Notification, build_notification, to_message
from irbook.notify.service import NotifyResult, notify, run_notify_step

__all__ = [
    "Notification",
    "NotifyResult",
    "build_notification",
    "notify",
    "run_notify_step",
    "to_message",
]
