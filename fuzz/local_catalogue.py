"""Writes a catalogue override that points every provider URL of the shipped
catalogue at a closed port on loopback, so nothing a fuzzing run triggers
(token refreshes, revocations) leaves the machine."""

import json
import re
import sys

shipped, target = sys.argv[1], sys.argv[2]
entries = json.load(open(shipped))
for entry in entries:
    auth = entry.get("auth", {})
    for field in ("authorizeUrl", "tokenUrl", "revokeUrl"):
        if field in auth and auth[field].startswith("https://"):
            auth[field] = re.sub(r"^https://[^/]+", "http://127.0.0.1:9", auth[field])
json.dump(entries, open(target, "w"))
