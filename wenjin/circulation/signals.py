"""Signals other parts of the platform listen to: the notices of the fees and notices
issue (SMS, WeChat, email) connect here. Each is sent after the transaction that caused
it commits, so a listener never announces something that was rolled back."""

from django.dispatch import Signal

# A held copy is on the hold shelf: ``hold`` (a Hold), ready for its reader.
hold_ready = Signal()
# Today is a ready hold's last day on the shelf: ``hold``.
hold_expiring = Signal()
