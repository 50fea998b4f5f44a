"""The items a theme's synthesis is composed from: each point of the meetings' published
reports (a list item, or a paragraph where a part has no list), with where it comes from.

The regional team picks items and edits them into *Veille des besoins* and *Pistes
d'actions* (seed 000's bold-led bullets); an item is named by a stable id (meeting, part,
rank) so that a form posts ids, never text of its own.
"""

from dataclasses import dataclass

from webapp.agenda import report_text


@dataclass(frozen=True)
class Item:
    id: str  # "<event id>-<part position>-<rank>"
    event: object
    part: str  # the part's French title
    text: str  # Markdown of the item (one line)

    @property
    def suggested(self):
        """Where the item likely goes: "needs", "actions" or None (from the part's title)."""
        title = self.part.lower()
        if "besoin" in title or "veille" in title or "constat" in title:
            return "needs"
        if "action" in title or "piste" in title or "perspective" in title:
            return "actions"
        return None


def items_of(theme_year):
    """[Item] of the published reports of a ThemeYear's meetings, by meeting then part."""
    found = []
    for event in theme_year.reported:
        report = theme_year.reports[event.id]
        for section in report.sections:
            if not section.text_fr:
                continue
            for rank, text in enumerate(report_text.bullets(section.text_fr), start=1):
                found.append(
                    Item(f"{event.id}-{section.position}-{rank}", event, section.title_fr, text)
                )
    return found


def as_bullets(items):
    """The Markdown lines of picked items, to add to a part of the synthesis."""
    return "\n".join(f"- {item.text}" for item in items)
