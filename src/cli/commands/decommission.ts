// `wulf decommission`: remove this board from Home Assistant by clearing every retained discovery
// config under `<prefix>/+/wulf_<id>/+/config` (an empty retained payload deletes an entity).
import type { Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';
import { nodeId, sharedTopics } from '../../mqtt/index.js';
import { AskFailure, connectClient } from '../ask-client.js';

export function registerDecommission(program: Command): void {
  program
    .command('decommission')
    .description('remove this device from Home Assistant (clears its retained MQTT discovery configs)')
    .option('-c, --config <file>', 'config file')
    .option('--broker <url>', 'broker URL')
    .option('--device <id>', 'device id')
    .option('--wait <ms>', 'how long to collect retained configs', (v) => Number(v), 1500)
    .action(async (flags: { config?: string; broker?: string; device?: string; wait: number }) => {
      const config = await configOrExit(flags.config);
      const url = flags.broker ?? config.mqtt.url ?? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}`;
      const node = nodeId(flags.device ?? config.deviceId);
      const prefix = config.homeAssistant.discoveryPrefix;
      let client;
      try {
        client = await connectClient(url, 5000, { ...(config.mqtt.username ? { username: config.mqtt.username } : {}), ...(config.mqtt.password ? { password: config.mqtt.password } : {}) });
      } catch (err) {
        if (!(err instanceof AskFailure)) throw err;
        process.stderr.write(`wulf: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      const found = new Set<string>();
      client.on('message', (topic, payload, packet) => {
        if (packet.retain && payload.length > 0) found.add(topic);
      });
      await client.subscribeAsync(`${prefix}/+/${node}/+/config`, { qos: 1 });
      await new Promise((r) => setTimeout(r, flags.wait));
      await client.unsubscribeAsync(`${prefix}/+/${node}/+/config`);
      for (const topic of found) await client.publishAsync(topic, '', { qos: 1, retain: true });
      await client.endAsync();
      process.stdout.write(`removed ${found.size} Home Assistant entities of ${node} (${sharedTopics(prefix).haConfig('<component>', node, '<object>')})\n`);
    });
}
