"""The OpenAPI 3 description of /api/v1 (served at /api/v1/openapi.json, fuzzed by the tests)."""

from webapp.agenda.public_state import PublicState
from webapp.agenda.states import EventStatus, MeetingMode, PlaceMode, RegistrationMode
from webapp.vocabulary import AUDIENCES, KINDS

BASSINS = ["centre-ouest", "nord", "nord-est", "sud", "sud-est"]


def _nullable(schema):
    return {**schema, "nullable": True}


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
DATETIME = {"type": "string", "format": "date-time"}

LINKS = {
    "type": "object",
    "required": ["html", "ics"],
    "properties": {"html": URL, "ics": URL},
}

VENUE = _nullable(
    {
        "type": "object",
        "required": ["name", "address", "commune", "full_address"],
        "properties": {
            "name": STRING,
            "address": STRING,
            "commune": _nullable(STRING),
            "full_address": STRING,
        },
    }
)

SUMMARY_PROPERTIES = {
    "id": {"type": "integer"},
    "title": STRING,
    "kind": {"type": "string", "enum": list(KINDS)},
    "audience": {"type": "string", "enum": list(AUDIENCES)},
    "status": {"type": "string", "enum": [s.value for s in EventStatus if s.is_public]},
    "bassins": {"type": "array", "items": STRING},
    "series": _nullable(STRING),
    "recurring": {"type": "boolean"},
    "registration": {"type": "string", "enum": [m.value for m in RegistrationMode]},
    "mode": {
        "type": "string",
        "enum": [m.value for m in MeetingMode],
        "description": "on site, online, or hybrid (places for each way to attend)",
    },
    "places": {
        "type": "array",
        "description": "each way to attend's places; empty when the event takes no registration",
        "items": {
            "type": "object",
            "required": ["mode", "capacity", "places_left"],
            "properties": {
                "mode": {"type": "string", "enum": [m.value for m in PlaceMode]},
                "capacity": _nullable({"type": "integer", "minimum": 0}),
                "places_left": _nullable({"type": "integer", "minimum": 0}),
            },
        },
    },
    "online_url": {
        **_nullable(STRING),
        "description": "the link of an open webinar (no registration) whose team published it;"
        " null for every event with registration: only its confirmed online participants"
        " receive it",
    },
    "sequence": {"type": "integer", "minimum": 0},
    "updated_at": DATETIME,
    "links": LINKS,
}

# What the public is told of the event now (webapp/agenda/public_state.py); in the list, of
# that date.
STATE_PROPERTIES = {
    "public_state": {"type": "string", "enum": [s.value for s in PublicState]},
    "public_state_label": STRING,
    "places_left": _nullable({"type": "integer", "minimum": 0}),
}

EVENT_ITEM = {
    "type": "object",
    "required": [*SUMMARY_PROPERTIES, *STATE_PROPERTIES, "start", "end", "cancelled", "venue"],
    "properties": {
        **SUMMARY_PROPERTIES,
        **STATE_PROPERTIES,
        "start": DATETIME,
        "end": DATETIME,
        "cancelled": {"type": "boolean"},
        "venue": VENUE,
    },
}

DATE_ITEM = {
    "type": "object",
    "required": ["start", "end", "cancelled", "venue"],
    "properties": {
        "start": DATETIME,
        "end": DATETIME,
        "cancelled": {"type": "boolean"},
        "venue": VENUE,
    },
}

# The event's public report: published here, or imported with the event (then `summary`).
REPORT = _nullable(
    {
        "type": "object",
        "required": [
            "participants_count",
            "participant_sectors",
            "estimated",
            "summary",
            "sections",
            "quotes",
            "presentation_url",
            "report_url",
            "save_the_date",
        ],
        "properties": {
            "participants_count": _nullable({"type": "integer", "minimum": 0}),
            "participant_sectors": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "estimated": {"type": "boolean"},
            "summary": _nullable(STRING),
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "text", "html"],
                    # text: Markdown as written (bold, italic, lists, links); html: the same
                    # rendered and sanitised (p, strong, em, ul, ol, li, a href, br only).
                    "properties": {"title": STRING, "text": STRING, "html": STRING},
                },
            },
            "quotes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["text", "sector_group"],
                    "properties": {"text": STRING, "sector_group": _nullable(STRING)},
                },
            },
            "presentation_url": _nullable(STRING),
            "report_url": _nullable(STRING),
            "save_the_date": _nullable(
                {
                    "type": "object",
                    "required": ["id", "title", "start", "html"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": STRING,
                        "start": DATETIME,
                        "html": URL,
                    },
                }
            ),
        },
    }
)

EVENT_DETAIL = {
    "type": "object",
    "required": [
        *SUMMARY_PROPERTIES,
        *STATE_PROPERTIES,
        "description",
        "start",
        "end",
        "rrule",
        "venue",
        "report",
        "dates",
    ],
    "properties": {
        **SUMMARY_PROPERTIES,
        **STATE_PROPERTIES,
        "description": _nullable(STRING),
        "start": DATETIME,
        "end": DATETIME,
        "rrule": _nullable(STRING),
        "venue": VENUE,
        "report": REPORT,
        "dates": {"type": "array", "items": DATE_ITEM},
    },
}

PAGE_LINKS = {
    "type": "object",
    "required": ["self", "first", "last", "next", "prev", "ics"],
    "properties": {
        "self": URL,
        "first": URL,
        "last": URL,
        "next": _nullable(URL),
        "prev": _nullable(URL),
        "ics": URL,
    },
}

