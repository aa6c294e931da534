"""Analytics: pure functions over pandas DataFrames (KPIs, data-quality checks), testable
without Airflow, a network or a database. See ``docs/kpis.md`` for the formulas."""
