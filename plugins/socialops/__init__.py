"""socialops: a community manager's routine as plain Apache Airflow.

Layers, from the outside in: DAG files (``dags/``) → operators (:mod:`socialops.operators`)
→ hooks (:mod:`socialops.hooks`) → network adapters (:mod:`socialops.networks`, pure
Python) → SDKs (tweepy, googleapiclient, slack_sdk, HTTP). Analytics are pure functions over
pandas frames (:mod:`socialops.analytics`). See ``docs/architecture.md``.
"""

__version__ = "0.1.0"
