"""Drives Link API with Codat's official Python SDK, retries off: what the
SDK sends must be understood, and what Link API answers must be parsed."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from codat_platform.models.errors import ErrorMessage, ResponseValidationError

from conftest import API_KEY, sdk_for

HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def test_companies_are_created_listed_fetched_replaced_updated_and_deleted(sdk):
    created = sdk.companies.create(request={"name": "Technicalium (SDK)", "description": "ref 1", "tags": {"region": "uk"}})
    sdk.companies.create(request={"name": "Other", "tags": {"region": "us"}})

    by_tag = sdk.companies.list(request={"tags": "region=uk", "page": 1, "page_size": 10})
    by_query = sdk.companies.list(request={"query": "name~techn", "order_by": "-created"})
    fetched = sdk.companies.get(request={"company_id": created.id})
    replaced = sdk.companies.replace(request={"company_id": created.id, "company_request_body": {"name": "Technicalium Ltd"}})
    updated = sdk.companies.update(request={"company_id": created.id, "company_update_request": {"tags": {"team": "risk"}}})
    sdk.companies.delete(request={"company_id": created.id})

    assert created.name == "Technicalium SDK"
    assert created.redirect.endswith(f"/link/company/{created.id}")
    assert [c.id for c in by_tag.results] == [created.id]
    assert by_tag.total_results == 1 and by_tag.page_size == 10
    assert [c.name for c in by_query.results] == ["Technicalium SDK"]
    assert fetched.description == "ref 1" and fetched.tags == {"region": "uk"}
    assert replaced.name == "Technicalium Ltd" and replaced.description is None and not replaced.tags
    assert updated.name == "Technicalium Ltd" and updated.tags == {"team": "risk"}
    with pytest.raises(ErrorMessage) as missing:
        sdk.companies.get(request={"company_id": created.id})
    assert missing.value.data.status_code == 404


def test_errors_arrive_as_the_sdks_error_type(sdk):
    with pytest.raises(ErrorMessage) as bad_query:
        sdk.companies.list(request={"query": "colour=red"})
    with pytest.raises(ErrorMessage) as bad_name:
        sdk.companies.create(request={"name": "()"})

    assert bad_query.value.data.status_code == 400
    assert bad_query.value.data.error.startswith("Error parsing query - ")
    assert bad_name.value.data.status_code == 400
    assert bad_name.value.data.can_be_retried == "No"


def test_api_keys_are_created_listed_and_deleted(sdk, base_url):
    created = sdk.settings.create_api_key(request={"name": "sdk-key"})
    listed = sdk.settings.list_api_keys()
    with_new_key = sdk_for(base_url, created.api_key).companies.list()
    # This SDK version maps delete-api-key's 204 to an error schema and so
    # cannot parse the empty body a 204 must have; the status is what counts.
    with pytest.raises(ResponseValidationError) as deleted:
        sdk.settings.delete_api_key(request={"api_key_id": created.id})

    assert created.name == "sdk-key" and len(created.api_key) == 40
    assert [k.id for k in listed.results][-1] == created.id
    assert all(k.api_key is None for k in listed.results)
    assert with_new_key.total_results == 0
    assert deleted.value.status_code == 204
    with pytest.raises(ErrorMessage) as refused:
        sdk_for(base_url, created.api_key).companies.list()
    assert refused.value.data.status_code == 401


def test_integrations_are_listed_fetched_and_branded(sdk):
    accounting = sdk.integrations.list(request={"query": "sourceType=Accounting && enabled=true", "page_size": 50})
    xero = sdk.integrations.get(request={"platform_key": "gbol"})
    branding = sdk.integrations.get_branding(request={"platform_key": "gbol"})

    assert "gbol" in [i.key for i in accounting.results]
    assert all(i.enabled for i in accounting.results)
    assert xero.name == "Xero" and xero.enabled
    assert xero.logo_url.endswith("/assets/integrations/gbol/square.svg")
    assert branding.logo.square.image.src.endswith("/square.svg")
    with pytest.raises(ErrorMessage) as unknown:
        sdk.integrations.get(request={"platform_key": "zzzz"})
    assert unknown.value.data.status_code == 404


def test_connections_are_created_listed_authorized_unlinked_and_deleted(sdk, base_url):
    # Codat's behaviour: linking needs no recorded consent.
    httpx.put(f"{base_url}/linkSettings", json={"consentRequired": False}, headers=HEADERS).raise_for_status()
    company = sdk.companies.create(request={"name": "Connected Ltd"})

    created = sdk.connections.create(request={"company_id": company.id, "request_body": {"platform_key": "exgd"}})
    listed = sdk.connections.list(request={"company_id": company.id, "query": "status=PendingAuth"})
    fetched = sdk.connections.get(request={"company_id": company.id, "connection_id": created.id})
    linked = sdk.connections.update_authorization(
        request={"company_id": company.id, "connection_id": created.id, "request_body": {"apiKey": "rk_test_51Habc1234567890"}}
    )
    unlinked = sdk.connections.unlink(
        request={"company_id": company.id, "connection_id": created.id, "update_connection_status": {"status": "Unlinked"}}
    )
    sdk.connections.delete(request={"company_id": company.id, "connection_id": created.id})

    assert created.status == "PendingAuth" and created.platform_name == "Stripe"
    assert created.link_url.endswith(f"/connections/{created.id}/start")
    assert [c.id for c in listed.results] == [created.id]
    assert fetched.id == created.id and fetched.source_type == "Commerce"
    assert linked.status == "Linked"
    assert unlinked.status == "Unlinked"
    with pytest.raises(ErrorMessage) as gone:
        sdk.connections.get(request={"company_id": company.id, "connection_id": created.id})
    assert gone.value.data.status_code == 404
    assert sdk.companies.get(request={"company_id": company.id}).data_connections == []


def test_linking_without_the_required_consent_is_a_403_the_sdk_understands(sdk, base_url):
    company = sdk.companies.create(request={"name": "Careful Ltd"})
    created = sdk.connections.create(request={"company_id": company.id, "request_body": {"platform_key": "exgd"}})
    authorize = {"company_id": company.id, "connection_id": created.id, "request_body": {"apiKey": "rk_test_51Habc1234567890"}}

    with pytest.raises(ErrorMessage) as refused:
        sdk.connections.update_authorization(request=authorize)
    consent = {"categories": ["commerce"], "actor": {"name": "Ada Lovelace"}}
    httpx.post(f"{base_url}/companies/{company.id}/consents", json=consent, headers=HEADERS).raise_for_status()
    linked = sdk.connections.update_authorization(request=authorize)

    assert refused.value.data.status_code == 403
    assert "consent" in refused.value.data.error
    assert linked.status == "Linked"


def test_webhooks_are_managed_by_the_sdk_and_verify_with_the_standard_webhooks_library(sdk, base_url):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((dict(self.headers), body.decode()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        created = httpx.post(
            f"{base_url}/webhooks",
            json={"url": f"http://127.0.0.1:{server.server_port}/hook", "eventTypes": ["company.created"]},
            headers=HEADERS,
        )
        created.raise_for_status()
        consumer = created.json()
        listed = sdk.webhooks.list_consumers()
        company = sdk.companies.create(request={"name": "Hooked Ltd"})
        for _ in range(100):
            if received:
                break
            time.sleep(0.1)
        headers, body = received[0]
        event = Webhook(consumer["secret"]).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(consumer["secret"]).verify(body.replace("Hooked", "Hacked"), headers)
        sdk.webhooks.delete_consumer(request={"webhook_id": consumer["id"]})
    finally:
        server.shutdown()

    assert consumer["secret"].startswith("whsec_")
    assert [c.id for c in listed.results] == [consumer["id"]]
    assert listed.results[0].event_types == ["company.created"]
    assert event["eventType"] == "company.created" and event["payload"]["id"] == company.id
    assert sdk.webhooks.list_consumers().results == []
