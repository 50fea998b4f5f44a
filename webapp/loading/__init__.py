"""Loading data that spans areas: import-events and demo-data (agenda, then registrations).

It stands above the areas it composes, so none of them has to import one above it.
"""
