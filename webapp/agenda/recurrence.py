"""A repeating event's rule in words, in French or Dutch: 'chaque troisième lundi du mois'."""

from dateutil.rrule import rrulestr

WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}
ORDINALS = {
    "fr": {
        1: "premier",
        2: "deuxième",
        3: "troisième",
        4: "quatrième",
        5: "cinquième",
        -1: "dernier",
    },
    "nl": {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde", 5: "vijfde", -1: "laatste"},
}
MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
}
PHRASES = {
    "fr": {
        "weekly": "chaque {days}",
        "every_weeks": "un {days} sur {n}",
        "monthly_nth": "chaque {nth} {day} du mois",
        "monthly_day": "le {day} de chaque mois",
        "yearly": "chaque année le {day} {month}",
        "daily": "chaque jour",
        "and": " et ",
    },
    "nl": {
        "weekly": "elke {days}",
        "every_weeks": "om de {n} weken op {days}",
        "monthly_nth": "elke {nth} {day} van de maand",
        "monthly_day": "de {day}e van elke maand",
        "yearly": "elk jaar op {day} {month}",
        "daily": "elke dag",
        "and": " en ",
    },
}


def rule_in_words(rule, first_start, language="fr"):
    """The RRULE in words, or None when it says more than these phrases can (then the page
    lists the dates alone). `first_start` is the event's first (local) start."""
    language = "nl" if language == "nl" else "fr"
    words = PHRASES[language]
    # Where the rule ends is not part of its words (and a UTC UNTIL refuses a local start).
    pattern = ";".join(p for p in rule.split(";") if not p.upper().startswith(("UNTIL=", "COUNT=")))
    try:
        parsed = rrulestr(pattern, dtstart=first_start.replace(tzinfo=None))
    except (ValueError, TypeError):
        return None
    freq, interval = parsed._freq, parsed._interval  # dateutil keeps the parts private
    weekdays = [WEEKDAYS[language][d] for d in sorted(parsed._byweekday or ())]
    nth = parsed._bynweekday or ()
    if freq == 3 and interval == 1:  # DAILY
        return words["daily"]
    if freq == 2 and weekdays:  # WEEKLY
        days = words["and"].join(weekdays)
        if interval == 1:
            return words["weekly"].format(days=days)
        return words["every_weeks"].format(days=days, n=interval)
    if freq == 1 and interval == 1:  # MONTHLY
        if len(nth) == 1 and nth[0][1] in ORDINALS[language]:
            day, n = nth[0]
            return words["monthly_nth"].format(
                nth=ORDINALS[language][n], day=WEEKDAYS[language][day]
            )
        if not nth and not weekdays and len(parsed._bymonthday or ()) == 1:
            return words["monthly_day"].format(day=parsed._bymonthday[0])
    if freq == 0 and interval == 1 and len(parsed._bymonth or ()) == 1:  # YEARLY
        month = MONTHS[language][parsed._bymonth[0] - 1]
        return words["yearly"].format(
            day=(parsed._bymonthday or (first_start.day,))[0], month=month
        )
    return None
