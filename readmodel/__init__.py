"""The read model: one typed in-memory copy of the skills graph, and the views derived from it.

:mod:`readmodel.store` holds the records (:mod:`graph.records`) by id and applies the
change sets the keeper (:mod:`readmodel.keeper`) reads from the store's change log;
views (:mod:`readmodel.views`) register with what they depend on and are kept in step.
"""

from readmodel import directory, matching, paths  # noqa: F401  (each registers its views)
