"""Community recommendations and emerging communities on hand-made graphs."""

from __future__ import annotations

from graph.records import (
    GraphData,
    MentorshipRecord,
    SkillRecord,
    TeamRecord,
    read_group,
    read_person,
)
from matching.communities import emerging_communities, recommend_communities
from readmodel.store import ReadModel


def org() -> ReadModel:
    return ReadModel.build(
        GraphData(
            version=1,
            skills={k: SkillRecord(k, k) for k in ("sql", "empathy", "wfm", "qa")},
            teams={"t": TeamRecord("t", "T")},
            people=[
                read_person(
                    "me",
                    {},
                    team="t",
                    skills={"empathy": 4},
                    goals={"sql": 1, "qa": 3},
                    communities=("joined",),
                ),
                read_person("mate", {}, team="t", communities=("sql-guild",)),
                read_person("a", {}, squads={"q": "member"}),
                read_person("b", {}, squads={"q": "member"}),
                read_person("c", {}, squads={"q": "member"}),
                read_person("d", {}, squads={"q": "member"}),
                read_person("x", {}, communities=("cx",)),
                read_person("y", {}, communities=("cx",)),
                read_person("z", {}, communities=("cx",)),
            ],
            mentorships=[MentorshipRecord("m", "a", "b", "active", ("sql",))],
            squads=[read_group("squad", "q", {"name": "Q", "status": "active"}, ("wfm",))],
            communities=[
                read_group("community", "joined", {"name": "Joined"}, ("sql",)),
                read_group("community", "sql-guild", {"name": "SQL guild"}, ("sql",)),
                read_group("community", "qa-circle", {"name": "QA"}, ("qa",)),
                read_group("community", "cx", {"name": "CX"}, ("empathy",)),
                read_group("community", "wfm", {"name": "WFM"}, ("wfm",)),
            ],
        )
    )


def test_recommendations_rank_by_goals_skills_and_friends() -> None:
    found = recommend_communities(org(), "me", first=10)
    assert [c.community for c in found] == ["sql-guild", "cx", "qa-circle"]
    guild, cx, qa = found
    assert guild.learn == ("sql",) and guild.known == ("mate",)
    assert cx.share == ("empathy",) and cx.learn == ()
    assert qa.learn == ("qa",)
    assert "joined" not in {c.community for c in found}, "already a member"
    assert "wfm" not in {c.community for c in found}, "no reason to join"


def test_emerging_communities_are_the_unnamed_clusters() -> None:
    found = emerging_communities(org(), min_size=3)
    assert [c.members for c in found] == [("a", "b", "c", "d")]
    assert found[0].overlap == 0.0
    # The CX community's members form a cluster too, but it already has a name.
    assert all(set(c.members) != {"x", "y", "z"} for c in found)
    assert emerging_communities(org(), min_size=5) == []
