"""The catalogue: series, venues and organisations, their lists and merges."""
