"""Listening: every mention of the brand, read incrementally, scored, and watched for crises.

``sources`` (what is read, from where it stopped), ``service`` (one source's read, scored
and stored; the crisis watch), ``store`` (mentions, cursors, incidents), ``messages`` (the
crisis alert and a source's failure), ``tasks`` (what ``listen_mentions`` calls).
See docs/listening.md and docs/dags/listen_mentions.md.
"""
