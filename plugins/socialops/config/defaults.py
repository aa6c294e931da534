"""The configuration's defaults that DAG files need at parse time, without the schema.

The schema (:mod:`.schema`, pydantic) uses the same values; DAG files read only these and
the few raw values of the YAML they need (:func:`socialops.dag_defaults.dag_settings`), so
that parsing a DAG file never pays for pydantic and never fails on a broken configuration.
"""

PUBLICATION_SCHEDULE = "*/5 * * * *"
METRICS_SCHEDULE = "30 3 * * *"
TIMEZONE = "UTC"
COMPETITOR_WATCH_SCHEDULE = "30 6 * * *"  # daily, after the nightly metrics (03:30)
INFLUENCER_SCORING_SCHEDULE = "0 7 * * 1"  # Mondays
