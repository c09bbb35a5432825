"""The sandbox's seeded ids are the same on every Python: the README shows them."""

from __future__ import annotations

import random

from exportctl.sandbox.registry import Registry, hex_digits


def test_a_seeded_registry_makes_the_ids_it_always_made() -> None:
    registry = Registry(seed=7)
    assert registry.hex(32) == "a4c123b1612dd272d1371c17149d4395"
    assert registry.uuid() == "36b3216f-daee-4975-a29f-ae923d5a4fd1"
    assert registry.hex(5) == "2aabf"
    # And leaves the generator where it always did, for the ids drawn after.
    assert registry.rng.random() == 0.5798952042824922


def test_digits_take_as_many_draws_as_they_need_and_no_more() -> None:
    for seed in range(20):
        ours, theirs = random.Random(seed), random.Random(seed)
        digits = hex_digits(ours, 40)
        assert len(digits) == 40 and set(digits) <= set("0123456789abcdef")
        accepted = 0
        while accepted < 40:
            accepted += theirs.getrandbits(5) < 16
        assert ours.getstate() == theirs.getstate()
