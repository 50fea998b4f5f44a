"""Long back-office lists (events, series, venues, organisations): pages of 50 rows and the
text typed in their search box. A page number that is not one (0, -1, "x") gives the first
page, one past the end the last: a link kept from a longer list still shows something.
"""

from dataclasses import dataclass

from flask import request

PER_PAGE = 50
QUERY_LENGTH = 200


@dataclass(frozen=True)
class Page:
    """Which page of a list of `total` rows is shown: what the `pagination` macro reads."""

    page: int
    pages: int
    total: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def offset(self):
        return (self.page - 1) * PER_PAGE


def page_of(total):
    """The page of a list of `total` rows that the query string (?page=) asks for."""
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return Page(min(_page_number(request.args.get("page")), pages), pages, total)


def _page_number(value):
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def search_query():
    """The text typed in the list's search box (?q=), trimmed."""
    return request.args.get("q", "").strip()[:QUERY_LENGTH]
