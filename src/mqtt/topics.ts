// Every MQTT topic string Wulf uses is built here, and only here.
// Base: `<prefix>/<deviceId>/…` (prefix defaults to "wulf").

export interface Topics {
  /** Retained `online` / `offline`; also the MQTT last will. */
  status: string;
  /** In: plain text or JSON `{text, id?, lang?}`. */
  ask: string;
  /** Out: JSON `{id, text, intent, slots, actions, source, latency_ms}`. */
  reply: string;
  /** Out: JSON `{code, message, id?, topic}` for every rejected input. */
  error: string;
  /** Out: JSON timer events (`{event: "finished", id, name, dueAt, firedAt, text}`). */
  timer: string;
}

export function deviceTopics(prefix: string, deviceId: string): Topics {
  const base = `${prefix}/${deviceId}`;
  return {
    status: `${base}/status`,
    ask: `${base}/ask`,
    reply: `${base}/reply`,
    error: `${base}/error`,
    timer: `${base}/timer`,
  };
}

/** A private reply topic for one CLI client (used as the MQTT 5 response topic). */
export function clientReplyTopic(prefix: string, clientId: string): string {
  return `${prefix}/_client/${clientId}/reply`;
}

export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';
