"""Explicit plugin registries: classes listed by hand, a duplicate id fails loudly."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from canhgac.core.exceptions import ParseError, SourceLocation


class Identified(Protocol):
    id: ClassVar[str]


PluginT = TypeVar("PluginT", bound=Identified)


class DuplicatePluginError(ValueError):
    pass


class UnknownPluginError(KeyError):
    pass


class Registry(Generic[PluginT]):
    """An ordered, immutable-after-build mapping from plugin id to plugin class."""

    def __init__(self, kind: str, plugins: Iterable[type[PluginT]] = ()) -> None:
        self.kind = kind
        self._plugins: dict[str, type[PluginT]] = {}
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: type[PluginT]) -> type[PluginT]:
        plugin_id = plugin.id
        if plugin_id in self._plugins:
            raise DuplicatePluginError(
                f"{self.kind}: id {plugin_id!r} used by {self._plugins[plugin_id].__qualname__} "
                f"and {plugin.__qualname__}"
            )
        self._plugins[plugin_id] = plugin
        return plugin

    def get(self, plugin_id: str) -> type[PluginT]:
        try:
            return self._plugins[plugin_id]
        except KeyError:
            known = ", ".join(sorted(self._plugins)) or "none"
            raise UnknownPluginError(
                f"{self.kind}: unknown id {plugin_id!r} (known: {known})"
            ) from None

    def ids(self) -> list[str]:
        return list(self._plugins)

    def __iter__(self) -> Iterator[type[PluginT]]:
        return iter(self._plugins.values())

    def __len__(self) -> int:
        return len(self._plugins)

    def __contains__(self, plugin_id: object) -> bool:
        return plugin_id in self._plugins


AUTO = "auto"
SNIFF_BYTES = 64 * 1024


def plugin_for_file(
    registry: Registry[Any], path: Path, *, source: str, format_id: str = AUTO
) -> Any:
    """An instance of the plugin `format_id`, or (auto) of the first one whose `sniff(head,
    name)` accepts the file's first 64 KiB; a located ParseError otherwise."""
    if format_id != AUTO:
        if format_id not in registry:
            known = ", ".join([AUTO, *registry.ids()])
            raise ParseError(
                f"unknown format {format_id!r} (known: {known})", source=SourceLocation(source)
            )
        return registry.get(format_id)()
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    for plugin in registry:
        if plugin.sniff(head, source):
            return plugin()
    raise ParseError(
        f"not in any {registry.kind} canhgac reads; give the format explicitly (one of "
        f"{', '.join(registry.ids())})",
        source=SourceLocation(source),
    )
