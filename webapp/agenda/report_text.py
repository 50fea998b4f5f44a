"""The formatted text of reports and syntheses: Markdown in a safe subset, as HTML.

Staff write paragraphs, **bold**, *italic*, lists and [links](https://…) (seed 001 has
nothing else). The text goes through markdown-it-py with raw HTML off and only those rules
on, then through nh3 (the ammonia sanitiser) with an allow-list of the tags that subset
makes: what staff type is never emitted as HTML of its own, whatever markdown-it lets
through. Links keep http(s) and mailto addresses only and open nothing in the page's name.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# "zero" has paragraphs and text only; the subset adds emphasis, lists, links, line breaks
# and backslash escapes. No headings (the page's own carry the outline), no images, no
# tables, no raw HTML (html=False: a tag typed is shown as text).
_markdown = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "list", "link", "autolink", "newline", "escape"]
)


def render(text):
    """The safe HTML of a Markdown text (Markup, empty for nothing)."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_rendered(str(text)))


@lru_cache(maxsize=1024)
def _rendered(text):
    # A pure function of the text: a page rendered again after a change elsewhere (a new
    # content generation) does not parse its unchanged texts again.
    html = _markdown.render(text.replace("\r\n", "\n"))
    return str(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener nofollow",
            strip_comments=True,
        )
    )


def plain(text):
    """The words of a Markdown text without its marks (for the API's plain field, a
    meta description): the sanitised HTML with every tag taken out."""
    if not text or not text.strip():
        return ""
    return nh3.clean(
        str(render(text)).replace("</p>", "</p>\n").replace("<br>", "\n"), tags=set()
    ).strip()


def bullets(text):
    """The items of the Markdown lists in a text, each as its own Markdown source line
    (the synthesis picks them one by one); a text without a list gives its paragraphs."""
    tokens = _markdown.parse(text or "")
    lines = (text or "").replace("\r\n", "\n").split("\n")
    items, paragraphs, depth = [], [], 0
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
        elif token.type == "list_item_close":
            depth -= 1
        elif token.type == "paragraph_open" and token.map:
            source = " ".join(line.strip() for line in lines[token.map[0] : token.map[1]])
            if depth:
                items.append(_without_marker(source))
            else:
                paragraphs.append(source)
    return items or paragraphs


def _without_marker(line):
    for marker in ("- ", "* ", "+ "):
        if line.startswith(marker):
            return line[len(marker) :].strip()
    head, dot, rest = line.partition(". ")
    if dot and head.isdigit():
        return rest.strip()
    return line
