"""Accounts: the staff accounts (admin), one's own account, and the audit log."""
