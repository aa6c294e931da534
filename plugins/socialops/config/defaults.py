"""The configuration's defaults that DAG files need at parse time, without the schema.

The schema (:mod:`.schema`, pydantic) uses the same values; DAG files read only these and
the few raw values of the YAML they need (:func:`socialops.dag_defaults.dag_settings`), so
that parsing a DAG file never pays for pydantic and never fails on a broken configuration.
"""

from datetime import timedelta

PUBLICATION_SCHEDULE = "*/5 * * * *"
METRICS_SCHEDULE = "30 3 * * *"
LISTENING_SCHEDULE = "*/15 * * * *"
TIMEZONE = "UTC"

#: ``slack.outbox_max_age``: how long a Slack message may wait in the outbox (Slack down,
#: a token to renew) before it is too old to matter and is dropped, reported once.
OUTBOX_MAX_AGE = timedelta(days=2)

#: ``reports.digest_time``: the morning digest goes out at this brand-local time, or when
#: the night's metrics arrive if that is later.
DIGEST_TIME = "08:00"
#: ``reports.weekly_schedule``: the weekly report (Mondays, brand-local).
WEEKLY_SCHEDULE = "0 8 * * 1"

COMPETITOR_WATCH_SCHEDULE = "30 6 * * *"  # daily, after the nightly metrics (03:30)
INFLUENCER_SCORING_SCHEDULE = "0 7 * * 1"  # Mondays
