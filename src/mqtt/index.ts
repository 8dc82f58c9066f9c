// Public API of the MQTT boundary: topics, payload shapes, the link, the embedded broker.
export { deviceTopics, clientReplyTopic, STATUS_ONLINE, STATUS_OFFLINE, type Topics } from './topics.js';
export { parseAsk, isInputError, type AskRequest, type InputError, type ErrorCode, type ReplyPayload, type ErrorPayload } from './messages.js';
export { MqttLink, redactUrl, type LinkState, type InboundMessage, type LinkOptions } from './link.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
export { sharedTopics, safeLevel, type SharedTopics } from './topics.js';
export { discoveryMessages, intentEventPayload, nodeId, CLOUD_MODES, type CloudMode, type DiscoveryMessage, type DiscoveryInput } from './discovery.js';
export {
  parseNluQuery, parseTtsSay, nluIntentPayload, intentNotRecognizedPayload, sayFinishedPayload, parseAsrStartListening, hotwordDetectedPayload, startListeningPayload,
  textCapturedPayload, stopListeningPayload, ttsSayPayload, audioFrameSite, playFinishedSite, parseAudioPlayFinished, type NluQuery, type TtsSay, type HermesSlotInput, type AsrStartListening,
} from './hermes.js';
export { connectClient, BrokerUnreachable } from './connect.js';
