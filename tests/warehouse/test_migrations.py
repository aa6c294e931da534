from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from socialops.paths import PROJECT_ROOT
from socialops.warehouse.engine import (
    alembic_config,
    create_warehouse_engine,
    downgrade_schema,
    ensure_schema,
)
from socialops.warehouse.models import Base

WAREHOUSE_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_engine(request, tmp_path) -> Engine:
    """An empty database (no tables at all), on each backend."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_schema_factory")("migrations")
    engine = create_warehouse_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    request.addfinalizer(engine.dispose)
    return engine


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_migrations_have_a_single_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"merge the Alembic branches {heads}"


def test_upgrade_creates_every_table_and_downgrade_drops_them(blank_engine):
    ensure_schema(blank_engine)
    assert table_names(blank_engine) == WAREHOUSE_TABLES | {"alembic_version"}
    assert current_revision(blank_engine) == head_revision()

    downgrade_schema(blank_engine)
    assert table_names(blank_engine) == {"alembic_version"}
    assert current_revision(blank_engine) is None

    ensure_schema(blank_engine)  # and back up again: the downgrade left nothing behind
    assert table_names(blank_engine) >= WAREHOUSE_TABLES


def test_upgrading_a_current_schema_is_a_no_op(blank_engine):
    ensure_schema(blank_engine)
    ensure_schema(blank_engine)
    assert current_revision(blank_engine) == head_revision()


def test_models_and_migrations_agree(blank_engine):
    ensure_schema(blank_engine)
    with blank_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], (
        "the models changed without a migration: run `alembic -c "
        "plugins/socialops/warehouse/alembic.ini revision --autogenerate -m '...'` "
        f"and review it. Differences: {differences}"
    )


def _upgrade_in_this_process(url: str) -> str | None:
    engine = create_warehouse_engine(url)
    try:
        ensure_schema(engine)
        return current_revision(engine)
    finally:
        engine.dispose()


def test_concurrent_upgrades_of_one_database_both_succeed(blank_engine):
    # Two tasks starting at once on a fresh warehouse must not both create the tables.
    url = blank_engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("fork")) as pool:
        revisions = list(pool.map(_upgrade_in_this_process, [url, url]))
    assert revisions == [head_revision()] * 2


def test_concurrent_upgrades_in_one_process_are_serialised(blank_engine):
    engines = [create_warehouse_engine(blank_engine.url) for _ in range(2)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(ensure_schema, engines))
    finally:
        for engine in engines:
            engine.dispose()
    assert current_revision(blank_engine) == head_revision()


def test_the_documented_alembic_command_line_works(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    command = [
        Path(sys.executable).with_name("alembic"),
        "-c",
        "plugins/socialops/warehouse/alembic.ini",
        "-x",
        f"url={url}",
    ]
    environment = {k: v for k, v in os.environ.items() if k != "SOCIALOPS_WAREHOUSE_URL"}
    for arguments in (["upgrade", "head"], ["current"]):
        completed = subprocess.run(
            [*command, *arguments],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
    assert head_revision() in completed.stdout
    engine = create_warehouse_engine(url)
    try:
        assert table_names(engine) >= WAREHOUSE_TABLES
    finally:
        engine.dispose()
