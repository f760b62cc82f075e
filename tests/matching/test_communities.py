"""Community recommendations and emerging communities on hand-made graphs."""

from __future__ import annotations

from matching.communities import emerging_communities, recommend_communities
from matching.data import GraphData, GroupData, MentorshipData, PersonData
from matching.projection import Projection


def org() -> Projection:
    return Projection.build(
        GraphData(
            version=1,
            skills={k: {"name": k} for k in ("sql", "empathy", "wfm", "qa")},
            teams={"t": {"name": "T"}},
            people=[
                PersonData(
                    "me",
                    {},
                    team="t",
                    skills={"empathy": 4},
                    goals={"sql": 1, "qa": 3},
                    communities=("joined",),
                ),
                PersonData("mate", {}, team="t", communities=("sql-guild",)),
                PersonData("a", {}, squads={"q": "member"}),
                PersonData("b", {}, squads={"q": "member"}),
                PersonData("c", {}, squads={"q": "member"}),
                PersonData("d", {}, squads={"q": "member"}),
                PersonData("x", {}, communities=("cx",)),
                PersonData("y", {}, communities=("cx",)),
                PersonData("z", {}, communities=("cx",)),
            ],
            mentorships=[MentorshipData("m", "a", "b", "active", ("sql",))],
            squads=[GroupData("q", {"name": "Q", "status": "active"}, ("wfm",))],
            communities=[
                GroupData("joined", {"name": "Joined"}, ("sql",)),
                GroupData("sql-guild", {"name": "SQL guild"}, ("sql",)),
                GroupData("qa-circle", {"name": "QA"}, ("qa",)),
                GroupData("cx", {"name": "CX"}, ("empathy",)),
                GroupData("wfm", {"name": "WFM"}, ("wfm",)),
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
