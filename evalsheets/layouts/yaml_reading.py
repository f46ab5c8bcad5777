"""Reading a 様式 definition's YAML defensively: a size limit checked before reading, no
anchors or aliases (a "billion laughs" file expands them exponentially), and the line of
every key kept so that a problem can name it."""

from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.path}（{self.line}行目）" if self.line else self.path
        return f"{where}: {self.message}"


class DefinitionError(ValueError):
    """The definition is not valid: ``problems`` lists each one; nothing was installed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ------------------------------------------------------------------------ reading YAML


class NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and keeps each node's line."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise DefinitionError(
                [
                    Problem(
                        "(ファイル)",
                        mark.line + 1,
                        "YAMLのアンカー・エイリアス（& と *）は使えません。"
                        "値をそのまま書いてください。",
                    )
                ]
            )
        return super().compose_node(parent, index)


def to_python(node, path="") -> object:
    """The composed YAML node as Python data, each mapping and list carrying the lines of its
    entries in ``_Lines`` so that problems can name them."""
    if isinstance(node, yaml.MappingNode):
        result = YamlMap()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                result.duplicates.append((key, key_node.start_mark.line + 1))
            result[key] = to_python(value_node, f"{path}.{key}" if path else key)
            result.lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        result = YamlList(to_python(item, f"{path}[{i}]") for i, item in enumerate(node.value))
        result.line = node.start_mark.line + 1
        result.lines = [item.start_mark.line + 1 for item in node.value]
        return result
    return yaml.SafeLoader.construct_object(_SCALAR_LOADER, node)


class YamlMap(dict):
    def __init__(self):
        super().__init__()
        self.lines: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []
        self.line = None


class YamlList(list):
    line = None
    lines: list[int] = []


_SCALAR_LOADER = yaml.SafeLoader("")


def single(key: str, value, line) -> YamlMap:
    """The short form ``- background`` read as ``- {name: background}``."""
    result = YamlMap()
    result[key] = value
    result.lines[key] = line
    result.line = line
    return result


def read_text(path: Path) -> str:
    """The file's text, refused before reading when over MAX_BYTES or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DefinitionError(
            [
                Problem(
                    "(ファイル)",
                    None,
                    f"ファイルが大きすぎます（{size:,}バイト）。"
                    f"様式定義は{MAX_BYTES:,}バイトまでです。",
                )
            ]
        )
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(
            [Problem("(ファイル)", None, "UTF-8 のテキストファイルではありません。")]
        ) from None
