"""The shard plan: every unit in exactly one shard, the same plan on every shard, balanced by cost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.shards import Shard, Units, balance

_UNITS = st.dictionaries(
    st.text(alphabet="abcdefgh /→-", min_size=1, max_size=8),
    st.floats(0.0, 100.0, allow_nan=False),
    max_size=40,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(costs=_UNITS, total=st.integers(1, 7), suite=st.sampled_from(["tokens", "fuzz", "pacts"]))
def test_every_unit_goes_to_exactly_one_shard_and_the_heaviest_shard_is_within_one_unit(
    costs: dict[str, float], total: int, suite: str
) -> None:
    plan = balance(suite, costs, total)
    assert set(plan) == set(costs) and set(plan.values()) <= set(range(1, total + 1))
    # Another shard computes the same plan from the same units, whatever order it declares them in.
    assert balance(suite, dict(reversed(list(costs.items()))), total) == plan
    loads = [sum(c for u, c in costs.items() if plan[u] == shard) for shard in range(1, total + 1)]
    # Greedy heaviest-first: the fullest shard exceeds the emptiest by at most one unit's cost.
    assert max(loads) - min(loads) <= max(costs.values(), default=0.0) + 1e-9


def test_units_of_equal_weight_split_evenly() -> None:
    plan = balance("tokens", {f"GET /things/{i}": 1.0 for i in range(10)}, 3)
    assert sorted(list(plan.values()).count(k) for k in (1, 2, 3)) == [3, 3, 4]


def test_one_heavy_unit_gets_a_shard_of_its_own() -> None:
    costs = {"backend-v1": 40.0, "backend-v2": 38.0, "auth-v1": 9.0, "auth-v2": 8.0}
    plan = balance("fuzz", costs, 3)
    assert plan["backend-v1"] != plan["backend-v2"]
    assert plan["auth-v1"] == plan["auth-v2"] not in (plan["backend-v1"], plan["backend-v2"])


def test_suites_of_one_unit_do_not_all_land_on_the_first_shard() -> None:
    suites = ["pacts", "fuzz", "websocket", "versioning", "tokens", "crossauth", "cors", "readiness"]
    shards = {balance(suite, {"the unit": 1.0}, 3)["the unit"] for suite in suites}
    assert len(shards) > 1


def test_each_shard_owns_its_part_and_the_parts_add_up_to_the_whole() -> None:
    weights = {f"op {i}": float(1 + i % 4) for i in range(13)}
    owned = []
    for index in (1, 2, 3):
        share = Units(Shard(index, 3)).share("crossauth", weights)
        owned.append({unit for unit in weights if share.owns(unit)})
    assert set().union(*owned) == set(weights)
    assert sum(len(part) for part in owned) == len(weights)
    assert all(owned)


def test_the_whole_run_owns_everything_and_records_its_plan_and_seconds() -> None:
    units = Units()
    share = units.share("pacts", {"a → b": 3.0, "c → b": 1.0})
    assert list(share.each(["a → b", "c → b"], lambda name: name)) == ["a → b", "c → b"]
    records = units.records()
    assert [(suite, unit, shard) for suite, unit, shard, _ in records] == [
        ("pacts", "a → b", 1),
        ("pacts", "c → b", 1),
    ]
    assert all(seconds is not None and seconds >= 0 for *_, seconds in records)


def test_measured_costs_replace_weights_and_calibrate_the_units_not_measured() -> None:
    # Weights say "big" is the heavy one; an earlier run measured "small" at ten times its weight.
    measured = {("fuzz", "small"): 50.0, ("fuzz", "other"): 1.0}
    units = Units(Shard(1, 2, costs=measured))
    costs = units.costs("fuzz", {"small": 1.0, "big": 5.0, "other": 1.0})
    assert costs["small"] == 50.0 and costs["other"] == 1.0
    assert costs["big"] == pytest.approx(5.0 * 51.0 / 2.0)  # its weight × the measured seconds per weight


def test_a_pinned_unit_is_the_shard_it_is_pinned_to() -> None:
    assert [Units(Shard(k, 3)).owns("broker", "can-i-deploy", pinned=1) for k in (1, 2, 3)] == [
        True,
        False,
        False,
    ]


def test_a_unit_not_declared_is_a_bug_of_the_suite() -> None:
    share = Units(Shard(1, 2)).share("cors", ["GET /a"])
    with pytest.raises(KeyError, match="GET /b"):
        share.owns("GET /b")


@pytest.mark.parametrize(("index", "total"), [(0, 3), (4, 3), (1, 0), (-1, 2)])
def test_a_shard_outside_one_to_n_is_refused(index: int, total: int) -> None:
    with pytest.raises(ValueError, match="K must be from 1 to N"):
        Shard(index, total)
