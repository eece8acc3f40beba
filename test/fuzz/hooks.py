"""Schemathesis hooks for test/fuzz/openapi.fuzz.test.ts (loaded through SCHEMATHESIS_HOOKS)."""

import requests
import schemathesis

HEARTBEAT_PATH = "/api/inference/agent/heartbeat/"


@schemathesis.hook
def after_call(ctx, case, response):
    """Withdraw the models a fuzzed heartbeat just advertised.

    A heartbeat registers an online provider for the member, but no agent polls for it: an inference
    request the fuzzer later sends for one of its models (Hypothesis' simplest model id, "0", is
    common to both) would wait for the pickup timeout and rightly answer 502. Re-sending the
    heartbeat with no models keeps that provider from being chosen, so a 502 stays a real finding.
    """
    if case.operation.path != HEARTBEAT_PATH or response.status_code != 200:
        return
    name = case.body.get("name") if isinstance(case.body, dict) else None
    if not isinstance(name, str):
        return
    auth = response.request.headers.get("Authorization", "")
    requests.post(response.request.url, json={"name": name, "models": []}, headers={"Authorization": auth}, timeout=10)
