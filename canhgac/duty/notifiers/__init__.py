"""Channels that deliver notifications: one class per channel, listed in `registry.py`."""
