"""No module of the app imports itself through others, not even through a type-only import.

A circle makes the import order matter (a name is missing while its module is half
imported) and ties the modules on it into one: none can be read, tested or moved alone.
The layers contract catches circles between layers; this catches them inside one.
"""

from __future__ import annotations

import graphlib

import grimp
import pytest


def import_circle(graph: grimp.ImportGraph) -> list[str]:
    """One circle of direct imports among the graph's modules (first module repeated at the
    end), or an empty list when there is none."""
    sorter = graphlib.TopologicalSorter(
        {
            module: graph.find_modules_directly_imported_by(module) & graph.modules
            for module in graph.modules
        }
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))  # graphlib lists it from importer's dependency back
    return []


def describe(graph: grimp.ImportGraph, circle: list[str]) -> str:
    """Each import of the circle with its line, for a failure that says what to change."""
    steps = []
    for importer, imported in zip(circle, circle[1:]):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = (
            f" (line {details[0]['line_number']}: {details[0]['line_contents']})" if details else ""
        )
        steps.append(f"{importer} imports {imported}{where}")
    return "\n".join(steps)


def test_a_circle_is_found_and_named() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.c"),
        ("pkg.c", "pkg.a"),
        ("pkg.c", "pkg.d"),
    ):
        graph.add_import(
            importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
        )
    circle = import_circle(graph)
    assert circle[0] == circle[-1] and set(circle) == {"pkg.a", "pkg.b", "pkg.c"}
    assert all(
        graph.direct_import_exists(importer=a, imported=b) for a, b in zip(circle, circle[1:])
    )
    assert "import pkg." in describe(graph, circle)
    graph.remove_import(importer="pkg.c", imported="pkg.a")
    assert import_circle(graph) == []


def test_the_apps_modules_import_one_another_without_a_circle() -> None:
    graph = grimp.build_graph("autoglm", cache_dir=None)  # type-only imports included
    circle = import_circle(graph)
    if circle:
        pytest.fail(
            "Import circle; move what both sides need into a module of its own:\n"
            + describe(graph, circle)
        )
