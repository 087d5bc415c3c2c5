"""Frozen dataclasses (Settings and whatever it holds) to plain JSON values and back, generically over their
fields and type hints, so that a field added to Settings later (topic names, merges, stop words: nested
dataclasses, tuples, dicts with int keys) is saved and restored without a change here.

Reading never trusts the JSON: each value is checked against its field's type and a mismatch is a
CoreError naming the field; nothing is evaluated or imported from the data.

    record = to_json(settings)                 # dict of str, int, float, bool, None, lists and dicts
    same = from_json(Settings, record).value   # == settings
"""
from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from dataclasses import dataclass

from core.errors import CoreError

MAX_DEPTH = 20  # nesting of dataclasses and containers in a record; deeper is refused


@dataclass(frozen=True, kw_only=True)
class Revived:
    """A value read back from JSON, and the fields the JSON held that the class does not know (saved by
    another version: they are left out, and the person should hear of it)."""

    value: object
    unknown: tuple[str, ...] = ()


def to_json(value):
    """A plain JSON value for a dataclass instance, its fields' values and their contents. A dict whose keys
    are not all strings is written as a list of [key, value] pairs, so that int keys stay ints."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: to_json(item) for key, item in value.items()}
        return [[to_json(key), to_json(item)] for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(item) for item in value), key=repr)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        return value.item()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"{type(value).__name__} cannot be saved as JSON")


def from_json(cls, record) -> Revived:
    """An instance of dataclass `cls` from to_json's record: fields the record lacks take their defaults,
    fields it has are checked against their type hints, fields `cls` does not know are reported."""
    unknown: list[str] = []
    value = _revive(record, cls, cls.__name__, unknown, 0)
    return Revived(value=value, unknown=tuple(unknown))


def revive(value, hint, path: str):
    """One value read back from JSON as type `hint` (what from_json does for each field)."""
    return _revive(value, hint, path, [], 0)


def _refuse(path: str, value, what: str) -> CoreError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return CoreError(f"The saved value of {path} is {shown}, which is not {what}.")


def _revive(value, hint, path: str, unknown: list[str], depth: int):
    if depth > MAX_DEPTH:
        raise CoreError(f"The saved value of {path} is nested too deeply.")
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any or hint is object:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for option in (a for a in args if a is not type(None)):
            try:
                return _revive(value, option, path, unknown, depth + 1)
            except CoreError:
                continue
        raise _refuse(path, value, " or ".join(_name(a) for a in args))
    if origin is typing.Literal:
        if value in args:
            return value
        raise _refuse(path, value, "one of " + ", ".join(map(repr, args)))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(value, hint, path, unknown, depth)
    if origin in (tuple, list, set, frozenset) or hint in (tuple, list, set, frozenset):
        return _sequence(value, origin or hint, args, path, unknown, depth)
    if origin is dict or hint is dict:
        return _mapping(value, args, path, unknown, depth)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise _refuse(path, value, f"a {hint.__name__}") from None
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif isinstance(hint, type):
        if isinstance(value, hint):
            return value
    else:
        return value  # a hint this reader does not know (a TypeVar, a forward reference): taken as it is
    raise _refuse(path, value, _name(hint))


def _dataclass(value, cls, path: str, unknown: list[str], depth: int):
    if not isinstance(value, dict):
        raise _refuse(path, value, f"a record of {cls.__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown.extend(f"{path}.{name}" for name in value if name not in fields)
    given = {name: _revive(value[name], hints.get(name, typing.Any), f"{path}.{name}", unknown, depth + 1)
             for name in fields if name in value}
    try:
        return cls(**given)
    except (TypeError, ValueError, CoreError) as exc:  # a required field missing, or the class refuses a value
        raise CoreError(f"The saved {path} could not be restored ({exc}).") from None


def _sequence(value, kind, args, path: str, unknown: list[str], depth: int):
    if not isinstance(value, list):
        raise _refuse(path, value, "a list")
    if kind is tuple and args and args[-1] is not Ellipsis and args != ((),):
        if len(value) != len(args):
            raise _refuse(path, value, f"a list of {len(args)} values")
        items = [_revive(v, a, f"{path}[{i}]", unknown, depth + 1) for i, (v, a) in enumerate(zip(value, args))]
    else:  # untyped items of a tuple or set that are lists were tuples (a list is not hashable; Settings is)
        item = args[0] if args else typing.Any
        nested = tuple if item is typing.Any and kind is not list else item
        items = [_revive(v, nested if isinstance(v, list) else item, f"{path}[{i}]", unknown, depth + 1)
                 for i, v in enumerate(value)]
    try:
        return kind(items)
    except TypeError:  # an unhashable value in a set
        raise _refuse(path, value, f"a {kind.__name__}") from None


def _mapping(value, args, path: str, unknown: list[str], depth: int) -> dict:
    key_hint, item_hint = args if args else (typing.Any, typing.Any)
    if isinstance(value, dict):
        pairs = list(value.items())
        if key_hint not in (str, typing.Any):  # keys written as text by JSON: read them as their type
            pairs = [(_key(k, key_hint, path), v) for k, v in pairs]
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        pairs = [(_revive(k, key_hint, f"{path} key", unknown, depth + 1), v) for k, v in value]
    else:
        raise _refuse(path, value, "a mapping")
    try:
        return {k: _revive(v, item_hint, f"{path}[{k!r}]", unknown, depth + 1) for k, v in pairs}
    except TypeError:  # an unhashable key
        raise _refuse(path, value, "a mapping with plain keys") from None


def _key(text: str, hint, path: str):
    if hint is int:
        try:
            return int(text)
        except ValueError:
            raise _refuse(path, text, "a whole-number key") from None
    return _revive(text, hint, f"{path} key", [], 0)


def _name(hint) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a finite number", str: "text",
             type(None): "empty (null)"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))