EVENT_LIST = {
    "type": "object",
    "required": [
        "items",
        "page",
        "per_page",
        "total",
        "pages",
        "language",
        "links",
        "removed",
        "as_of",
    ],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventItem"}},
        "removed": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "With updated_since: the ids of events that left this view since "
            "(unpublished, deleted, or changed so that the filters no longer show them); "
            "the same list on every page. Empty without updated_since.",
        },
        "as_of": {
            **DATETIME,
            "description": "Pass it as updated_since in the next read: a minute before this "
            "read, so a change is sent twice rather than never.",
        },
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 1},
        "language": {"type": "string", "enum": ["fr", "nl"]},
        "links": PAGE_LINKS,
    },
}

BASSIN_LIST = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "name", "name_fr", "name_nl", "links"],
                "properties": {
                    "slug": STRING,
                    "name": STRING,
                    "name_fr": STRING,
                    "name_nl": STRING,
                    "website": _nullable(STRING),
                    "links": {
                        "type": "object",
                        "required": ["html", "ics", "events", "embed"],
                        "properties": {"html": URL, "ics": URL, "events": URL, "embed": URL},
                    },
                },
            },
        }
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": STRING,
        "status": {"type": "integer"},
        "problems": {"type": "object", "additionalProperties": STRING},
    },
}


GRAND_BAIN_SLOT = {
    "type": "object",
    "required": ["id", "start", "end", "capacity", "booked"],
    "properties": {
        "id": {"type": "integer"},
        "start": DATETIME,
        "end": DATETIME,
        "capacity": {"type": "integer", "minimum": 1, "maximum": 50},
        "booked": {"type": "integer", "minimum": 0},
    },
}

GRAND_BAIN_OFFERS = {
    "type": "object",
    "required": ["year", "week_start", "week_end", "items"],
    "properties": {
        "year": {"type": "integer"},
        "week_start": {"type": "string", "format": "date"},
        "week_end": {"type": "string", "format": "date"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "sector", "address", "commune", "languages", "slots"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": STRING,
                    "sector": STRING,
                    "address": STRING,
                    "commune": STRING,
                    "languages": {"type": "array", "items": STRING},
                    "discover": STRING,
                    "url": URL,
                    "slots": {"type": "array", "items": GRAND_BAIN_SLOT},
                },
            },
        },
    },
}


def _query(name, description, schema=None):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


FILTERS = [
    _query("bassin", "Bassin slug", {"type": "string", "enum": BASSINS}),
    _query("kind", "Kind of event", {"type": "string", "enum": list(KINDS)}),
    _query("theme", "Series slug or shared theme"),
    _query("commune", "Commune or municipality slug"),
    _query("audience", "Audience", {"type": "string", "enum": list(AUDIENCES)}),
    _query("from", "First local day (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _query("to", "Last local day (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _query("q", "Text searched in titles, descriptions, series and venues"),
    _query("page", "Page number", {"type": "integer", "minimum": 1, "maximum": 100000}),
    _query("per_page", "Items per page", {"type": "integer", "minimum": 1, "maximum": 100}),
    _query("lang", "Language of titles", {"type": "string", "enum": ["fr", "nl"]}),
]


UPDATED_SINCE = _query(
    "updated_since",
    "Only the dates of events changed at or after this time (ISO 8601 with its offset, "
    "e.g. 2027-03-10T14:00:00+01:00; at most 90 days ago), and in `removed` the ids of "
    "events gone from this view since. Keep a copy by passing the previous answer's as_of.",
    DATETIME,
)


def _json(schema_name, description):
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def openapi_document(base_url):
    """The OpenAPI 3.0 document of the API."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Agenda des bassins d'aide et de soins",
            "version": "1.0.0",
            "description": "Read-only agenda of the five Brussels bassins. Times are local "
            "(Europe/Brussels) ISO 8601 with their offset. CORS is open for GET.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/v1/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Upcoming dates of events, filtered and paginated; with "
                    "updated_since, only what changed and what was removed",
                    "parameters": [*FILTERS[:-1], UPDATED_SINCE, FILTERS[-1]],
                    "responses": {
                        "200": _json("EventList", "One page of event dates"),
                        "400": _json("Error", "Invalid filter or page values"),
                    },
                }
            },
            "/api/v1/events/{event_id}": {
                "get": {
                    "operationId": "getEvent",
                    "summary": "One event with its coming dates",
                    "parameters": [
                        {
                            "name": "event_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        },
                        FILTERS[-1],
                    ],
                    "responses": {
                        "200": _json("EventDetail", "The event"),
                        "404": _json("Error", "No such published event"),
                    },
                }
            },
            "/api/v1/bassins": {
                "get": {
                    "operationId": "listBassins",
                    "summary": "The five bassins with links to their agenda, feed and embed",
                    "parameters": [FILTERS[-1]],
                    "responses": {"200": _json("BassinList", "The bassins")},
                }
            },
            "/api/v1/grand-bain/{year}/offers": {
                "get": {
                    "operationId": "listGrandBainOffers",
                    "summary": "A Grand Bain edition's published open-door offers and their slots",
                    "parameters": [
                        {
                            "name": "year",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        },
                        FILTERS[-1],
                    ],
                    "responses": {
                        "200": _json("GrandBainOffers", "The offers with their slots"),
                        "404": _json("Error", "No edition that year"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "EventItem": EVENT_ITEM,
                "EventDetail": EVENT_DETAIL,
                "EventList": EVENT_LIST,
                "BassinList": BASSIN_LIST,
                "GrandBainOffers": GRAND_BAIN_OFFERS,
                "Error": ERROR,
            }
        },
    }
