"""The projection, built from plain records and updated in place."""

from __future__ import annotations

from matching.data import GraphData, GroupData, MentorshipData, PersonData
from matching.projection import Projection, person, skill


def data() -> GraphData:
    return GraphData(
        version=3,
        skills={"sql": {"name": "SQL"}, "empathy": {"name": "Empathy"}},
        related=[("sql", "empathy")],
        teams={"t1": {"name": "Voice 1"}},
        people=[
            PersonData(
                "a",
                {"name": "Ana"},
                team="t1",
                manager="b",
                skills={"empathy": 4},
                goals={"sql": 1},
                squads={"q1": "learner"},
            ),
            PersonData(
                "b",
                {"name": "Ben"},
                team="t1",
                skills={"sql": 5},
                communities=("c1",),
                moderates=("c1",),
            ),
        ],
        mentorships=[MentorshipData("m1", "b", "a", "active", ("sql",))],
        squads=[GroupData("q1", {"name": "Squad", "status": "active"}, ("sql",))],
        communities=[GroupData("c1", {"name": "Guild"}, ("empathy",))],
    )


def test_build_holds_people_skills_and_ties() -> None:
    p = Projection.build(data())
    assert p.version == 3 and p.people() == ["a", "b"]
    assert p.skills_of("a") == {"empathy": 4} and p.goals_of("a") == {"sql": 1}
    g = p.graph
    assert g.edges[person("b"), person("a"), "m1"]["status"] == "active"
    assert g.edges[person("a"), ("squad", "q1"), "in_squad"]["role"] == "learner"
    assert g.has_edge(person("b"), ("community", "c1"), "moderates")
    assert g.has_edge(person("a"), person("b"), "reports_to")
    assert g.has_edge(skill("sql"), skill("empathy"), "related")


def test_replacing_a_person_keeps_what_others_hold_towards_them() -> None:
    p = Projection.build(data())
    fresh = GraphData(
        version=4,
        people=[PersonData("b", {"name": "Ben B."}, team="t1", skills={"sql": 4})],
        mentorships=[MentorshipData("m1", "b", "a", "ended", ("sql",))],
    )
    p.replace(fresh, people=["b"])
    g = p.graph
    assert p.version == 4 and g.nodes[person("b")]["name"] == "Ben B."
    assert p.skills_of("b") == {"sql": 4}
    assert not g.has_edge(person("b"), ("community", "c1"))  # b left the community
    assert g.has_edge(person("a"), person("b"), "reports_to")  # a still reports to b
    assert g.edges[person("b"), person("a"), "m1"]["status"] == "ended"
    assert g.has_edge(person("a"), ("squad", "q1"), "in_squad")


def test_same_data_same_signature() -> None:
    assert Projection.build(data()).signature() == Projection.build(data()).signature()
    other = data()
    other.people[0] = PersonData(
        "a", {"name": "Ana"}, team="t1", manager="b", skills={"empathy": 5}, goals={"sql": 1}
    )
    assert Projection.build(other).signature() != Projection.build(data()).signature()
