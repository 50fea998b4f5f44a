"""States of the evaluations area."""

from enum import StrEnum


class QuestionType(StrEnum):
    SCALE = "scale"  # 1 to 5, with a label at each end
    CHOICE = "choice"
    CHOICES = "choices"
    YES_NO = "yes_no"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"


TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
SCALE_VALUES = ("1", "2", "3", "4", "5")
YES_NO_VALUES = ("yes", "no")


class AnswerChannel(StrEnum):
    """How an answer came: by a person's own link (invited) or by an event's open link (its
    QR code, anyone). Each is counted and shown apart, each meets the threshold alone."""

    INVITED = "invited"
    OPEN_LINK = "open_link"
