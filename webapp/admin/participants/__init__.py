"""Participants: the list and its actions, exports, walk-ins, check-in and attendance, and the
mail that did not reach them."""
