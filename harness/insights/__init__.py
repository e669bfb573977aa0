"""Failure insights: what kinds of things go wrong, found bottom-up (Clio-style).

Select the answers worth explaining (failures by default), summarise each as a
facet (an analyst model's privacy-preserving summary, or offline the query and
the deterministic findings), embed the facets, cluster them in two levels with
the number of clusters chosen from the data, name each cluster (the analyst
from a sample, or offline its distinguishing terms), never show a cluster with
fewer than ``min_cluster_size`` distinct queries, and compare each theme's
share between two arms.

scikit-learn, numpy and pandas are imported inside the functions that use
them, so importing :mod:`harness` stays light.
"""

from harness.insights.analyse import DEFAULT_MIN_CLUSTER_SIZE, InsightsOptions, find_insights, find_insights_async
from harness.insights.records import INSIGHTS_FORMAT_VERSION, Insights, Theme
from harness.insights.report import (
    insights_frame,
    load_insights,
    render_insights_markdown,
    viewer_themes,
    write_insights,
)
from harness.insights.select import findings

__all__ = [
    "DEFAULT_MIN_CLUSTER_SIZE",
    "INSIGHTS_FORMAT_VERSION",
    "Insights",
    "InsightsOptions",
    "Theme",
    "find_insights",
    "find_insights_async",
    "findings",
    "insights_frame",
    "load_insights",
    "render_insights_markdown",
    "viewer_themes",
    "write_insights",
]
