r"""Text the store cannot hold is refused as bad input, whichever argument carries it.

JSON may escape a lone UTF-16 surrogate (``"a\ud800b"``); Python decodes it into a string
that no UTF-8 encoder accepts, so the Bolt driver fails on it (and so would the JSON answer
that echoed it). Rather than guard each string argument, the whole decoded body of every
request is checked once, before anything runs (``api.app.SkillweaveGraphQL.decode_json``):
``BAD_USER_INPUT``, naming where the bad text is. (A raw surrogate inside the query text is
already a syntax error of the GraphQL lexer.)
"""

from __future__ import annotations

from typing import Any


def unencodable(value: Any, where: str = "variables") -> str | None:
    """Where in ``value`` a string UTF-8 cannot encode sits (``variables.input.name``), or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unencodable(key, where) or unencodable(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            found = unencodable(item, f"{where}[{n}]")
            if found:
                return found
    return None


def not_unicode(where: str) -> str:
    """The message for bad text found at ``where`` (which never echoes the text itself)."""
    return (
        f"The text in {where} holds a character that is not valid Unicode (an unpaired UTF-16 "
        "surrogate such as \\ud800); send UTF-8 text."
    )
