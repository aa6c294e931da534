"""Nightly metric extraction: network adapters → data-quality checks → warehouse.

* :class:`AccountExtraction` extracts, checks and loads one owned account's day;
* :func:`targets_from_config` lists the accounts (and their lookback) to extract;
* :func:`metrics_day` and :class:`LookbackWindow` turn a data interval into the day and
  the posts a run covers;
* :func:`load_campaigns` loads budgets and the paid results of the campaigns (ads APIs,
  else the CSV export).

No Airflow here: the operators of :mod:`socialops.operators.extract` wrap these.
"""

from socialops.metrics.campaigns import (
    CampaignFileError,
    CampaignSpendUnavailable,
    load_campaigns,
    read_spend_csv,
)
from socialops.metrics.service import (
    AccountExtraction,
    AccountTarget,
    ExtractionResult,
    targets_from_config,
)
from socialops.metrics.window import LookbackWindow, local_midnight, metrics_day

__all__ = [
    "AccountExtraction",
    "AccountTarget",
    "CampaignFileError",
    "CampaignSpendUnavailable",
    "ExtractionResult",
    "LookbackWindow",
    "load_campaigns",
    "local_midnight",
    "metrics_day",
    "read_spend_csv",
    "targets_from_config",
]
