"""GraphQL face of growth paths: role profiles and target roles.

Role profiles are read by anyone signed in and edited by HR and admins; a person's target
role is theirs to choose (HR and admins may choose for anyone). The computations live in
:mod:`matching.paths`; the store's side in :mod:`graph.roles`.
"""

from __future__ import annotations

import difflib

import strawberry

from api.context import Info
from api.errors import NotFoundError
from api.inputs import RoleInput
from api.permissions import Action, require
from api.types import Person, Role
from graph import roles
from graph.model import RoleProfile, RoleRequirement
from graph.records import RoleRecord
from readmodel.store import ReadModel


async def person_or_error(info: Info, person_id: str) -> Person:
    """The person with this id, or a NOT_FOUND error."""
    found = await info.context.loaders.person.load(person_id)
    if found is None:
        raise NotFoundError(f"No person with id {person_id!r}.")
    return Person.of(found)


def find_role(projection: ReadModel, name: str) -> RoleRecord:
    """The role named ``name`` (any case, its id or name), or NOT_FOUND with close names."""
    found = projection.roles.get(roles.role_id(name))
    if found is not None:
        return found
    names = {roles.role_id(r.name): r.name for r in projection.roles.values()}
    close = difflib.get_close_matches(roles.role_id(name), list(names), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(names[c]) for c in close)}?" if close else ""
    raise NotFoundError(f"No role {name!r}.{hint}")


@strawberry.type(description="Read role profiles.")
class PathQueries:
    @strawberry.field(description="Every role profile, by name.")
    async def roles(self, info: Info) -> list[Role]:
        require(info.context.principal, Action.READ_DIRECTORY)
        projection = await info.context.loaders.projection()
        ordered = sorted(projection.roles.values(), key=lambda r: r.name)
        return [Role.of(info, r) for r in ordered]

    @strawberry.field(description="A role profile by id or name (any case).")
    async def role(self, info: Info, name: str) -> Role:
        require(info.context.principal, Action.READ_DIRECTORY)
        return Role.of(info, find_role(await info.context.loaders.projection(), name))


@strawberry.type(description="Change role profiles and target roles.")
class PathMutations:
    @strawberry.mutation(
        description="Create a role profile, or replace the one with this name (HR and admins). "
        "Unknown skills get BAD_USER_INPUT with the closest names."
    )
    async def save_role(self, info: Info, input: RoleInput) -> Role:
        require(info.context.principal, Action.MANAGE_ROLES)
        catalog = await info.context.catalog()
        profile = roles.checked(
            RoleProfile(
                id="",
                name=input.name,
                job_role=input.job_role,
                requires=tuple(
                    RoleRequirement(catalog.require(q.skill).key, q.level, q.weight)
                    for q in input.requirements
                ),
            )
        )
        await info.context.write(roles.save_role, profile)
        return Role.of(info, find_role(await info.context.loaders.projection(), profile.id))

    @strawberry.mutation(
        description="Delete a role profile nobody holds or targets (HR and admins); one in use "
        "gets CONFLICT saying how many people hold and target it."
    )
    async def delete_role(self, info: Info, name: str) -> bool:
        require(info.context.principal, Action.MANAGE_ROLES)
        found = find_role(await info.context.loaders.projection(), name)
        await info.context.write(roles.delete_role, found.id)
        return True

    @strawberry.mutation(
        description="Choose the role a person grows towards (yourself when `personId` is left "
        "out; others need HR or admin); `role: null` clears it. Choosing the same role again "
        "keeps the date progress counts from."
    )
    async def set_target_role(
        self, info: Info, role: str | None, person_id: strawberry.ID | None = None
    ) -> Person:
        subject = str(person_id) if person_id is not None else info.context.principal.person_id
        require(info.context.principal, Action.SET_TARGET_ROLE, subject)
        await person_or_error(info, subject)
        role_id = None
        if role is not None:
            role_id = find_role(await info.context.loaders.projection(), role).id
        await info.context.write(roles.set_target_role, subject, role_id)
        return await person_or_error(info, subject)
