#!/usr/bin/env node
// The `wulf` command. Parses arguments, then hands over to the daemon, the MQTT client or doctor.
// Exit codes are the same for every subcommand (see EXIT_CODES_HELP).
import { Command, InvalidArgumentError } from 'commander';
import { runDaemon, VERSION } from '../daemon/index.js';
import { ask, AskFailure, type AskOutcome } from './ask-client.js';
import { runDoctor } from './doctor.js';
import { configOrExit } from './config-or-exit.js';
import { registerMemoryCommands } from './commands/memory.js';
import { registerDecommission } from './commands/decommission.js';
import { registerModelCommands } from './commands/model.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerNluCommands } from './commands/nlu.js';
import { registerOtaCommands } from './commands/ota.js';
import { registerFluidCommands } from './commands/fluid.js';
import { registerListenCommand } from './commands/listen.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failure (an error reply from wulf, a failed doctor check, a crash)
  2  bad usage or bad config (the message names the key)
  3  the MQTT broker cannot be reached
  4  no reply in time (daemon not running, or another device id)`;

interface ClientFlags {
  config?: string;
  broker?: string;
  device?: string;
  timeout: number;
  json?: boolean;
  lang?: 'en' | 'fr';
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function lang(value: string): 'en' | 'fr' {
  if (value !== 'en' && value !== 'fr') throw new InvalidArgumentError('must be "en" or "fr"');
  return value;
}

/** Send one turn to the daemon named by flags/env/config; exits on broker or timeout failures. */
async function askFromCli(text: string, flags: ClientFlags): Promise<AskOutcome> {
  const config = await configOrExit(flags.config);
  const url = flags.broker ?? config.mqtt.url ?? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}`;
  try {
    return await ask({
      url,
      prefix: config.mqtt.topicPrefix,
      deviceId: flags.device ?? config.deviceId,
      text,
      timeoutMs: flags.timeout,
      ...(flags.lang ? { lang: flags.lang } : {}),
      ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
      ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
    });
  } catch (err) {
    if (err instanceof AskFailure) {
      process.stderr.write(`wulf: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
}

function clientOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: $WULF_CONFIG, then /etc/wulf/config.json under systemd)')
    .option('--broker <url>', 'broker URL (default: the config\'s, else the embedded broker address)')
    .option('--device <id>', 'device id of the daemon (default: the config\'s, else the host name)')
    .option('--timeout <ms>', 'how long to wait for the reply', positiveInt, 10_000)
    .option('--json', 'print the reply as JSON');
}

function buildProgram(): Command {
  const program = new Command('wulf').version(VERSION).description('Wulf: an offline assistant for small boards').addHelpText('after', EXIT_CODES_HELP);
  program.showHelpAfterError();
  program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

  program
    .command('run')
    .description('run the daemon (logs JSON to stdout; systemd notify when $NOTIFY_SOCKET is set)')
    .option('-c, --config <file>', 'config file (default: $WULF_CONFIG, then /etc/wulf/config.json under systemd)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: { config?: string }) => runDaemon({ ...(flags.config ? { configPath: flags.config } : {}), env: process.env }));

  clientOptions(program.command('ask').argument('<text>', 'what to say to wulf (a sentence or a /command)'))
    .description('send one turn to a running daemon over MQTT and print the reply')
    .option('--lang <lang>', 'language of the request: en or fr', lang)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (text: string, flags: ClientFlags) => {
      const outcome = await askFromCli(text, flags);
      const body = outcome.kind === 'reply' ? outcome.reply : outcome.error;
      if (flags.json) process.stdout.write(`${JSON.stringify(body)}\n`);
      else if (outcome.kind === 'reply') process.stdout.write(`${outcome.reply.text}\n`);
      else process.stderr.write(`wulf: ${outcome.error.code}: ${outcome.error.message}\n`);
      process.exitCode = outcome.kind === 'reply' ? 0 : 1;
    });

  clientOptions(program.command('status'))
    .description("show a running daemon's status (uptime, MQTT, memory, models, RSS)")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: ClientFlags) => {
      const outcome = await askFromCli('/status', flags);
      if (outcome.kind !== 'reply') {
        process.stderr.write(`wulf: ${outcome.error.code}: ${outcome.error.message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(flags.json ? `${JSON.stringify(outcome.reply.data ?? {})}\n` : `${outcome.reply.text}\n`);
    });

  program
    .command('doctor')
    .description('check that this machine can run wulf (node, config, state dir, broker, models, microphone)')
    .option('-c, --config <file>', 'config file to check')
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: { config?: string; json?: boolean }) => {
      const checks = await runDoctor({ ...(flags.config ? { configPath: flags.config } : {}), env: process.env });
      if (flags.json) process.stdout.write(`${JSON.stringify(checks)}\n`);
      else for (const c of checks) process.stdout.write(`${c.state.padEnd(4)}  ${c.name.padEnd(10)}  ${c.detail}\n`);
      process.exitCode = checks.some((c) => c.state === 'fail') ? 1 : 0;
    });

  registerMemoryCommands(program);
  registerDecommission(program);
  registerModelCommands(program);
  registerNluCommands(program);
  registerGenerateCommand(program);
  registerFluidCommands(program);
  registerOtaCommands(program);
  registerListenCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
