"""Calendar feeds: iCalendar building, HTTP validators and the .ics views."""
