"""Evaluation forms: a personal link after an event or a Grand Bain visit, anonymous answers,
results for the team.

Anonymity is by construction: the invitation (with its token) knows the registration or the
booking and whether it was answered, the answer knows only the event or the offer, the day
and the values.
"""
