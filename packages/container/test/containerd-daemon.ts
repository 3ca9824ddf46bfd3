/**
 * A private containerd for tests: its own root, state, socket and config
 * (no CRI unless asked for, only the overlayfs and native snapshotters), a busybox image
 * imported from a tarball built here (no registry), and `ctr` bound to its
 * socket and a test namespace. `stop` removes every task and container it
 * left, stops the daemon and reports what it left mounted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBusyboxRootfs } from '@kc/container';
import { waitUntil } from './crash-helpers.js';
import { buildOciArchive } from './oci-image.js';

/** One `ctr` call's outcome. */
export interface CtrResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A running private containerd. */
export interface TestContainerd {
  readonly sock: string;
  readonly ns: string;
  readonly image: string;
  /** With CRI: the pod sandbox image (busybox waiting forever), imported like `image`. */
  readonly sandboxImage: string;
  ctr(args: readonly string[], timeoutMs?: number): CtrResult;
  /** The end of containerd's log (shim logs included), for a failure message. */
  logTail(lines?: number): string;
  /** Deletes leftover tasks and containers, stops containerd, lazily unmounts and returns what was still mounted under `dir`. */
  stop(): Promise<string[]>;
}

/** Enables containerd's CRI plugin (issue #17): runtime handlers by name → runtime_type. */
export interface CriOptions {
  /** e.g. `{ kc: 'io.containerd.kc.v2', runc: 'io.containerd.runc.v2' }`; the first is the default. */
  handlers: Readonly<Record<string, string>>;
}

