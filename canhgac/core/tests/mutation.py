"""Hypothesis helpers shared by every parser's fuzz test: damaged bytes, odd JSON values, and
the check that a damaged file either parses into sane records or fails with located problems."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canhgac.core.exceptions import ValidationError

Batch_co = TypeVar("Batch_co", covariant=True)


class Parses(Protocol[Batch_co]):
    def parse(self, path: Path, *, source: str) -> Batch_co: ...


def check_mutated(
    path: Path,
    parser: Callable[[], Parses[Batch_co]],
    contents: st.SearchStrategy[bytes],
    check_batch: Callable[[Batch_co], None],
    examples: int = 200,
) -> None:
    """Parse `examples` damaged files at `path`: each gives a batch `check_batch` accepts, or a
    ValidationError (a ParseError is one) with at least one problem, each located in the file."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(content=contents)
    def check(content: bytes) -> None:
        path.write_bytes(content)
        try:
            batch = parser().parse(path, source=path.name)
        except ValidationError as raised:
            problems = raised.problems
        else:
            check_batch(batch)
            return
        assert problems
        assert all(problem.location and problem.location.path == path.name for problem in problems)

    check()


def mutate_bytes(draw: st.DrawFn, original: bytes, tokens: Sequence[bytes] = ()) -> bytes:
    """1-4 random truncations, bit flips, insertions, deletions (and format tokens, if given)."""
    data = bytearray(original)
    operations = ["truncate", "flip", "insert", "delete", *(["token"] if tokens else [])]
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(operations))
        if operation == "truncate":
            del data[position:]
        elif operation == "flip":
            data[position] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "token":
            data[position:position] = draw(st.sampled_from(list(tokens)))
        else:
            del data[position : position + draw(st.integers(1, 32))]
    return bytes(data)


def shuffle_json(value: Any, chance: random.Random, odd_values: Sequence[Any]) -> Any:
    """Key order shuffled everywhere; now and then a value swapped for one of the wrong type."""
    if chance.random() < 0.05:
        return chance.choice(list(odd_values))
    if isinstance(value, dict):
        items = list(value.items())
        chance.shuffle(items)
        return {key: shuffle_json(item, chance, odd_values) for key, item in items}
    if isinstance(value, list):
        return [shuffle_json(item, chance, odd_values) for item in value]
    return value


def replace_random_value(
    document: Any, chance: Any, value: Any, depth: int = 0, keep: frozenset[str] = frozenset()
) -> Any:
    """`document` with one value, reached by random steps, replaced by `value`; top-level keys
    in `keep` are never chosen (e.g. the fields a parser recognises the format by)."""
    stop = depth > 0 and chance.random() < 0.3
    if not isinstance(document, dict | list) or not document or stop:
        return value
    if isinstance(document, dict):
        keys = sorted(set(document) - keep) if depth == 0 else sorted(document)
        if not keys:
            return document
        key = chance.choice(keys)
        return {**document, key: replace_random_value(document[key], chance, value, depth + 1)}
    index = chance.randrange(len(document))
    changed = replace_random_value(document[index], chance, value, depth + 1)
    return [*document[:index], changed, *document[index + 1 :]]
