"""Evaluation forms: a personal link after an event, anonymous answers, results for the team.

Anonymity is by construction: the invitation (with its token) knows the registration and
whether it was answered, the answer knows only the event, the day and the values.
"""
