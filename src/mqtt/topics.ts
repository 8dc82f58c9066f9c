// Every MQTT topic string Wulf uses is built here, and only here.
// Base: `<prefix>/<deviceId>/…` (prefix defaults to "wulf").

export interface Topics {
  /** Retained `online` / `offline`; also the MQTT last will. */
  status: string;
  /** In: plain text or JSON `{text, id?, lang?}`. */
  ask: string;
  /** Out: JSON `{id, text, intent, slots, actions, source, latency_ms}`. */
  reply: string;
  /** Out: JSON `{id, seq, delta}`: a generated reply as it is written (the whole reply still goes to `reply`). */
  replyPartial: string;
  /** Out: JSON `{code, message, id?, topic}` for every rejected input. */
  error: string;
  /** Out: JSON timer events (`{event: "finished", id, name, dueAt, firedAt, text}`). */
  timer: string;
  /** Out, retained: the last input text, the last intent (JSON), the last reply text. */
  lastTranscript: string;
  lastIntent: string;
  lastReply: string;
  /** In: a command as plain text (Home Assistant's `text` entity); the reply lands on lastReply. */
  textCommand: string;
  /** In `ON`/`OFF`; out (retained) the current state. */
  voiceSet: string;
  voiceState: string;
  /** In `off`/`when_unsure`/`always`; out (retained) the current mode. */
  cloudSet: string;
  cloudState: string;
  /** Out: Home Assistant `event` entity payloads `{event_type, slots…}`. */
  intentEvent: string;
  /** Out (retained): the `update` entity's JSON state; in: install command. */
  updateState: string;
  updateInstall: string;
  /** Out, retained: the version of each loaded model. */
  modelVersion(model: string): string;
  /** Out: `wulf/<id>/intent/<IntentName>` for automations. */
  intent(name: string): string;
  /** In (retained): a model update offer `{bundleId, name, version, size, sha256, via, url?, chunkSize?}`. */
  otaOffer: string;
  /** Out: the chunks the device still needs `{bundleId, chunks: number[]}`. */
  otaRequest: string;
  /** In: one chunk, binary: u32 index (big-endian), 32-byte sha256 of the data, the data. */
  otaChunk(bundleId: string): string;
  /** Subscription filter matching every otaChunk topic. */
  otaChunkFilter: string;
  /** Out (retained): `{bundleId, phase, progress, result?, reason?, models}`. */
  otaStatus: string;
  /** In: start listening without a wake word; payload empty (this board's microphone) or a site id. */
  listen: string;
}

/** Topics Wulf shares with other programs (Home Assistant, Rhasspy/Snips Hermes). */
export interface SharedTopics {
  haStatus: string;
  haConfig(component: string, nodeId: string, objectId: string): string;
  hermesNluQuery: string;
  hermesIntent(name: string): string;
  hermesIntentNotRecognized: string;
  hermesTtsSay: string;
  hermesTtsSayFinished: string;
  hermesHotwordDetected(wakewordId: string): string;
  hermesAsrStartListening: string;
  hermesAsrStopListening: string;
  hermesAsrTextCaptured: string;
  /** In: satellite audio, a WAV chunk per message. */
  hermesAudioFrame(siteId: string): string;
  /** Out: a reply's WAV for a satellite to play (Rhasspy 2.5 AudioPlayBytes). */
  hermesAudioPlayBytes(siteId: string, requestId: string): string;
  /** In: the satellite played it (AudioPlayFinished). */
  hermesAudioPlayFinished(siteId: string): string;
}

export function sharedTopics(haPrefix: string): SharedTopics {
  return {
    haStatus: `${haPrefix}/status`,
    haConfig: (component, nodeId, objectId) => `${haPrefix}/${component}/${nodeId}/${objectId}/config`,
    hermesNluQuery: 'hermes/nlu/query',
    hermesIntent: (name) => `hermes/intent/${name}`,
    hermesIntentNotRecognized: 'hermes/nlu/intentNotRecognized',
    hermesTtsSay: 'hermes/tts/say',
    hermesTtsSayFinished: 'hermes/tts/sayFinished',
    hermesHotwordDetected: (wakewordId) => `hermes/hotword/${safeLevel(wakewordId)}/detected`,
    hermesAsrStartListening: 'hermes/asr/startListening',
    hermesAsrStopListening: 'hermes/asr/stopListening',
    hermesAsrTextCaptured: 'hermes/asr/textCaptured',
    hermesAudioFrame: (siteId) => `hermes/audioServer/${siteId}/audioFrame`,
    hermesAudioPlayBytes: (siteId, requestId) => `hermes/audioServer/${siteId}/playBytes/${requestId}`,
    hermesAudioPlayFinished: (siteId) => `hermes/audioServer/${siteId}/playFinished`,
  };
}

/** An MQTT topic level may not hold wildcards or separators (MQTT-4.7.1): keep names safe. */
export function safeLevel(name: string): string {
  return name.replace(/[^A-Za-z0-9_:.-]/g, '_').slice(0, 64) || '_';
}

export function deviceTopics(prefix: string, deviceId: string): Topics {
  const base = `${prefix}/${deviceId}`;
  return {
    status: `${base}/status`,
    ask: `${base}/ask`,
    reply: `${base}/reply`,
    replyPartial: `${base}/reply/partial`,
    error: `${base}/error`,
    timer: `${base}/timer`,
    lastTranscript: `${base}/state/transcript`,
    lastIntent: `${base}/state/intent`,
    lastReply: `${base}/state/reply`,
    textCommand: `${base}/text/set`,
    voiceSet: `${base}/voice/set`,
    voiceState: `${base}/voice/state`,
    cloudSet: `${base}/cloud/set`,
    cloudState: `${base}/cloud/state`,
    intentEvent: `${base}/event/intent`,
    updateState: `${base}/update/state`,
    updateInstall: `${base}/update/install`,
    modelVersion: (model) => `${base}/model/${safeLevel(model)}/version`,
    intent: (name) => `${base}/intent/${safeLevel(name)}`,
    otaOffer: `${base}/ota/offer`,
    otaRequest: `${base}/ota/request`,
    otaChunk: (bundleId) => `${base}/ota/chunk/${safeLevel(bundleId)}`,
    otaChunkFilter: `${base}/ota/chunk/+`,
    otaStatus: `${base}/ota/status`,
    listen: `${base}/listen`,
  };
}

/** A private reply topic for one CLI client (used as the MQTT 5 response topic). */
export function clientReplyTopic(prefix: string, clientId: string): string {
  return `${prefix}/_client/${clientId}/reply`;
}

export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';
