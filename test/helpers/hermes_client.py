"""A Rhasspy 2.5 peer for tests: builds Hermes messages with the rhasspy-hermes package, sends them
over paho-mqtt, and parses what comes back with the same package's classes (so a shape error is a
parse error). Usage: hermes_client.py PORT nlu TEXT SITE_ID | PORT tts TEXT SITE_ID.
Prints one JSON line: {"topic": ..., "parsed": <dataclass as dict>} or {"timeout": true}."""
import json
import sys
import threading

import paho.mqtt.client as mqtt
from rhasspyhermes.nlu import NluIntent, NluIntentNotRecognized, NluQuery
from rhasspyhermes.tts import TtsSay, TtsSayFinished

port, kind, text, site_id = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
done = threading.Event()
result = {"timeout": True}

if kind == "nlu":
    request = NluQuery(input=text, site_id=site_id, id="req-1", session_id="sess-1")
    replies = ["hermes/intent/#", NluIntentNotRecognized.topic()]
else:
    request = TtsSay(text=text, site_id=site_id, id="say-1", session_id="sess-1")
    replies = [TtsSayFinished.topic()]


def on_connect(client, _userdata, _flags, _rc):
    for topic in replies:
        client.subscribe(topic, qos=1)
    client.publish(request.topic(), request.to_json(), qos=1)


def on_message(_client, _userdata, msg):
    global result
    if NluIntent.is_topic(msg.topic):
        parsed = NluIntent.from_json(msg.payload)
    elif msg.topic == NluIntentNotRecognized.topic():
        parsed = NluIntentNotRecognized.from_json(msg.payload)
    elif msg.topic == TtsSayFinished.topic():
        parsed = TtsSayFinished.from_json(msg.payload)
    else:
        return
    result = {"topic": msg.topic, "parsed": json.loads(parsed.to_json())}
    done.set()


client = mqtt.Client()
client.on_connect = on_connect
client.on_message = on_message
client.connect("127.0.0.1", port)
client.loop_start()
done.wait(10)
client.loop_stop()
print(json.dumps(result))
