"""The official OpenAI Python SDK against the platform, as a new user would call it.

Run by test/python-sdk.e2e.test.ts with INFERENCE_BASE_URL and INFERENCE_KEY set. Prints one JSON
object with what each call gave, for the jest test to check; any exception fails the run.
"""

import io
import json
import math
import os
import struct
import urllib.request

import openai
from openai import OpenAI

client = OpenAI(base_url=os.environ["INFERENCE_BASE_URL"], api_key=os.environ["INFERENCE_KEY"], max_retries=0)


def wav(seconds: float, rate: int = 16000) -> bytes:
    samples = int(seconds * rate)
    data = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(samples))
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(data)) + data


out = {"sdk_version": openai.__version__}

model = client.models.retrieve("demo-chat")
out["retrieved"] = {"id": model.id, "object": model.object}

try:
    client.models.retrieve("no-such-model")
    out["unknown_model"] = "no error"
except openai.NotFoundError as err:
    out["unknown_model"] = err.status_code

# None is how Python callers leave a parameter out; OpenAI reads an explicit null as absent.
reply = client.chat.completions.create(
    model="demo-chat", messages=[{"role": "user", "content": "hello from python"}], temperature=None, top_p=None
)
out["chat"] = reply.choices[0].message.content

image = client.images.generate(model="demo-image", prompt="a lighthouse", size="32x32")
url = image.data[0].url
# A plain download, without the key, as an <img> tag would do it.
with urllib.request.urlopen(url) as res:
    out["image_download"] = {"status": res.status, "type": res.headers["content-type"], "bytes": len(res.read())}

events = client.audio.transcriptions.create(
    model="demo-stt", file=("a.wav", io.BytesIO(wav(1.0)), "audio/wav"), stream=True
)
out["stream_events"] = [event.type for event in events]

try:
    list(
        client.audio.transcriptions.create(
            model="demo-stt-basic", file=("a.wav", io.BytesIO(wav(1.0)), "audio/wav"), stream=True
        )
    )
    out["stream_refused"] = "no error"
except openai.BadRequestError as err:
    out["stream_refused"] = {"status": err.status_code, "param": err.param}

try:
    client.chat.completions.create(model="demo-chat", messages=[{"role": "user", "content": "x"}], n=-1)
    out["bad_n"] = "no error"
except openai.BadRequestError as err:
    out["bad_n"] = {"status": err.status_code, "param": err.param, "type": err.type}

print(json.dumps(out))
