"""Service points and site selection: demand per building, distances, coverage, location models, maps.

One module per purpose: ``demand`` (who needs a service, per building, from the graph),
``distances`` (haversine or a supplied matrix, validated), ``coverage`` (how well the existing
points serve their target group), ``locate`` (MCLP, p-median, LSCP and capacitated variants,
solved to proven optimality with PuLP/CBC) and ``mapping`` (the folium map).
"""

from graph.errors import MinqingError


class SitingError(MinqingError):
    """Site selection cannot run on this input; the message says what to change."""


class InfeasibleModel(SitingError):
    """The solver proved that no solution satisfies the model's constraints."""