/** Whether this process holds CAP_SYS_RESOURCE (bit 24 of CapEff, capabilities(7)). */
function hasCapSysResource(): boolean {
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${eff}`) >> 24n) & 1n) === 1n;
}

/** The CRI plugin's config: the handlers, a local sandbox image, host-network pods only (an empty CNI config dir), a streaming server on a free port. */
function criConfig(dir: string, sandboxImage: string, cri: CriOptions): string[] {
  const p = 'plugins."io.containerd.grpc.v1.cri"';
  const names = Object.keys(cri.handlers);
  return [
    `[${p}]`,
    `  sandbox_image = "${sandboxImage}"`,
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  disable_apparmor = true',
    // A pod sandbox asks for oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE, which some
    // sandboxed hosts (this CI's among them) do not grant root. Clamp to containerd's own value there.
    `  restrict_oom_score_adj = ${!hasCapSysResource()}`,
    `  [${p}.containerd]`,
    '    snapshotter = "overlayfs"',
    `    default_runtime_name = "${names[0]}"`,
    ...names.flatMap((n) => [`  [${p}.containerd.runtimes.${n}]`, `    runtime_type = "${cri.handlers[n]}"`]),
    `  [${p}.cni]`,
    `    bin_dir = "${join(dir, 'cni', 'bin')}"`,
    `    conf_dir = "${join(dir, 'cni', 'net.d')}"`,
  ];
}

/**
 * Starts containerd under `dir` with `env` added to its environment (the
 * shims it runs inherit it) and `config` lines appended to its config.toml.
 */
export async function startContainerd(
  dir: string,
  ns: string,
  env: NodeJS.ProcessEnv = {},
  config: readonly string[] = [],
  cri?: CriOptions,
): Promise<TestContainerd> {
  const sock = join(dir, 'containerd.sock');
  const root = join(dir, 'root');
  const image = `localhost/kc-busybox:${process.pid}`;
  const sandboxImage = `localhost/kc-pause:${process.pid}`;
  mkdirSync(root, { recursive: true });
  const configFile = join(dir, 'config.toml');
  writeFileSync(
    configFile,
    [
      'version = 2',
      `root = "${root}"`,
      `state = "${join(dir, 'state')}"`,
      `disabled_plugins = [${cri ? '' : '"io.containerd.grpc.v1.cri", '}"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",`,
      '  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",',
      '  "io.containerd.internal.v1.tracing"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      ...config,
      ...(cri ? criConfig(dir, sandboxImage, cri) : []),
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, 'containerd.log'), 'w');
  const daemon: ChildProcess = spawn('containerd', ['--config', configFile], { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  const ctr = (args: readonly string[], timeout = 60_000): CtrResult => {
    const r = spawnSync('ctr', ['--address', sock, '--namespace', ns, ...args], { encoding: 'utf8', timeout });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  await waitUntil(() => ctr(['version'], 5_000).status === 0, 'containerd answers on its socket', 30_000);

  const work = join(dir, 'image');
  mkdirSync(work);
  buildBusyboxRootfs(join(work, 'rootfs'));
  buildOciArchive(join(work, 'rootfs'), image, work, join(work, 'image.tar'));
  const imp = ctr(['images', 'import', join(work, 'image.tar')]);
  if (imp.status !== 0) throw new Error(`ctr images import failed: ${imp.stderr}`);
  if (cri) {
    mkdirSync(join(work, 'pause'));
    buildOciArchive(join(work, 'rootfs'), sandboxImage, join(work, 'pause'), join(work, 'pause.tar'), ['sleep', '2147483647']);
    const pause = ctr(['images', 'import', join(work, 'pause.tar')]);
    if (pause.status !== 0) throw new Error(`ctr images import of the sandbox image failed: ${pause.stderr}`);
  }
  rmSync(work, { recursive: true, force: true });

  return {
    sock,
    ns,
    image,
    sandboxImage,
    ctr,
    logTail: (lines = 40) => readFileSync(join(dir, 'containerd.log'), 'utf8').split('\n').slice(-lines).join('\n'),
    async stop() {
      for (const id of ctr(['task', 'ls', '-q']).stdout.split('\n').filter(Boolean)) ctr(['task', 'delete', '--force', id]);
      for (const id of ctr(['container', 'ls', '-q']).stdout.split('\n').filter(Boolean)) ctr(['container', 'rm', id]);
      if (daemon.exitCode === null) {
        const exited = new Promise((r) => daemon.once('exit', r));
        daemon.kill('SIGTERM');
        await exited;
      }
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4])
        .filter((p): p is string => p?.startsWith(dir) === true);
      for (const m of [...mounts].reverse()) spawnSync('umount', ['-l', m]);
      return mounts;
    },
  };
}

/**
 * containerd for the kc shim's tests: the package's bin/ on its PATH (it finds
 * containerd-shim-kc-v2 there), the shim's state (`KC_SHIM_ROOT`) and sockets
 * (`KC_SHIM_SOCKET_DIR`) under `dir` (`dir/kc`, `dir/s`), and 60 s for a dead
 * shim's `delete` (containerd's 5 s default is too short for Node to start
 * under the VM lanes' emulation).
 */
export function startShimContainerd(dir: string, ns: string): Promise<TestContainerd> {
  const binDir = fileURLToPath(new URL('../bin', import.meta.url));
  const env = { PATH: `${binDir}:${process.env.PATH}`, KC_SHIM_ROOT: join(dir, 'kc'), KC_SHIM_SOCKET_DIR: join(dir, 's') };
  return startContainerd(dir, ns, env, ['[timeouts]', '  "io.containerd.timeout.shim.cleanup" = "60s"']);
}

/**
 * Stops a {@link startShimContainerd} containerd, removes the cgroup parent
 * containerd made for the namespace (empty by then) and `dir`; returns what
 * was still mounted under `dir` (see {@link TestContainerd.stop}).
 */
export async function stopShimContainerd(cd: TestContainerd | undefined, dir: string, ns: string): Promise<string[]> {
  try {
    return cd ? await cd.stop() : [];
  } finally {
    for (const h of existsSync('/sys/fs/cgroup/unified') ? readdirSync('/sys/fs/cgroup') : ['.']) {
      const p = join('/sys/fs/cgroup', h, ns);
      if (existsSync(p) && statSync(p).isDirectory()) rmdirSync(p);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The kc shim daemons of one test: `serve` processes started with
 * `KC_SHIM_SOCKET_DIR=socketDir` (each test has its own), naming task `id`
 * on their command line when given.
 */
export function kcShimDaemons(socketDir: string, id?: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        if (!argv.includes('serve') || (id !== undefined && !argv.includes(id))) return false;
        return readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`KC_SHIM_SOCKET_DIR=${socketDir}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
