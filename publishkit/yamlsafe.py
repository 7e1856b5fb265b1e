"""Safe YAML for front matter and the registry: no tags, no aliases, dates left as text, line numbers kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import PublishError


class _Loader(yaml.SafeLoader):
    """SafeLoader without alias expansion (billion laughs) and without implicit timestamps.

    Dates stay strings so that we parse them ourselves and can say what is wrong.
    """


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


def load_yaml(text: str, *, path: Path | str, first_line: int, error: type[PublishError]) -> YamlDoc:
    """Parse one YAML document; every problem becomes ``error`` naming the file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        _check_nodes(node, path, first_line, error)
        data = loader.construct_document(node) if node is not None else None
    except PublishError:
        raise
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
