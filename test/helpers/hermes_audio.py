"""The Rhasspy 2.5 side of Wulf's voice tests, with the rhasspy-hermes package's own classes.
Usage:
  hermes_audio.py build start SITE_ID SESSION_ID   -> {"topic", "payload"} of an AsrStartListening
  hermes_audio.py build say TEXT SITE_ID ID        -> {"topic", "payload"} of a TtsSay
  hermes_audio.py parse   (stdin: JSON lines {"topic", "payload"})
      -> one JSON line per message: {"topic", "type", "parsed"}; exit 1 when one does not parse.
"""
import json
import sys

from rhasspyhermes.asr import AsrStartListening, AsrStopListening, AsrTextCaptured
from rhasspyhermes.tts import TtsSay, TtsSayFinished
from rhasspyhermes.wake import HotwordDetected

if sys.argv[1] == "build":
    if sys.argv[2] == "start":
        m = AsrStartListening(site_id=sys.argv[3], session_id=sys.argv[4])
    else:
        m = TtsSay(text=sys.argv[3], site_id=sys.argv[4], id=sys.argv[5])
    print(json.dumps({"topic": m.topic(), "payload": m.to_json()}))
    sys.exit(0)

for line in sys.stdin:
    msg = json.loads(line)
    topic = msg["topic"]
    if HotwordDetected.is_topic(topic):
        cls = HotwordDetected
    else:
        cls = {
            AsrStartListening.topic(): AsrStartListening,
            AsrStopListening.topic(): AsrStopListening,
            AsrTextCaptured.topic(): AsrTextCaptured,
            TtsSay.topic(): TtsSay,
            TtsSayFinished.topic(): TtsSayFinished,
        }[topic]
    parsed = cls.from_json(msg["payload"])
    extra = {"wakeword_id": HotwordDetected.get_wakeword_id(topic)} if cls is HotwordDetected else {}
    print(json.dumps({"topic": topic, "type": cls.__name__, "parsed": json.loads(parsed.to_json()), **extra}))
