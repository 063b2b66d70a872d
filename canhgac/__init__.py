"""canhgac (cảnh gác, "standing watch"): security operations for a province's agencies."""

__version__ = "0.1.0"
