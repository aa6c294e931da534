"""What runs socialops rather than what socialops does: the project-local Airflow of the demo
and the tests (:mod:`.localenv`), and the docker-compose helpers (:mod:`.deployment`).

Nothing here is imported by the DAGs' tasks.
"""
