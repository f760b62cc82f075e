"""Who may do what: every rule of the API in one table.

========================  =======  =========  ====  =====
action                    agent    moderator  hr    admin
========================  =======  =========  ====  =====
read the directory        any      any        any   any
read learning goals       self     any        any   any
read mentorships          self     self       any   any
edit a profile            self     self       self  any
take part in mentorships  self     self       self  any
manage squads             -        any        -     any
manage communities        -        any        -     any
join or leave community   self     self       self  any
read network health       -        -          any   any
suggest mentors           self     self       any   any
assign mentors (bulk)     -        -          any   any
import people (bulk)      -        -          -     any
manage role profiles      -        -          any   any
choose a target role      self     self       any   any
read growth paths         self     self       any   any
read bench strength       -        -          any   any
read notifications        self     self       self  self
read a response rate      self     self       any   any
schedule sessions         self     self       self  any
manage webhooks           -        -          -     any
========================  =======  =========  ====  =====

"self" means the caller acts on their own profile (their own skills, their
own side of a mentorship); "any" means on anyone's. For *schedule sessions* (and
recording attendance) "self" means the caller moderates that community. The directory is people's
public profiles: name, title, team, site, shift, languages, skills and
whether they mentor. A refused action raises :class:`Forbidden`
(``extensions.code = "FORBIDDEN"``) before anything is written.
"""

from __future__ import annotations

import enum

from api.auth import Principal, Role
from api.errors import Forbidden


class Scope(enum.Enum):
    """On whom a role may perform an action."""

    NONE = "-"
    SELF = "self"
    SHARED = "self, or anyone who shares"
    """Oneself, or someone who chose to share this with colleagues (``shareGoals``)."""
    ANY = "any"


class Action(enum.Enum):
    """Things a caller asks the API to do, each a row of the table."""

    READ_DIRECTORY = "read the directory"
    READ_GOALS = "read learning goals"
    READ_MENTORSHIPS = "read mentorships"
    EDIT_PROFILE = "edit a profile"
    MENTORSHIP = "take part in mentorships"
    MANAGE_SQUADS = "manage squads"
    MANAGE_COMMUNITIES = "manage communities"
    JOIN_COMMUNITY = "join or leave community"
    READ_NETWORK_HEALTH = "read network health"
    SUGGEST_MENTORS = "suggest mentors"
    ASSIGN_MENTORS = "assign mentors (bulk)"
    BULK = "import people (bulk)"
    OFFBOARD = "close a leaver's account"
    MANAGE_ROLES = "manage role profiles"
    SET_TARGET_ROLE = "choose a target role"
    READ_PATHS = "read growth paths"
    READ_BENCH = "read bench strength"
    READ_NOTIFICATIONS = "read notifications"
    READ_RESPONSE_RATE = "read a response rate"
    SCHEDULE_SESSIONS = "schedule sessions"
    MANAGE_WEBHOOKS = "manage webhooks"


_ = Scope.NONE
SELF = Scope.SELF
SHARED = Scope.SHARED
ANY = Scope.ANY
RULES: dict[Action, dict[Role, Scope]] = {
    #                               agent        moderator        hr            admin
    Action.READ_DIRECTORY:      {Role.AGENT: ANY,  Role.MODERATOR: ANY,  Role.HR: ANY,  Role.ADMIN: ANY},
    Action.READ_GOALS:          {Role.AGENT: SHARED, Role.MODERATOR: ANY, Role.HR: ANY, Role.ADMIN: ANY},
    Action.READ_MENTORSHIPS:    {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: ANY,  Role.ADMIN: ANY},
    Action.EDIT_PROFILE:        {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: SELF, Role.ADMIN: ANY},
    Action.MENTORSHIP:          {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: SELF, Role.ADMIN: ANY},
    Action.MANAGE_SQUADS:       {Role.AGENT: _,    Role.MODERATOR: ANY,  Role.HR: _,    Role.ADMIN: ANY},
    Action.MANAGE_COMMUNITIES:  {Role.AGENT: _,    Role.MODERATOR: ANY,  Role.HR: _,    Role.ADMIN: ANY},
    Action.JOIN_COMMUNITY:      {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: SELF, Role.ADMIN: ANY},
    Action.READ_NETWORK_HEALTH: {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: ANY,  Role.ADMIN: ANY},
    Action.SUGGEST_MENTORS:     {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: ANY,  Role.ADMIN: ANY},
    Action.ASSIGN_MENTORS:      {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: ANY,  Role.ADMIN: ANY},
    Action.BULK:                {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: _,    Role.ADMIN: ANY},
    Action.OFFBOARD:            {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: ANY,  Role.ADMIN: ANY},
    Action.MANAGE_ROLES:        {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: ANY,  Role.ADMIN: ANY},
    Action.SET_TARGET_ROLE:     {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: ANY,  Role.ADMIN: ANY},
    Action.READ_PATHS:          {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: ANY,  Role.ADMIN: ANY},
    Action.READ_BENCH:          {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: ANY,  Role.ADMIN: ANY},
    Action.READ_NOTIFICATIONS:  {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: SELF, Role.ADMIN: SELF},
    Action.READ_RESPONSE_RATE:  {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: ANY,  Role.ADMIN: ANY},
    Action.SCHEDULE_SESSIONS:   {Role.AGENT: SELF, Role.MODERATOR: SELF, Role.HR: SELF, Role.ADMIN: ANY},
    Action.MANAGE_WEBHOOKS:     {Role.AGENT: _,    Role.MODERATOR: _,    Role.HR: _,    Role.ADMIN: ANY},
}  # fmt: skip


def allowed(principal: Principal, action: Action, *subjects: str, shared: bool = False) -> bool:
    """Whether ``principal`` may perform ``action`` on the people named by ``subjects``.

    With no subjects the action is about nobody in particular (listing
    squads, say): any scope but NONE allows it. With subjects, SELF allows it
    only when the caller is one of them (a mentee or mentor of the mentorship);
    SHARED also when the subject chose to share (``shared``).
    """
    scope = RULES[action][principal.role]
    if scope is Scope.ANY:
        return True
    if scope is Scope.NONE:
        return False
    if scope is Scope.SHARED and shared:
        return True
    return not subjects or principal.person_id in subjects


def require(principal: Principal, action: Action, *subjects: str, shared: bool = False) -> None:
    """Raise :class:`Forbidden` unless :func:`allowed`."""
    if not allowed(principal, action, *subjects, shared=shared):
        whom = "" if RULES[action][principal.role] is Scope.NONE else " for someone else"
        raise Forbidden(f"Your role ({principal.role.value}) may not {action.value}{whom}.")
