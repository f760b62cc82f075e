"""Notifications benchmark: events written with their causes, and live delivery to 500 sockets.

    python benchmarks/notifications.py                      # 2,000 people, 500 sockets
    python benchmarks/notifications.py --clients 100 --trials 30   # smoke run

Seeds a fresh embedded store (or Neo4j, ``--store neo4j``) and serves it with uvicorn in its
own process (``benchmarks/_service.py``), then, in one run:

* **events written per second with their causes**: mentorship requests written straight
  to the store (``graph.mentorships.request_mentorship``, each emitting its event in its
  own transaction), one after another, against the same number of profile edits (one
  write, no event) as the baseline of a write without an outbox event.
* **subscription latency**: ``--clients`` graphql-transport-ws sockets, each signed in as
  another person (mentors with room first) and subscribed to ``notifications``; then
  ``--trials`` times, a mentee asks one of the subscribed mentors through the API
  (``requestMentorship``) and the time is taken from sending the mutation to the mentor's
  socket receiving the event. Reported: p50 and p95, and the mutation's own time alone for
  comparison. Target: p95 <= 100 ms with 500 sockets open, on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from api.auth import Role  # noqa: E402
from benchmarks._service import STORES, Connection, percentile, running_service  # noqa: E402
from graph import mentorships, people  # noqa: E402
from graph.errors import StoreError  # noqa: E402
from graph.model import Person  # noqa: E402

SUBSCRIBE = "subscription { notifications { kind sequence mentorshipId } }"
REQUEST = """mutation($mentor: ID!, $skills: [String!]!) {
  requestMentorship(mentorId: $mentor, focusSkills: $skills) { id } }"""


async def open_socket(url: str, token: str) -> ClientConnection:
    """A signed-in graphql-transport-ws socket subscribed to the person's notifications."""
    socket = await connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        open_timeout=30,
        max_queue=None,
    )
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    ack = json.loads(await socket.recv())
    if ack["type"] != "connection_ack":
        raise RuntimeError(f"the socket was not signed in: {ack}")
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return socket


def teachable(mentor: Person, mentee: Person) -> list[str]:
    """Skills the mentor holds at 4 or more that the mentee does not hold as well."""
    held = {s.skill: s.level for s in mentee.skills}
    return [s.skill for s in mentor.skills if s.level >= 4 and held.get(s.skill, 0) < s.level]


async def events_per_second(service: object, writes: int) -> dict[str, float]:
    """Requests (one event each) and plain profile edits (none) written one after another."""
    store = service.store  # type: ignore[attr-defined]
    org = service.org  # type: ignore[attr-defined]
    mentors = [p for p in org.people if p.open_to_mentoring and p.mentoring_capacity > 0]
    pairs = []
    for mentee in org.people:
        for mentor in mentors:
            skills = teachable(mentor, mentee)
            if skills and mentor.id != mentee.id and mentor.manager_id != mentee.id:
                pairs.append((mentee.id, mentor.id, skills[:1]))
                break
        if len(pairs) >= writes:
            break
    started = time.perf_counter()
    done = 0
    for mentee_id, mentor_id, skills in pairs:
        try:
            await store.write(
                mentorships.request_mentorship,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                focus_skills=skills,
            )
            done += 1
        except StoreError:
            pass  # a full mentor or a rule of the matcher: not a write with an event
    with_events = time.perf_counter() - started
    started = time.perf_counter()
    for p in org.people[: len(pairs)]:
        await store.write(people.set_skill, p.id, "empathy", 1 + (len(p.id) % 5))
    plain = time.perf_counter() - started
    return {
        "requests written": done,
        "requests per second (each with its event)": done / with_events if with_events else 0.0,
        "profile edits per second (no event)": len(pairs) / plain if plain else 0.0,
    }


async def latency(service: object, clients: int, trials: int, seed: int) -> dict[str, float]:
    """Send-to-receive times of a request's event at its mentor, with ``clients`` sockets open."""
    org = service.org  # type: ignore[attr-defined]
    tokens = service.tokens  # type: ignore[attr-defined]
    url = service.url  # type: ignore[attr-defined]
    rng = random.Random(seed)
    mentors = [p for p in org.people if p.open_to_mentoring and p.mentoring_capacity > 0]
    others = [p for p in org.people if not (p.open_to_mentoring and p.mentoring_capacity > 0)]
    watched = (mentors + others)[:clients]
    sockets: dict[str, ClientConnection] = {}
    opened = time.perf_counter()
    for batch in range(0, len(watched), 50):
        chunk = watched[batch : batch + 50]
        found = await asyncio.gather(
            *(open_socket(url, tokens.mint(p.id, Role.AGENT)) for p in chunk)
        )
        sockets.update({p.id: s for p, s in zip(chunk, found, strict=True)})
    print(f"{len(sockets)} sockets open in {time.perf_counter() - opened:.1f} s", flush=True)
    await asyncio.sleep(1.0)  # every subscription has joined the feed
    took: list[float] = []
    mutation: list[float] = []
    mentees = [p for p in org.people if p.id not in sockets or p not in mentors]
    rng.shuffle(mentees)
    tried = 0
    for mentee in mentees:
        if len(took) >= trials or tried > trials * 20:
            break
        options = [
            m for m in mentors if m.id in sockets and teachable(m, mentee) and m.id != mentee.id
        ]
        if not options:
            continue
        mentor = rng.choice(options)
        tried += 1
        socket = sockets[mentor.id]
        body = json.dumps(
            {
                "query": REQUEST,
                "variables": {"mentor": mentor.id, "skills": teachable(mentor, mentee)[:1]},
            }
        ).encode()
        async with Connection(url, tokens.mint(mentee.id, Role.AGENT)) as http:
            sent = time.perf_counter()
            status, answer = await http.post(body)
            answered = time.perf_counter()
        if status != 200 or b'"errors"' in answer:
            continue  # the mentor is full, or a rule refuses the pair: no event
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            if message.get("type") == "next":
                break
        took.append(1000 * (time.perf_counter() - sent))
        mutation.append(1000 * (answered - sent))
    for socket in sockets.values():
        await socket.close()
    return {
        "sockets": len(sockets),
        "trials": len(took),
        "latency p50 ms": statistics.median(took) if took else float("nan"),
        "latency p95 ms": percentile(took, 0.95) if took else float("nan"),
        "mutation alone p50 ms": statistics.median(mutation) if mutation else float("nan"),
        "mutation alone p95 ms": percentile(mutation, 0.95) if mutation else float("nan"),
    }


async def main() -> None:
    """Seed, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--store", choices=STORES, default="embedded")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    async with running_service(args.people, store=args.store) as service:
        live = await latency(service, args.clients, args.trials, args.seed)
        written = await events_per_second(service, args.writes)
    print(f"\nnotifications benchmark, {args.people:,} people, {args.store} store")
    for name, value in {**live, **written}.items():
        print(
            f"  {name:45s} {value:10.1f}"
            if isinstance(value, float)
            else f"  {name:45s} {value:10d}"
        )


if __name__ == "__main__":
    asyncio.run(main())
