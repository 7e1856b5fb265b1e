"""Safe YAML for front matter and the registry: no tags, no aliases, dates left as text, line numbers kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import PublishError

# Deeper than any front matter or registry needs (they use 3 levels), far below Python's
# recursion limit: PyYAML composes and constructs nodes recursively.
MAX_DEPTH = 20
# Python refuses to turn an int of more than 4,300 digits into text (and parses it in quadratic
# time); no front matter value is a number that long.
MAX_NUMBER_CHARS = 100
# What the YAML reader refuses in a file (yaml.reader.Reader.NON_PRINTABLE); an escape such as
# "\uffff" or "\ud800" must not bring it back: XML (DOCX) and UTF-8 cannot hold it.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Refused(Exception):
    """A value the loader will not build; load_yaml turns it into the caller's error with the line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 0-based in the YAML text


class _Loader(yaml.SafeLoader):
    """SafeLoader without alias expansion (billion laughs) and without implicit timestamps.

    Dates stay strings so that we parse them ourselves and can say what is wrong. Tags and
    nesting are checked while composing, before anything recurses deep or a constructor runs.
    """

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line if event.start_mark else 0
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            # An explicit tag picks a constructor (!!python/..., and also !!float x, !!timestamp x,
            # !!bool x, which fail in their own ways); plain values are all anyone here needs.
            raise _Refused(f"YAML tags such as '{tag}' are not allowed; write plain values", line)
        if not isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise _Refused(f"too complex: lists or tables nested more than {MAX_DEPTH} deep", line)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _number(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _Refused(
            f"a number of {len(node.value):,} characters is too long (at most {MAX_NUMBER_CHARS}); "
            "put it in quotes if it is text",
            node.start_mark.line,
        )
    try:
        if node.tag.endswith(":int"):
            return loader.construct_yaml_int(node)
        return loader.construct_yaml_float(node)
    except ValueError:
        # YAML 1.1's number patterns also match a few non-numbers: 0x_, 0b_, ._
        raise _Refused(
            f"'{node.value}' is not a number; put it in quotes if it is text", node.start_mark.line
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _number)
_Loader.add_constructor("tag:yaml.org,2002:float", _number)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlDoc:
    data: Any
    node: yaml.Node | None
    first_line: int  # 1-based line in the file where this YAML text starts

    def line_of(self, *keys: str | int) -> int:
        """The file line of a key path (``line_of("email", "subject")``), or the document's first line."""
        node = self.node
        line = self.first_line
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                key_node = next((k for k, v in node.value if k.value == key), None)
                if match is None or key_node is None:
                    return line
                line = self.first_line + key_node.start_mark.line
                node = match
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = self.first_line + node.start_mark.line
            else:
                return line
        return line

    def entry(self, i: int, keys: tuple[str, ...], path: Path, error: type[PublishError]) -> dict[str, Any]:
        """List item ``i`` as a table with only ``keys``, else ``error`` naming its line."""
        item = self.data[i]
        if not isinstance(item, dict):
            what = f"entry {i + 1} must be a table with {', '.join(keys)}"
            raise error(what, path=path, line=self.line_of(i))
        for key in item:
            if key not in keys:
                what = f"unknown key '{key}'. Valid keys: {', '.join(keys)}"
                raise error(what, path=path, line=self.line_of(i, str(key)))
        return item

    def key_lines(self) -> dict[tuple[str, ...], int]:
        """Every key path in the document (list items by their index, as text) -> its file line.

        Taken once from the parse so that later errors need not read the file again."""
        lines: dict[tuple[str, ...], int] = {}
        stack: list[tuple[tuple[str, ...], yaml.Node | None]] = [((), self.node)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode):  # duplicate keys were refused at load
                        lines[(*path, k.value)] = self.first_line + k.start_mark.line
                        stack.append(((*path, k.value), v))
            elif isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    lines[(*path, str(i))] = self.first_line + item.start_mark.line
                    stack.append(((*path, str(i)), item))
        return lines


def load_yaml(text: str, *, path: Path | str, first_line: int, error: type[PublishError]) -> YamlDoc:
    """Parse one YAML document; every problem becomes ``error`` naming the file and line."""
    try:
        loader = _Loader(text)  # the reader checks every character here, before parsing
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, exc.position)
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise error(
            f"the character U+{exc.character:04X} at column {col} cannot be used in YAML; remove it",
            path=path,
            line=line,
        ) from None
    try:
        node = loader.get_single_node()
        _check_nodes(node, path, first_line, error)
        data = loader.construct_document(node) if node is not None else None
    except PublishError:
        raise
    except _Refused as exc:
        raise error(exc.message, path=path, line=first_line + exc.line) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        tag = getattr(mark, "name", "")
        line = first_line + mark.line if mark else first_line
        msg = str(exc.problem or "")
        if "could not determine a constructor" in msg:
            raise error(
                f"YAML tags such as {msg.split('tag ')[-1].strip()} are not allowed; write plain values",
                path=path,
                line=line,
            ) from None
        raise error(f"invalid YAML: {msg} {tag}".strip(), path=path, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        hint = ""
        if exc.context and exc.context_mark and exc.problem:
            hint = f" ({exc.context} on line {first_line + exc.context_mark.line})"
        raise error(f"invalid YAML: {exc.problem or exc.context}{hint}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path=path, line=first_line) from None
    finally:
        loader.dispose()
    return YamlDoc(data=data, node=node, first_line=first_line)


def _check_nodes(
    node: yaml.Node | None, path: Path | str, first_line: int, error: type[PublishError]
) -> None:
    # The composer resolves an alias to the very node object it names; seeing the same
    # node twice means an alias was used. Anchors and aliases have no place in an article.
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            raise error(
                "YAML anchors and aliases (&name / *name) are not allowed; write each value out",
                path=path,
                line=first_line + current.start_mark.line,
            )
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        raise error(
                            f"'{k.value}' is given twice; keep one",
                            path=path,
                            line=first_line + k.start_mark.line,
                        )
                    keys.add(k.value)
                stack.extend((k, v))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.ScalarNode) and (bad := _NOT_PRINTABLE.search(current.value)):
            raise error(
                f"the character U+{ord(bad.group()):04X} cannot be used in YAML, "
                "not even as an escape; remove it",
                path=path,
                line=first_line + current.start_mark.line,
            )
