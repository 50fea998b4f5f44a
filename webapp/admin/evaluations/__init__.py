"""Evaluations: the questions of an event's form and the answers' results."""
