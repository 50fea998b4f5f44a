"""The mail outbox and its worker."""
