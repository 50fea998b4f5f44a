"""The embeddable agenda."""
