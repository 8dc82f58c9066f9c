// The broker a lone board runs when no broker URL is configured: aedes (MQTT 3.1.1) on loopback.
// If something already listens on that address, we use it instead and say so.
import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

export interface EmbeddedBroker {
  url: string;
  /** True when we started aedes; false when we found a broker already listening. */
  isOurs: boolean;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(host: string, port: number, log: Logger): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  // noDelay: without it, Nagle holds a small reply packet until the previous one is acked (delayed
  // ACK, ~40 ms on Linux): measured by `npm run bench -- web`, a turn over MQTT went from 56 to 6 ms (p50).
  const server = net.createServer({ noDelay: true }, broker.handle);
  const listened = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(port, host, () => resolve(null));
  });
  if (listened?.code === 'EADDRINUSE') {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const url = `mqtt://${hostForUrl(host)}:${port}`;
    log.warn({ url }, 'a broker already listens on the embedded broker address; using it instead of starting one');
    return { url, isOurs: false, close: async () => undefined };
  }
  if (listened) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw listened;
  }
  server.on('error', (err) => log.error({ err }, 'embedded broker server error'));
  const address = server.address() as net.AddressInfo;
  const url = `mqtt://${hostForUrl(host)}:${address.port}`;
  log.info({ url }, 'no broker configured: embedded MQTT broker (aedes) listening');
  return {
    url,
    isOurs: true,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
        // Connected clients keep the server open; aedes.close() ends them first.
      }),
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
