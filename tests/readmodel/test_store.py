"""The read model: records by id, changes applied in place, and views kept in step."""

from __future__ import annotations

import pytest

from graph.records import (
    GraphData,
    GroupRecord,
    MentorshipRecord,
    SkillRecord,
    TeamRecord,
)
from graph.records import read_person as person
from readmodel import directory
from readmodel.matching import MENTOR_INDEX, POPULATION, PROFILES
from readmodel.store import ReadModel
from readmodel.views import REGISTERED


def data() -> GraphData:
    return GraphData(
        version=3,
        skills={"sql": SkillRecord("sql", "SQL"), "empathy": SkillRecord("empathy", "Empathy")},
        related=[("sql", "empathy")],
        teams={"t1": TeamRecord("t1", "Voice 1")},
        people=[
            person(
                "a",
                {"name": "Ana", "site": "Cebu"},
                team="t1",
                manager="b",
                skills={"empathy": 4},
                goals={"sql": 1},
                squads={"q1": "learner"},
            ),
            person(
                "b",
                {
                    "name": "Ben",
                    "site": "Manila",
                    "mentoring_capacity": 2,
                    "open_to_mentoring": True,
                },
                team="t1",
                skills={"sql": 5},
                communities=("c1",),
                moderates=("c1",),
            ),
        ],
        mentorships=[MentorshipRecord("m1", "b", "a", "active", ("sql",))],
        squads=[GroupRecord("squad", "q1", name="Squad", status="active", skills=("sql",))],
        communities=[GroupRecord("community", "c1", name="Guild", skills=("empathy",))],
    )


def every_view(model: ReadModel) -> None:
    for spec in REGISTERED:
        model.view(spec)
    directory.page_of_people(model, directory.PeopleFilter(site="Cebu"), first=10, after=None)


def test_build_holds_records_and_their_indexes() -> None:
    m = ReadModel.build(data())
    assert m.version == 3 and sorted(m.people) == ["a", "b"]
    assert m.people["a"].skills == {"empathy": 4} and m.people["a"].goals == {"sql": 1}
    assert [x.id for x in m.mentorships_of("a")] == ["m1"] == [x.id for x in m.mentorships_of("b")]
    assert m.members("squad", "q1") == {"a"} and m.moderators("c1") == {"b"}
    assert m.team_members("t1") == {"a", "b"}
    assert m.related == {"sql": frozenset({"empathy"}), "empathy": frozenset({"sql"})}


def test_a_missing_property_reads_as_the_models_default_everywhere() -> None:
    """An HRIS file without an ``open_to_being_mentored`` column writes none: the person
    is open to being mentored in the directory, the profile and the matcher alike."""
    m = ReadModel.build(data())
    assert m.people["a"].open_to_being_mentored is True
    record = directory.person_record(m, "a")
    assert record is not None and record.open_to_being_mentored is True
    assert m.profiles["a"].open_to_being_mentored is True


def test_replacing_a_person_keeps_what_others_hold_towards_them() -> None:
    m = ReadModel.build(data())
    every_view(m)
    fresh = GraphData(
        version=4,
        people=[person("b", {"name": "Ben B.", "site": "Cebu"}, team="t1", skills={"sql": 4})],
        mentorships=[MentorshipRecord("m1", "b", "a", "ended", ("sql",))],
    )
    changes = m.apply(fresh, people=["b"])
    assert m.version == 4 and m.people["b"].name == "Ben B."
    assert m.people["a"].manager == "b"  # a still reports to b
    assert m.mentorships["m1"].status == "ended"
    assert m.members("community", "c1") == set() and m.moderators("c1") == set()
    # the change names the people of the mentorship and the community b left
    assert changes.people == {"a", "b"} and changes.communities == {"c1"}
    assert changes.before["b"] is not None and changes.before["b"].name == "Ben"
    assert m.profiles["b"].load == 0 and not m.profiles["a"].mentored
    assert directory.page_of_people(m, directory.PeopleFilter(site="Cebu"), first=10, after=None)[
        0
    ] == [("Ana", "a"), ("Ben B.", "b")]


def test_every_view_kept_in_step_equals_one_built_afresh() -> None:
    m = ReadModel.build(data())
    every_view(m)
    after = data()
    after.version = 5
    after.people[0] = person(
        "a", {"name": "Ana", "site": "Cebu"}, team="t1", manager="b", skills={"empathy": 5},
        goals={"sql": 1}, communities=("c1",),
    )  # fmt: skip
    after.mentorships.append(MentorshipRecord("m2", "b", "a", "requested", ("sql",)))
    m.apply(
        GraphData(version=5, people=[after.people[0]], mentorships=after.mentorships),
        people=["a"],
    )
    fresh = ReadModel.build(after)
    assert len(m.built_views()) >= len(REGISTERED) + 1
    assert m.differences(fresh) == []
    assert m.profiles["b"].load == 2 and m.population.partners_of("a") == {"b"}


def test_differences_name_a_view_that_did_not_follow() -> None:
    m = ReadModel.build(data())
    m.view(PROFILES)
    m.view(MENTOR_INDEX)
    m.view(POPULATION)
    other = data()
    other.people[1] = person("b", {"name": "Ben"}, team="t1", skills={"sql": 3})
    fresh = ReadModel.build(other)
    found = m.differences(fresh)
    assert "people" in found and "view 'profiles'" in found and "view 'mentor index'" in found


@pytest.mark.parametrize("status", ["requested", "active"])
def test_open_mentorships_hold_capacity(status: str) -> None:
    d = data()
    d.mentorships = [MentorshipRecord("m1", "b", "a", status, ("sql",))]
    m = ReadModel.build(d)
    assert m.profiles["b"].load == 1 and m.profiles["b"].spare == 1
    assert m.profiles["a"].mentored
