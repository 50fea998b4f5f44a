"""The proposals' states as enums."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"  # waits in the moderation queue
    CHANGES_REQUESTED = "changes-requested"  # back with the submitter, who edits and resubmits
    ACCEPTED = "accepted"  # its event is published
    REFUSED = "refused"  # its event stays a draft, never public

    @property
    def is_open(self):
        """Still to be decided: a moderator may accept or refuse it."""
        return self in (ProposalStatus.SUBMITTED, ProposalStatus.CHANGES_REQUESTED)


class RegistrationWay(StrEnum):
    """How people register for a proposed event: on the partner's own page, or not at all."""

    LINK = "link"
    NONE = "none"


def state_labels():
    """The states as people read them (lazy: in the language of the page or the mail)."""
    return {
        ProposalStatus.SUBMITTED.value: _l("En attente de relecture"),
        ProposalStatus.CHANGES_REQUESTED.value: _l("Modifications demandées"),
        ProposalStatus.ACCEPTED.value: _l("Acceptée et publiée"),
        ProposalStatus.REFUSED.value: _l("Non retenue"),
    }
