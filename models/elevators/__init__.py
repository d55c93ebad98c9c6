"""Elevator-retrofit propensity: building features from the graph, a time-split model, a ranking.

``features`` pulls per-building facts with Cypher and turns them into documented features,
``propensity`` trains and evaluates the models and ranks the buildings, ``metrics`` and
``explain`` are the pure parts (scores, calibration, per-building reasons), ``store`` keeps
the last ranking for the app and ``map`` draws it. See docs/ELEVATORS.md.
"""
