"""The Rhasspy 2.5 side of Wulf's voice tests, with the rhasspy-hermes package's own classes.
Usage:
  hermes_audio.py build start SITE_ID SESSION_ID   -> {"topic", "payload"} of an AsrStartListening
  hermes_audio.py build say TEXT SITE_ID ID        -> {"topic", "payload"} of a TtsSay
  hermes_audio.py build played SITE_ID ID          -> {"topic", "payload"} of an AudioPlayFinished
  hermes_audio.py frames SITE_ID WAV_FILE CHUNK_MS  -> JSON lines {"topic", "payload_b64"}: the file as a
      satellite's AudioFrames (each a small WAV, as Rhasspy's audio recorder sends them)
  hermes_audio.py playbytes TOPIC                  -> {"siteId", "requestId"} of an AudioPlayBytes topic
  hermes_audio.py parse   (stdin: JSON lines {"topic", "payload"})
      -> one JSON line per message: {"topic", "type", "parsed"}; exit 1 when one does not parse.
"""
import base64
import io
import json
import sys
import wave

from rhasspyhermes.audioserver import AudioFrame, AudioPlayBytes, AudioPlayFinished

from rhasspyhermes.asr import AsrStartListening, AsrStopListening, AsrTextCaptured
from rhasspyhermes.tts import TtsSay, TtsSayFinished
from rhasspyhermes.wake import HotwordDetected

if sys.argv[1] == "build":
    if sys.argv[2] == "start":
        m = AsrStartListening(site_id=sys.argv[3], session_id=sys.argv[4])
        topic = m.topic()
    elif sys.argv[2] == "played":
        m = AudioPlayFinished(id=sys.argv[4])
        topic = m.topic(site_id=sys.argv[3])
    else:
        m = TtsSay(text=sys.argv[3], site_id=sys.argv[4], id=sys.argv[5])
        topic = m.topic()
    print(json.dumps({"topic": topic, "payload": m.to_json()}))
    sys.exit(0)

if sys.argv[1] == "frames":
    site_id, chunk_ms = sys.argv[2], int(sys.argv[4])
    with wave.open(sys.argv[3], "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        per_chunk = rate * chunk_ms // 1000
        while True:
            pcm = w.readframes(per_chunk)
            if not pcm:
                break
            buf = io.BytesIO()
            with wave.open(buf, "wb") as out:
                out.setframerate(rate)
                out.setsampwidth(width)
                out.setnchannels(channels)
                out.writeframes(pcm)
            m = AudioFrame(wav_bytes=buf.getvalue())
            print(json.dumps({"topic": m.topic(site_id=site_id), "payload_b64": base64.b64encode(m.payload()).decode()}))
    sys.exit(0)

if sys.argv[1] == "playbytes":
    topic = sys.argv[2]
    assert AudioPlayBytes.is_topic(topic), topic
    print(json.dumps({"siteId": AudioPlayBytes.get_site_id(topic), "requestId": AudioPlayBytes.get_request_id(topic)}))
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
