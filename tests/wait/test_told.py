"""The problems a wait or a watch tells while they last: each once, whatever its counts,
and one per account, ARN or region it names."""

from __future__ import annotations

from exportctl.ops.polling.events import Told, gist


def test_counts_aside_a_problem_is_the_same_problem() -> None:
    assert gist("throttled (tried 3 times over 4.5 s)") == gist(
        "throttled (tried 9 times over 20 s)"
    )


def test_two_accounts_or_regions_problems_are_two_problems() -> None:
    said = [
        f"account {account}: AWS Application Discovery: no home region (tried 3 times)"
        for account in ("210987654321", "345678901234", "900000000001")
    ]
    # Every run of digits was a count: the accounts' three lines were told as one.
    assert len({gist(m) for m in said}) == 3
    assert gist(said[0]).startswith("account 210987654321: ")
    regions = [f"region {r}: the region is not enabled" for r in ("ap-east-1", "me-south-1")]
    assert len({gist(m) for m in regions}) == 2
    arns = [f"cannot assume arn:aws:iam::{a}:role/R (2 tries)" for a in ("1" * 12, "2" * 12)]
    assert len({gist(m) for m in arns}) == 2


def test_each_account_is_told() -> None:
    told = Told()
    said = [f"account {a}: no home region" for a in ("210987654321", "345678901234")]
    assert told.update(said) == said
    assert told.update(said) == []


def _denied(*regions: str) -> object:
    """A listing's error of one account, said once for the regions it happened in."""
    from exportctl.domain.errors import ExitCode, Place, ServiceUnavailableError

    place = Place("account 444455556666", regions, "AWS Application Discovery: access denied")
    error = ServiceUnavailableError(place.text(regions), service="discovery",
                                    exit_code=ExitCode.CREDENTIALS)  # fmt: skip
    error.place = place
    return error


def test_a_problem_of_several_regions_is_one_problem_whatever_its_regions() -> None:
    told = Told()
    regions = [f"r{n}-east-1" for n in range(4)]
    first = _denied(*regions[:3])
    assert told.update([first]) == [first.message]  # type: ignore[attr-defined]
    # Fewer regions the next round, the same again: nothing new to tell.
    assert told.update([_denied(*regions[:2])]) == []  # type: ignore[list-item]
    assert told.update([_denied(*regions[:3])]) == []  # type: ignore[list-item]
    # Spread to a region it was not told of: told again, of that region.
    assert told.update([_denied(*regions)]) == [  # type: ignore[list-item]
        "account 444455556666; region r3-east-1: AWS Application Discovery: access denied"
    ]
    assert told.current == {_denied(*regions).message}  # type: ignore[attr-defined]
    # Gone for a round, then back: told again whole.
    assert told.update([]) == []
    assert told.update([_denied(*regions[:1])]) == [  # type: ignore[list-item]
        "account 444455556666; region r0-east-1: AWS Application Discovery: access denied"
    ]
