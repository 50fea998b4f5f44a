"""Attestations of participation: what a person marked present may show an employer or
INAMI/RIZIV, derived from attendance (issue.py), printed as PDF (pdf.py), checked by anyone
from its code (views.py)."""
