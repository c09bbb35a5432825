"""The sandbox's home region, in a module of its own: a Tab press with --sandbox reads
it (the region `list` leaves out of references) without the scenario's modules."""

from __future__ import annotations

# The region its seeded jobs are in, and the one a command with --sandbox and no
# profile naming a region uses.
HOME_REGION = "us-east-1"
