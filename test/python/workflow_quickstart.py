"""Step 5 of the agent quickstart, as printed there, against a local stack.

Only the base URL and the key come from the environment; the requests, the inline spec and the
polling loop are the quickstart's own. The last line is a JSON summary for the test to check.
"""
import json
import os
import time

import requests

BASE = os.environ["INFERENCE_BASE_URL"]
KEY = os.environ["INFERENCE_KEY"]

# Use a template

resp = requests.post(
    f"{BASE}/v1/workflows/runs",
    headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    json={
        "template": "illustrated-story",
        "inputs": {
            "topic": "a robot learning to paint",
            "scenes": 3,
            "style": "oil painting, warm light",
        },
    },
)
run_id = resp.json()["id"]
template_run_id = run_id

# Write an inline spec

spec = {
    "steps": [
        {
            "id": "plan",
            "kind": "inference",
            "type": "chat",          # modality: llm
            "extract": "json",        # parse LLM output as JSON
            "title": "Plan sections",
            "body": {
                "messages": [{
                    "role": "user",
                    "content": (
                        "List 4 blog section titles about {{inputs.topic}}. "
                        "Return JSON: {\"titles\":[\"...\"]}"
                    ),
                }],
            },
        },
        {
            "id": "images",
            "kind": "map",            # fan-out: one job per item
            "type": "image",
            "title": "Illustrate each section",
            "over": "{{steps.plan.output.titles}}",
            "body": {"prompt": "Blog illustration for: {{item}}"},
        },
    ]
}

resp = requests.post(
    f"{BASE}/v1/workflows/runs",
    headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    json={"spec": spec, "inputs": {"topic": "distributed AI"}},
)
run_id = resp.json()["id"]

# Poll a workflow run

while True:
    run = requests.get(
        f"{BASE}/v1/workflows/runs/{run_id}",
        headers={"Authorization": f"Bearer {KEY}"},
    ).json()
    if run["status"] in ("DONE", "FAILED", "CANCELED"):
        break
    if run["status"] == "AWAITING":
        # A gate step is waiting for human approval — handle in your UI
        break
    time.sleep(5)

# Collect outputs
for step in run["steps"]:
    if step["status"] == "DONE":
        print(step["step_id"], step.get("output"))

# The same loop over the template's run, which stops at its gate.
run_id = template_run_id
while True:
    run_t = requests.get(
        f"{BASE}/v1/workflows/runs/{run_id}",
        headers={"Authorization": f"Bearer {KEY}"},
    ).json()
    if run_t["status"] in ("DONE", "FAILED", "CANCELED"):
        break
    if run_t["status"] == "AWAITING":
        break
    time.sleep(5)

print(json.dumps({
    "inline": {"status": run["status"], "steps": {s["step_id"]: s["status"] for s in run["steps"]},
               "outputs": {s["step_id"]: s.get("output") for s in run["steps"]}},
    "template": {"id": template_run_id, "status": run_t["status"],
                 "steps": {s["step_id"]: s["status"] for s in run_t["steps"]}},
}))
