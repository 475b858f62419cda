"""Population years kept in the store, on both backends."""

from __future__ import annotations

from lagesbild.refdata import bundled_population
from lagesbild.refdata._population import PopulationTable
from lagesbild.store import Store


def test_population_round_trips_and_a_year_is_replaced_whole(store: Store) -> None:
    base = bundled_population()
    table = PopulationTable(year=2024, counts=base.counts * 2, source="test")
    store.put_population(table)
    got = store.population_table(2024)
    assert got is not None
    assert got.count("05", sex="m", age_min=18, age_max=65) == 2 * base.count("05", sex="m", age_min=18, age_max=65)
    store.put_population(PopulationTable(year=2024, counts=base.counts, source="test 2"))
    again = store.population_table(2024)
    assert again is not None and again.count() == base.count()
    assert store.population_years() == {2024: "test 2"}
    assert store.population_table(2023) is None
