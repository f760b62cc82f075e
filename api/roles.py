"""Finding a role profile by what a user typed, for every resolver that takes a role."""

from __future__ import annotations

import difflib

from api.errors import NotFoundError
from graph import roles
from graph.records import RoleRecord
from readmodel.store import ReadModel


def find_role(projection: ReadModel, name: str) -> RoleRecord:
    """The role named ``name`` (any case, its id or name), or NOT_FOUND with close names."""
    found = projection.roles.get(roles.role_id(name))
    if found is not None:
        return found
    names = {roles.role_id(r.name): r.name for r in projection.roles.values()}
    close = difflib.get_close_matches(roles.role_id(name), list(names), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(names[c]) for c in close)}?" if close else ""
    raise NotFoundError(f"No role {name!r}.{hint}")
