"""Advisory feeds: one pure parser per source format, returning `records` dataclasses."""
