"""Inventory importers: pure parsers (one module per format) returning `records` dataclasses.

The registry (`registry.py`) lists them explicitly; `services.inventory_import` is the only writer.
"""
