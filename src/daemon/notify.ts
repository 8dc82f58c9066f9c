// systemd's notify protocol (sd_notify(3)): datagrams of `KEY=value` lines to $NOTIFY_SOCKET.
// Node has no AF_UNIX SOCK_DGRAM, so libc's socket/sendto are called through koffi (prebuilt FFI):
// the datagram leaves the main PID itself, which is what NotifyAccess=main accepts.
import type { Logger } from 'pino';

export interface Notifier {
  /** False when there is no $NOTIFY_SOCKET (not under systemd) or the send failed. */
  send(state: string): boolean;
  readonly isEnabled: boolean;
  close(): void;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_MAX = 108;

const disabled: Notifier = { send: () => false, isEnabled: false, close: () => undefined };

/** sockaddr_un for a path, or for an abstract name written "@name" (sd_notify(3)). */
export function sockaddrUn(socketPath: string): Buffer {
  const isAbstract = socketPath.startsWith('@');
  const name = Buffer.from(isAbstract ? socketPath.slice(1) : socketPath);
  if (name.length + 1 > SUN_PATH_MAX) throw new Error(`NOTIFY_SOCKET path too long (${name.length} bytes)`);
  // Abstract addresses start with a NUL and carry no terminator; the length says where they end.
  const addr = Buffer.alloc(2 + (isAbstract ? 1 + name.length : name.length + 1));
  addr.writeUInt16LE(AF_UNIX, 0); // sa_family_t, host order (all our targets are little-endian)
  name.copy(addr, isAbstract ? 3 : 2);
  return addr;
}

export async function createNotifier(env: Record<string, string | undefined>, log: Logger): Promise<Notifier> {
  const socketPath = env.NOTIFY_SOCKET;
  if (!socketPath) return disabled;
  const { default: koffi } = await import('koffi');
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('int socket(int domain, int type, int protocol)');
  const sendto = libc.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
  const closeFd = libc.func('int close(int fd)');
  const addr = sockaddrUn(socketPath);
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number;
  if (fd < 0) {
    log.error({ errno: koffi.errno() }, 'cannot create the systemd notify socket; running without notify');
    return disabled;
  }
  let isOpen = true;
  return {
    isEnabled: true,
    send(state: string): boolean {
      if (!isOpen) return false;
      const msg = Buffer.from(state);
      const sent = sendto(fd, msg, msg.length, MSG_NOSIGNAL, addr, addr.length) as number;
      if (sent < 0) {
        log.warn({ errno: koffi.errno(), state: state.split('\n')[0] }, 'sd_notify send failed');
        return false;
      }
      return true;
    },
    close(): void {
      if (isOpen) closeFd(fd);
      isOpen = false;
    },
  };
}

/** Interval for WATCHDOG=1 pings: half of $WATCHDOG_USEC, if the watchdog is meant for us. */
export function watchdogIntervalMs(env: Record<string, string | undefined>, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

/** CLOCK_MONOTONIC in µs, as systemd wants with RELOADING=1 (libuv's hrtime is CLOCK_MONOTONIC). */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}
