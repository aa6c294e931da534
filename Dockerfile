# The socialops image: Airflow's official image plus socialops' locked dependencies.
#
# The slim variant ships Airflow core without providers, so requirements.lock alone decides
# every provider and library version, exactly as in the local virtual environment (the lock
# plays the role of Airflow's constraint files). The regular image's ~50 preinstalled providers
# would otherwise keep their own pins next to ours.
FROM apache/airflow:slim-3.3.2-python3.11

# socialops.paths finds dags/, plugins/ and include/ here (docker-compose.yml mounts them).
ENV SOCIALOPS_HOME=/opt/airflow

# The weekly report's PDF is printed by headless Chromium (socialops.reports.render), with
# fonts that have the French accents and the narrow no-break space. Not pinned: Debian's
# security updates of Chromium replace the previous version in the archive.
# (0 is root, 50000 the image's "airflow" user.)
USER 0
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
USER 50000

# The base image's default user is "airflow", the user its documentation installs packages
# as. Naming apache-airflow at the image's version makes pip fail, rather than silently
# replace Airflow, if the lock ever pins another one.
COPY --chown=airflow:0 requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/requirements.lock

# socialops itself, editable on /opt/airflow/plugins (where docker-compose.yml mounts the
# checkout's plugins/), without dependencies: the lock above has them all. Installed, it is
# an Airflow provider: the connection form shows the networks' types and fields.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:0 plugins /opt/airflow/plugins
RUN pip install --no-cache-dir --no-deps -e /opt/airflow
