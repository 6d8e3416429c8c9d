"""Schemathesis hooks for `make fuzz-api`.

Schemathesis reuses generated header values across requests, so one
Idempotency-Key would stand for many different requests and its replays
(the first response, by design) would read as stale data to the stateful
checks. A well-formed key is therefore made unique per request; malformed
keys are sent as generated, so their refusal is still tested. Replay and
mismatch have their own tests in the Rust suite."""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def map_headers(ctx, headers):
    for name in list(headers or {}):
        if name.lower() == "idempotency-key" and WELL_FORMED.match(str(headers[name])):
            headers[name] = f"fuzz-{uuid.uuid4()}"
    return headers
