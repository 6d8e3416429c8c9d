"""Starts a real link-api process for the SDK tests, on SQLite and (when
LINK_TEST_POSTGRES_URL is set) on PostgreSQL, each over a fresh database."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest
from codat_platform import CodatPlatform
from codat_platform.models.shared import Security
from codat_platform.utils import BackoffStrategy, RetryConfig

API_KEY = "sdk-test-bootstrap-key-0123456789"
BINARY = os.environ.get("LINK_API_BIN", os.path.join(os.path.dirname(__file__), "..", "target", "debug", "link-api"))
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


def stores():
    yield "sqlite"
    if os.environ.get("LINK_TEST_POSTGRES_URL"):
        yield "postgres"


@pytest.fixture(params=list(stores()))
def database_url(request):
    if request.param == "sqlite":
        folder = tempfile.mkdtemp()
        yield f"sqlite://{folder}/link-api.db"
        shutil.rmtree(folder, ignore_errors=True)
        return
    admin_url = os.environ["LINK_TEST_POSTGRES_URL"]
    name = f"link_sdk_{uuid.uuid4().hex}"
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


@pytest.fixture
def base_url(database_url):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "LINK_DATABASE_URL": database_url,
        "LINK_LISTEN": "127.0.0.1:0",
        "LINK_BOOTSTRAP_API_KEY": API_KEY,
        "LINK_LOG_FORMAT": "json",
        "LINK_ENCRYPTION_KEY": "1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=",
    }
    server = subprocess.Popen([BINARY, "serve"], env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        for line in server.stderr:
            if '"listening"' in line:
                yield f"http://127.0.0.1:{json.loads(line)['port']}"
                break
        else:
            pytest.fail("link-api stopped before it listened")
    finally:
        server.terminate()
        server.wait(timeout=10)


def sdk_for(base_url, key):
    basic = "Basic " + base64.b64encode(key.encode()).decode()
    return CodatPlatform(security=Security(auth_header=basic), server_url=base_url, retry_config=NO_RETRIES)


@pytest.fixture
def sdk(base_url):
    return sdk_for(base_url, API_KEY)
