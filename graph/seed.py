"""A deterministic synthetic BPO organisation for demos, tests and benchmarks.

``generate_organisation(people=2000, seed=7)`` always returns the same
organisation: sites with their shifts and languages, nine functions, teams of
about twelve with a lead, a manager per site and function group, skills whose
levels grow with tenure and differ by function, learning goals that reach
across functions, and a few mentorships, squads and communities.

``programme=True`` (what ``serve --demo`` seeds) makes it an organisation
:data:`PROGRAMME_DAYS` into a mentoring programme instead: about a third of the
people with goals in an active mentorship, others ended with feedback, pending,
expired or declined, dated over those weeks; squads and communities with members.
The people are the same either way.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import random
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from graph.model import (
    Community,
    Feedback,
    JobRole,
    LearningGoal,
    Mentorship,
    MentorshipStatus,
    Person,
    SkillLevel,
    Squad,
    SquadMember,
    SquadRole,
    SquadStatus,
    Team,
)
from graph.organisation import Organisation
from graph.records import LevelChange
from graph.roles import load_role_profiles
from graph.skills import load_taxonomy, skill_key
from graph.teams import team_id


@dataclass(frozen=True)
class Site:
    """A delivery site: where people sit, when they work, what they speak."""

    name: str
    timezone: str
    languages: tuple[str, ...]
    shifts: tuple[str, ...]


SITES = (
    Site("Manila", "Asia/Manila", ("English", "Tagalog"), ("day", "evening", "night")),
    Site("Cebu", "Asia/Manila", ("English", "Tagalog"), ("day", "night")),
    Site("Bogota", "America/Bogota", ("Spanish", "English"), ("day", "evening")),
    Site("Krakow", "Europe/Warsaw", ("Polish", "English", "German"), ("day", "evening")),
    Site("Cairo", "Africa/Cairo", ("Arabic", "English", "French"), ("day", "evening", "night")),
    Site("Austin", "America/Chicago", ("English", "Spanish"), ("day", "evening")),
)


@dataclass(frozen=True)
class Function:
    """A line of work, its share of the headcount and the skills it leans on."""

    key: str
    share: float
    role: JobRole
    senior_role: JobRole
    core: tuple[str, ...]


FUNCTIONS = (
    Function("voice", 0.34, JobRole.AGENT, JobRole.SENIOR_AGENT, (
        "Inbound customer service", "De-escalation", "Empathy", "Active listening",
        "Verbal communication", "Genesys Cloud CX", "Call flow and scripting", "Billing disputes",
        "Complaint handling", "Retention offers", "PCI DSS", "Call recording consent",
    )),
    Function("chat", 0.18, JobRole.AGENT, JobRole.SENIOR_AGENT, (
        "Live chat multi-tasking", "Written communication", "Zendesk", "Macros and canned responses",
        "Tone and etiquette", "Order management", "Refunds and returns", "Intercom",
        "Positive language", "Shipping and delivery issues", "GDPR",
    )),
    Function("email", 0.10, JobRole.AGENT, JobRole.SENIOR_AGENT, (
        "Email and ticket handling", "Written communication", "Freshdesk", "Attention to detail",
        "Knowledge base authoring", "Account management", "Subscription management", "Data protection",
    )),
    Function("back_office", 0.12, JobRole.AGENT, JobRole.SENIOR_AGENT, (
        "Back-office processing", "Claims processing", "KYC verification", "SAP",
        "Microsoft Excel", "Attention to detail", "Anti-money laundering", "Payment processing",
        "Robotic process automation (UiPath)",
    )),
    Function("qa", 0.06, JobRole.QA_ANALYST, JobRole.QA_ANALYST, (
        "Quality assurance scoring", "Call calibration", "Giving feedback", "Script adherence",
        "Speech analytics", "Root cause analysis", "Complaint regulation", "Verint",
    )),
    Function("wfm", 0.05, JobRole.WFM_ANALYST, JobRole.WFM_ANALYST, (
        "Forecasting", "Scheduling", "Erlang C", "Real-time adherence", "NICE IEX",
        "Workforce management planning", "Capacity planning", "Shrinkage analysis", "Microsoft Excel",
    )),
    Function("training", 0.05, JobRole.TRAINER, JobRole.TRAINER, (
        "Training delivery", "Instructional design", "Onboarding new hires", "Coaching",
        "Side-by-side coaching", "Product knowledge", "Knowledge base authoring", "Giving feedback",
    )),
    Function("analytics", 0.05, JobRole.DATA_ANALYST, JobRole.DATA_ANALYST, (
        "SQL", "Power BI", "Tableau", "KPI reporting", "CSAT analysis", "Dashboard design",
        "Python scripting", "Text analytics", "A/B testing", "NPS",
    )),
    Function("it", 0.05, JobRole.IT_SUPPORT, JobRole.IT_SUPPORT, (
        "Technical troubleshooting", "ServiceNow", "Password resets and account access",
        "Jira Service Management", "Amazon Connect", "IVR design", "Chatbot design",
        "ISO 27001 awareness", "Power Automate",
    )),
)  # fmt: skip

FUNCTION_NAMES = {
    "voice": "Voice", "chat": "Chat", "email": "Email", "back_office": "Back Office", "qa": "QA",
    "wfm": "WFM", "training": "Training", "analytics": "Analytics", "it": "IT",
}  # fmt: skip

LEAD_SKILLS = (
    "Coaching", "Team leadership", "Performance management", "Running huddles",
    "Giving feedback", "Motivating teams", "KPI reporting", "Conflict mediation",
)  # fmt: skip
"""What team leads and managers are strong in, whatever their function."""

GENERAL_SKILLS = (
    "Problem solving", "Time management", "Customer focus", "Microsoft Teams", "Teamwork",
    "Adaptability", "Stress management", "Prompt writing for AI assistants",
    "Generative AI for summaries", "Agent assist tools", "Microsoft Excel", "Resilience",
)  # fmt: skip

COMMUNITIES = (
    ("De-escalation dojo", "Practise calming angry callers together.", ("De-escalation", "Empathy")),
    ("AI at the desk", "Prompting, agent assist and chatbots for frontline work.",
     ("Prompt writing for AI assistants", "Agent assist tools", "Conversational AI")),
    ("Data for frontline", "SQL, Power BI and reading your own KPIs.", ("SQL", "Power BI", "KPI reporting")),
    ("Quality circle", "Calibrate how we score, share what good looks like.",
     ("Quality assurance scoring", "Call calibration")),
    ("New leads forum", "For newly promoted team leads: coaching and feedback.",
     ("Coaching", "Giving feedback", "Team leadership")),
    ("Automation guild", "RPA and Power Automate for back-office work.",
     ("Robotic process automation (UiPath)", "Power Automate")),
    ("Compliance corner", "PCI DSS, GDPR and staying on the right side of the rules.",
     ("PCI DSS", "GDPR", "Data protection")),
    ("WFM for everyone", "How forecasting and schedules are made, and why.",
     ("Forecasting", "Scheduling", "Erlang C")),
)  # fmt: skip

TEAM_SIZE = 12

PROGRAMME_DAYS = 98
"""How long the demo's mentoring programme has run: fourteen weeks, so twelve weekly health
snapshots all fall inside it."""

PROGRAMME_SHARES = (
    (MentorshipStatus.ACTIVE, 0.36), (MentorshipStatus.ENDED, 0.14),
    (MentorshipStatus.REQUESTED, 0.04), (MentorshipStatus.EXPIRED, 0.04),
    (MentorshipStatus.DECLINED, 0.03),
)  # fmt: skip
"""Of the people with goals open to being mentored, the share whose (one) mentorship has
each status; the rest never asked. A few lose theirs when no mentor with room fits."""

REQUEST_MESSAGES = (
    "Could you help me get better at {skill}?",
    "I'd love to learn {skill} from you, a session a week if you can.",
    "My lead suggested I ask you about {skill}.",
    "I'm working towards {skill}: would you mentor me?",
)
FEEDBACK_COMMENTS = (
    "Practical sessions, I use what we covered every shift.",
    "Helped me a lot with real calls.",
    "Good tips; hard to find time on our shifts.",
    "Clear explanations and lots of patience.",
    "We met less often than planned.",
)

TITLES = {
    JobRole.AGENT: "Agent", JobRole.SENIOR_AGENT: "Senior Agent", JobRole.TEAM_LEAD: "Team Lead",
    JobRole.QA_ANALYST: "QA Analyst", JobRole.TRAINER: "Trainer", JobRole.WFM_ANALYST: "WFM Analyst",
    JobRole.DATA_ANALYST: "Data Analyst", JobRole.IT_SUPPORT: "IT Support Specialist",
    JobRole.MANAGER: "Operations Manager",
}  # fmt: skip
"""The job title of each role. A senior in a function without a senior role (QA, WFM, …)
is its role's title with "Senior" before it; a senior agent's role already says so."""


def job_title(role: JobRole, *, senior: bool) -> str:
    """The title of someone in ``role``, never with "Senior" twice.

    >>> job_title(JobRole.SENIOR_AGENT, senior=True), job_title(JobRole.QA_ANALYST, senior=True)
    ('Senior Agent', 'Senior QA Analyst')
    """
    title = TITLES[role]
    return f"Senior {title}" if senior and not title.startswith("Senior ") else title


@functools.cache
def _key(name: str) -> str:
    return skill_key(name)


def _keys(names: Sequence[str]) -> list[str]:
    return [_key(n) for n in names]


def _level(rng: random.Random, tenure_months: int, core: bool) -> int:
    base = 1 + min(tenure_months, 72) / 24 + (0.8 if core else 0.0)
    return max(1, min(5, round(rng.gauss(base, 0.8))))


class _Without(Sequence[Person]):
    """``people`` without the ones at a few places, as a list comprehension would give them."""

    def __init__(self, people: list[Person], places: set[int]) -> None:
        self.people = people
        self.skipped = sorted(places)

    def __len__(self) -> int:
        return len(self.people) - len(self.skipped)

    @overload
    def __getitem__(self, index: int) -> Person: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Person]: ...
    def __getitem__(self, index: int | slice) -> Person | Sequence[Person]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self):
            raise IndexError(index)
        for place in self.skipped:  # few: the mentee, their manager, mentors at capacity
            if place > index:
                break
            index += 1
        return self.people[index]


def _function_sizes(total: int) -> list[tuple[Function, int]]:
    sizes = [(f, max(2, round(total * f.share))) for f in FUNCTIONS]
    return sizes


class _Generator:
    def __init__(self, people: int, seed: int, as_of: dt.datetime, *, programme: bool) -> None:
        self.rng = random.Random(seed)
        self.programme = programme
        self.as_of = as_of
        self.total = people
        self.taxonomy = load_taxonomy()
        self.all_keys = [s.key for s in self.taxonomy.skills]
        self.language_keys = {
            s.name: s.key for s in self.taxonomy.skills if s.category == "languages"
        }
        self.teams: list[Team] = []
        self.people: list[Person] = []
        self.counter = 0
        self.general_keys = _keys(GENERAL_SKILLS)

    def next_id(self) -> str:
        self.counter += 1
        return f"E{self.counter:06d}"

    def person(
        self, *, site: Site, function: Function, team: Team, role: JobRole, title: str,
        manager: str | None, tenure: int, extra_core: Sequence[str] = (),
    ) -> Person:  # fmt: skip
        rng = self.rng
        core = _keys([*function.core, *extra_core])
        owned: dict[str, int] = {}
        for key in rng.sample(core, k=min(len(core), rng.randint(3, 5))):
            owned[key] = _level(rng, tenure, core=True)
        wanted = rng.randint(6, 7)
        while len(owned) < wanted:
            key = rng.choice(self.general_keys if rng.random() < 0.5 else self.all_keys)
            owned.setdefault(key, _level(rng, tenure, core=False))
        languages = list(site.languages[: 1 + rng.randint(0, len(site.languages) - 1)])
        if "English" not in languages:
            languages.append("English")
        for language in languages:
            if language in self.language_keys:
                owned.setdefault(self.language_keys[language], rng.choice((4, 5)))
        goals: dict[str, int] = {}
        other = rng.choice([f for f in FUNCTIONS if f.key != function.key])
        wishes = (
            _keys(other.core) + _keys(GENERAL_SKILLS) + _keys(LEAD_SKILLS if tenure > 18 else ())
        )
        wanted = rng.randint(2, 4)
        for _ in range(50):
            if len(goals) >= wanted:
                break
            key = rng.choice(wishes)
            if owned.get(key, 0) < 3:
                goals[key] = rng.choice((1, 2, 2, 3))
        senior = role not in (JobRole.AGENT,)
        capacity = rng.choice((2, 3)) if senior and tenure > 18 else rng.choice((0, 0, 1, 1, 2))
        person_id = self.next_id()
        return Person(
            id=person_id,
            name=self.name(),
            title=title,
            role=role,
            team_id=team.id,
            function=function.key,
            site=site.name,
            shift=rng.choice(site.shifts),
            timezone=site.timezone,
            languages=tuple(languages),
            tenure_months=tenure,
            mentoring_capacity=capacity,
            open_to_mentoring=capacity > 0 and rng.random() < 0.8,
            open_to_being_mentored=rng.random() < 0.9,
            # seven in ten share their goals; a hash of the id, so the random stream (and
            # every other value of a seeded organisation) is what it was
            share_goals=zlib.crc32(person_id.encode()) % 10 < 7,
            manager_id=manager,
            skills=tuple(SkillLevel(k, v) for k, v in sorted(owned.items())),
            goals=tuple(LearningGoal(k, v) for k, v in sorted(goals.items())),
        )

    def name(self) -> str:
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        return f"{first} {last}"

    def build(self) -> Organisation:
        rng = self.rng
        per_site = [
            self.total // len(SITES) + (1 if i < self.total % len(SITES) else 0)
            for i in range(len(SITES))
        ]
        for site, site_total in zip(SITES, per_site, strict=True):
            if site_total == 0:
                continue
            manager_team = Team(
                team_id(f"{site.name} Leadership"),
                f"{site.name} leadership",
                "operations",
                site.name,
            )
            self.teams.append(manager_team)
            manager = self.person(
                site=site, function=FUNCTIONS[0], team=manager_team, role=JobRole.MANAGER,
                title=TITLES[JobRole.MANAGER], manager=None, tenure=rng.randint(48, 120), extra_core=LEAD_SKILLS,
            )  # fmt: skip
            self.people.append(manager)
            remaining = site_total - 1
            for function, size in _function_sizes(site_total - 1):
                size = min(size, remaining)
                remaining -= size
                number = 0
                while size > 0:
                    number += 1
                    name = f"{site.name} {FUNCTION_NAMES[function.key]} {number}"
                    team = Team(team_id(name), name, function.key, site.name)
                    self.teams.append(team)
                    lead = self.person(
                        site=site, function=function, team=team, role=JobRole.TEAM_LEAD,
                        title=TITLES[JobRole.TEAM_LEAD], manager=manager.id, tenure=rng.randint(24, 96),
                        extra_core=LEAD_SKILLS,
                    )  # fmt: skip
                    self.people.append(lead)
                    for _ in range(min(TEAM_SIZE, size) - 1):
                        tenure = int(rng.expovariate(1 / 20)) + 1
                        senior = tenure > 30 and rng.random() < 0.5
                        role = function.senior_role if senior else function.role
                        title = job_title(role, senior=senior)
                        self.people.append(
                            self.person(
                                site=site,
                                function=function,
                                team=team,
                                role=role,
                                title=title,
                                manager=lead.id,
                                tenure=tenure,
                            )
                        )
                    size -= min(TEAM_SIZE, size)
            if remaining > 0:
                team = self.teams[-1]
                for _ in range(remaining):
                    self.people.append(
                        self.person(
                            site=site,
                            function=FUNCTIONS[0],
                            team=team,
                            role=JobRole.AGENT,
                            title=TITLES[JobRole.AGENT],
                            manager=manager.id,
                            tenure=int(rng.expovariate(1 / 20)) + 1,
                        )
                    )
        return Organisation(
            skills=self.taxonomy.skills,
            related_skills=self.taxonomy.related,
            teams=self.teams,
            people=self.people[: self.total],
            mentorships=self.programme_mentorships() if self.programme else self.mentorships(),
            squads=self.squads(),
            communities=self.communities(),
            roles=load_role_profiles(),
            targets=self.targets(self.people[: self.total]),
            history=self.history(self.people[: self.total]),
        )

    def history(self, people: Sequence[Person]) -> list[tuple[str, LevelChange]]:
        """A plausible skill history, by a hash of the id and skill (as :meth:`targets`).

        About a third of the skills above level 1 grew by one level: imported at the lower
        level months ago, raised on the profile since. By a hash of the id and skill, as :meth:`targets`.
        """
        found: list[tuple[str, LevelChange]] = []
        day = dt.timedelta(days=1)
        for p in people:
            for s in p.skills:
                mark = zlib.crc32(f"grew:{p.id}:{s.skill}".encode())
                if s.level < 2 or mark % 3:
                    continue
                started = self.as_of - day * (60 + mark % 340)
                grew = self.as_of - day * (1 + (mark >> 8) % 58)
                found.append((p.id, LevelChange(started, s.skill, s.level - 1, "import")))
                found.append((p.id, LevelChange(grew, s.skill, s.level, "profile")))
        return found

    def targets(self, people: Sequence[Person]) -> list[tuple[str, str, dt.datetime]]:
        """Some people's target roles: a step up from where they are.

        Picked by a hash of the id, not the random stream, so every other value of a seeded
        organisation is what it was before roles existed.
        """
        step_up = {
            JobRole.AGENT: "senior agent",
            JobRole.SENIOR_AGENT: "team lead",
            JobRole.TEAM_LEAD: "operations manager",
        }
        chosen: list[tuple[str, str, dt.datetime]] = []
        for p in people:
            mark = zlib.crc32(f"target:{p.id}".encode())
            if p.role in step_up and mark % 5 == 0 and p.tenure_months > 6:
                since = self.as_of - dt.timedelta(days=20 + mark % 200)
                chosen.append((p.id, step_up[p.role], since))
        return chosen

    def mentorships(self) -> list[Mentorship]:
        rng = self.rng
        people = self.people[: self.total]
        by_skill = _teachers_by_skill(people)
        # where each mentor stands in each skill's list, and the places of mentors now at
        # capacity: a mentee's options are a view of the list without a few places, not a
        # copy of it (a copy per mentee made 300,000 people a minute's work)
        place = {skill: {m.id: i for i, m in enumerate(ms)} for skill, ms in by_skill.items()}
        full: dict[str, list[int]] = defaultdict(list)
        load: dict[str, int] = defaultdict(int)
        result: list[Mentorship] = []
        mentees = rng.sample(people, k=max(1, len(people) // 25)) if people else []
        statuses = (
            [MentorshipStatus.ACTIVE] * 5 + [MentorshipStatus.REQUESTED] * 2
            + [MentorshipStatus.ENDED] * 2 + [MentorshipStatus.DECLINED]
        )  # fmt: skip
        for mentee in mentees:  # distinct: no pair can repeat
            if not mentee.goals:
                continue
            goal = rng.choice(mentee.goals).skill
            candidates = by_skill.get(goal, [])
            places = place.get(goal, {})
            left_out = {places[i] for i in (mentee.id, mentee.manager_id) if i in places}
            status = rng.choice(statuses)
            if status is MentorshipStatus.ACTIVE:
                left_out.update(full[goal])
            options = _Without(candidates, left_out)
            if not options:
                continue
            mentor = rng.choice(options)
            if status is MentorshipStatus.ACTIVE:
                load[mentor.id] += 1
                if load[mentor.id] >= mentor.mentoring_capacity:
                    for s in mentor.skills:
                        if mentor.id in place.get(s.skill, {}):
                            bisect.insort(full[s.skill], place[s.skill][mentor.id])
            if status is MentorshipStatus.REQUESTED:
                requested = self.as_of - dt.timedelta(
                    days=rng.randint(0, 4), hours=rng.randint(0, 23)
                )
            else:
                requested = self.as_of - dt.timedelta(days=rng.randint(10, 200))
            responded = requested + dt.timedelta(days=rng.randint(0, 5))
            ended = responded + dt.timedelta(days=rng.randint(20, 90))
            result.append(
                Mentorship(
                    id=f"mnt-seed-{len(result) + 1:05d}",
                    mentor_id=mentor.id,
                    mentee_id=mentee.id,
                    status=status,
                    focus_skills=(goal,),
                    message="Seeded request.",
                    requested_at=requested,
                    responded_at=None if status is MentorshipStatus.REQUESTED else responded,
                    ended_at=ended if status is MentorshipStatus.ENDED else None,
                    expires_at=requested + dt.timedelta(days=7)
                    if status is MentorshipStatus.REQUESTED
                    else None,
                    feedback=Feedback(rng.randint(3, 5), "Helpful sessions.")
                    if status is MentorshipStatus.ENDED
                    else None,
                )
            )
        return result

    def programme_mentorships(self) -> list[Mentorship]:
        """Mentorships of a programme :data:`PROGRAMME_DAYS` old, in :data:`PROGRAMME_SHARES`.

        One per mentee, with a mentor holding one of their goals at level 4 or more who is
        open to mentoring, is not their manager, and (while active) has room.
        """
        rng = self.rng
        people = self.people[: self.total]
        by_skill = _teachers_by_skill(people)
        load: dict[str, int] = defaultdict(int)
        learners = [p for p in people if p.goals and p.open_to_being_mentored]
        order = rng.sample(learners, k=len(learners))
        plan: list[MentorshipStatus] = []
        for status, share in PROGRAMME_SHARES:
            plan += [status] * round(share * len(order))
        names = {s.key: s.name for s in self.taxonomy.skills}
        day = dt.timedelta(days=1)
        result: list[Mentorship] = []
        for mentee, status in zip(order, plan, strict=False):
            chosen: tuple[str, Person] | None = None
            for goal in rng.sample([g.skill for g in mentee.goals], k=len(mentee.goals)):
                candidates = by_skill.get(goal, [])
                for _ in range(min(len(candidates), 30)):  # draws, not a scan: 100,000 people
                    mentor = rng.choice(candidates)
                    if mentor.id in (mentee.id, mentee.manager_id):
                        continue
                    full = load[mentor.id] >= mentor.mentoring_capacity
                    if status is MentorshipStatus.ACTIVE and full:
                        continue
                    chosen = (goal, mentor)
                    break
                if chosen is not None:
                    break
            if chosen is None:
                continue
            goal, mentor = chosen
            if status is MentorshipStatus.ACTIVE:
                load[mentor.id] += 1
            hours = dt.timedelta(hours=rng.randint(8, 20))
            if status is MentorshipStatus.REQUESTED:
                requested = self.as_of - day * rng.randint(1, 5) + hours
            elif status is MentorshipStatus.ENDED:
                requested = self.as_of - day * rng.randint(50, PROGRAMME_DAYS - 1) + hours
            elif status is MentorshipStatus.ACTIVE:
                requested = self.as_of - day * rng.randint(4, PROGRAMME_DAYS - 1) + hours
            else:  # declined, or expired: a week unanswered, over before today
                requested = self.as_of - day * rng.randint(9, PROGRAMME_DAYS - 1) + hours
            responded = requested + day * rng.randint(0, 3)
            answered = status in (
                MentorshipStatus.ACTIVE, MentorshipStatus.ENDED, MentorshipStatus.DECLINED
            )  # fmt: skip
            ended = responded + day * rng.randint(21, 42)
            result.append(
                Mentorship(
                    id=f"mnt-seed-{len(result) + 1:05d}",
                    mentor_id=mentor.id,
                    mentee_id=mentee.id,
                    status=status,
                    focus_skills=(goal,),
                    message=rng.choice(REQUEST_MESSAGES).format(skill=names.get(goal, goal)),
                    requested_at=requested,
                    responded_at=responded if answered else None,
                    ended_at=ended if status is MentorshipStatus.ENDED else None,
                    expires_at=requested + day * 7
                    if status in (MentorshipStatus.REQUESTED, MentorshipStatus.EXPIRED)
                    else None,
                    feedback=Feedback(
                        rng.choice((5, 5, 4, 4, 4, 3, 2)), rng.choice(FEEDBACK_COMMENTS), mentee.id
                    )
                    if status is MentorshipStatus.ENDED
                    else None,
                )
            )
        return result

    def squads(self) -> list[Squad]:
        if self.programme:
            return self.programme_squads()
        rng = self.rng
        people = self.people[: self.total]
        by_site: dict[str, list[Person]] = defaultdict(list)
        for p in people:
            by_site[p.site].append(p)
        squads: list[Squad] = []
        for site, members in sorted(by_site.items()):
            for n in range(max(1, len(members) // 150)):
                if len(members) < 4:
                    break
                group = rng.sample(members, k=min(len(members), rng.randint(4, 6)))
                focus = rng.choice(COMMUNITIES)[2]
                squads.append(
                    Squad(
                        id=f"sqd-seed-{len(squads) + 1:04d}",
                        name=f"{site} squad {n + 1}",
                        purpose=f"Cross-functional learning on {', '.join(focus)}.",
                        status=SquadStatus.ACTIVE if rng.random() < 0.85 else SquadStatus.ARCHIVED,
                        focus_skills=tuple(_keys(focus)),
                        members=tuple(
                            SquadMember(p.id, SquadRole.LEAD if i == 0 else SquadRole.MEMBER)
                            for i, p in enumerate(group)
                        ),
                        created_at=self.as_of - dt.timedelta(days=rng.randint(1, 120)),
                    )
                )
        return squads

    def programme_squads(self) -> list[Squad]:
        """About one squad for twenty people, formed during the programme around a topic.

        Members are drawn from the site's people who want one of the focus skills, with one
        who holds one at level 4 or more to lead, so a squad covers some of its members' goals.
        """
        rng = self.rng
        by_site: dict[str, list[Person]] = defaultdict(list)
        for p in self.people[: self.total]:
            by_site[p.site].append(p)
        squads: list[Squad] = []
        for site, members in sorted(by_site.items()):
            if len(members) < 4:
                continue
            wanting: dict[str, list[Person]] = defaultdict(list)
            teaching: dict[str, list[Person]] = defaultdict(list)
            for p in members:
                for g in p.goals:
                    wanting[g.skill].append(p)
                for s in p.skills:
                    if s.level >= 4:
                        teaching[s.skill].append(p)
            for n in range(max(1, len(members) // 20)):
                _, _, topics = rng.choice(COMMUNITIES)
                focus = sorted(set(_keys(topics)))
                size = rng.randint(4, 6)
                group: dict[str, Person] = {}
                leads = [p for k in focus for p in teaching[k]]
                if leads:
                    lead = rng.choice(leads)
                    group[lead.id] = lead
                learners = [p for k in focus for p in wanting[k]]
                for _ in range(min(len(learners), 3 * size)):  # draws, not a scan
                    if len(group) >= size:
                        break
                    p = rng.choice(learners)
                    group.setdefault(p.id, p)
                while len(group) < size:
                    p = rng.choice(members)
                    group.setdefault(p.id, p)
                squads.append(
                    Squad(
                        id=f"sqd-seed-{len(squads) + 1:04d}",
                        name=f"{site} squad {n + 1}",
                        purpose=f"Cross-functional learning on {', '.join(topics)}.",
                        status=SquadStatus.ACTIVE if rng.random() < 0.9 else SquadStatus.ARCHIVED,
                        focus_skills=tuple(focus),
                        members=tuple(
                            SquadMember(p.id, SquadRole.LEAD if i == 0 else SquadRole.MEMBER)
                            for i, p in enumerate(group.values())
                        ),
                        created_at=self.as_of
                        - dt.timedelta(
                            days=rng.randint(1, PROGRAMME_DAYS - 1), hours=rng.randint(0, 23)
                        ),
                    )
                )
        return squads

    def communities(self) -> list[Community]:
        rng = self.rng
        people = self.people[: self.total]
        if not people:
            return []
        result = []
        # what draws each person to a topic: their goals and their strong skills
        drawn_by = [
            {g.skill for g in p.goals} | {s.skill for s in p.skills if s.level >= 4} for p in people
        ]
        for i, (name, description, topics) in enumerate(COMMUNITIES):
            keys = set(_keys(topics))
            interested = [p for p, drawn in zip(people, drawn_by, strict=True) if keys & drawn]
            share = len(people) // 40 if not self.programme else round(len(interested) * 0.6)
            members = rng.sample(interested, k=min(len(interested), max(2, share)))
            if not members:
                continue
            moderators = [members[0].id]
            result.append(
                Community(
                    id=f"cop-seed-{i + 1:02d}",
                    name=name,
                    description=description,
                    topic_skills=tuple(sorted(keys)),
                    member_ids=tuple(sorted(p.id for p in members)),
                    moderator_ids=tuple(moderators),
                    created_at=self.as_of - dt.timedelta(days=rng.randint(30, 365))
                    if not self.programme or i % 3
                    else self.as_of - dt.timedelta(days=rng.randint(7, PROGRAMME_DAYS)),
                )
            )
        return result


def generate_organisation(
    *, people: int, seed: int = 7, as_of: dt.date | None = None, programme: bool = False
) -> Organisation:
    """A synthetic BPO of ``people`` people; the same arguments give the same organisation.

    Timestamps (requests, squads, communities) are placed before ``as_of``,
    midnight UTC of that day, by default today: so demo data always has
    fresh pending requests, and the same arguments on the same day give the
    same graph. ``programme``: a mentoring programme :data:`PROGRAMME_DAYS` old, as the
    demo shows (see the module's docstring); the people are the same.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    day = as_of or dt.datetime.now(dt.UTC).date()
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return _Generator(people, seed, midnight, programme=programme).build()


def organisation_on(org: Organisation, when: dt.datetime) -> Organisation:
    """``org`` as its own dates say it stood at ``when``: for the demo's back-dated history.

    A mentorship requested later is left out; one answered later was a request then, one
    ended later was active (without its feedback), a request that expired later was still
    pending. A squad or community created later is left out (members join a seeded group when
    it is created). What carries no date is taken as it is now: people, their skills and
    goals, and a squad's archived status.

    A request pending at ``when`` keeps no ``expires_at``: the read model reads a request
    past its expiry *by the clock* as expired, and at ``when`` it had not expired yet.
    """
    R = MentorshipStatus
    mentorships = []
    for m in org.mentorships:
        if m.requested_at is None or m.requested_at > when:
            continue
        answered = m.responded_at is not None and m.responded_at <= when
        if m.status is R.EXPIRED and m.expires_at is not None and m.expires_at <= when:
            then = m
        elif m.status in (R.REQUESTED, R.EXPIRED) or not answered:
            then = dataclasses.replace(
                m, status=R.REQUESTED, responded_at=None, ended_at=None, feedback=None
            )
        elif m.status is R.ENDED and (m.ended_at is None or m.ended_at > when):
            then = dataclasses.replace(m, status=R.ACTIVE, ended_at=None, feedback=None)
        else:
            then = m
        if then.status is R.REQUESTED:
            then = dataclasses.replace(then, expires_at=None)
        mentorships.append(then)

    def existed(created: dt.datetime | None) -> bool:
        return created is None or created <= when

    return dataclasses.replace(
        org,
        mentorships=mentorships,
        squads=[q for q in org.squads if existed(q.created_at)],
        communities=[c for c in org.communities if existed(c.created_at)],
    )


FIRST_NAMES = (
    "Maria", "Jose", "Ana", "Juan", "Angelica", "Mark", "Kristine", "Paolo", "Camila", "Santiago",
    "Valentina", "Mateo", "Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Nour", "Omar", "Mariam",
    "Youssef", "Emily", "Michael", "Jessica", "Daniel", "Ashley", "Carlos", "Sofia", "Luis",
    "Fatima", "Ahmed", "Grace", "Rafael", "Isabel", "Hana", "Marta", "Kevin", "Aisha", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Torres", "Rodriguez", "Gomez",
    "Lopez", "Martinez", "Nowak", "Kowalski", "Wisniewska", "Wojcik", "Hassan", "Ibrahim",
    "Mahmoud", "Ali", "Smith", "Johnson", "Williams", "Brown", "Davis", "Miller", "Ramos",
    "Flores", "Castillo", "Morales", "Kaminski", "Lewandowski", "Salem", "Farouk", "Tan", "Lim",
)  # fmt: skip


def _teachers_by_skill(people: Sequence[Person]) -> dict[str, list[Person]]:
    """The people open to mentoring who hold each skill at level 4 or more, in ``people`` order."""
    by_skill: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        if p.open_to_mentoring:
            for s in p.skills:
                if s.level >= 4:
                    by_skill[s.skill].append(p)
    return by_skill
