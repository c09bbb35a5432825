"""The services the sandbox emulates: each one's record (``WORLD``, see ``service.py``),
declared by its API module over its world module. The one place that lists them;
every shared module reads them from here.

The order is the seeded ids' own. Every world draws its ids from one random
generator, the scenario's, so a world's place decides the ids of all those after
it: ``ROUNDS`` is the order the scenario populates them in (a round's worlds region
by region, together), and ``GROWN_LAST`` the order of the generated jobs added after
all of them (see ``Bulk``). tests/sandbox/test_sandbox_ids.py pins the ids; a new
service goes in a round of its own at the end of ``ROUNDS``, and last in
``GROWN_LAST`` if it grows there, so that no existing id changes.
"""

from __future__ import annotations

from exportctl.sandbox import (
    backupsearchapi,
    discoveryapi,
    dynamodbapi,
    ec2api,
    logsapi,
    personalizeapi,
    pinpointapi,
    rdsapi,
)
from exportctl.sandbox.service import ServiceWorld

ROUNDS: tuple[tuple[ServiceWorld, ...], ...] = (
    (backupsearchapi.WORLD, pinpointapi.WORLD, personalizeapi.WORLD),
    # Home-only worlds go in a round of their own: they have one region, not the world's.
    (discoveryapi.WORLD,),
    (ec2api.WORLD,),
    (rdsapi.WORLD,),
    (dynamodbapi.WORLD, logsapi.WORLD),
)
GROWN_LAST: tuple[ServiceWorld, ...] = (logsapi.WORLD, rdsapi.WORLD, ec2api.WORLD)

WORLDS: tuple[ServiceWorld, ...] = tuple(world for round_ in ROUNDS for world in round_)
BY_NAME: dict[str, ServiceWorld] = {world.name: world for world in WORLDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
