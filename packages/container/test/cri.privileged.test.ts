/**
 * Kubernetes' path into kc (issue #17): containerd's CRI plugin with a `kc`
 * runtime handler (runtime_type io.containerd.kc.v2, bin/containerd-shim-kc-v2)
 * driven the way kubelet drives it, over containerd's CRI gRPC socket:
 * RunPodSandbox (host network, then a pod network from Debian's CNI bridge
 * plugin), CreateContainer, StartContainer, ExecSync, ContainerStatus,
 * StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox. The same
 * calls go to the `runc` handler as the oracle and the observable results
 * must match. For kc the test also proves that one shim process serves the
 * whole pod and that nothing (process, kc state, mount, cgroup, network
 * namespace, veth) is left once the pod is removed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcShimDaemons, startContainerd, type TestContainerd } from './containerd-daemon.js';
import { waitUntil } from './crash-helpers.js';
import { type CriClient, criConnect } from './cri-client.js';
import { probe, tempDir } from './helpers.js';

const binDir = resolve(dirname(fileURLToPath(import.meta.url)), '../bin');
const dir = tempDir('kc-cri-');
const socketDir = join(dir, 's');
const kcRoot = join(dir, 'kc');
// CRI keeps everything in containerd's k8s.io namespace.
const ns = 'k8s.io';
// Every pod's cgroups go under this parent, so the test can tell what it made.
const cgroupParent = `kc-cri-${process.pid}`;
// CRI's enums (runtime.v1): NamespaceMode.NODE, ContainerState.
const NODE = 2;
const RUNNING = 1;
const EXITED = 2;
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
// The pod network: Debian's containernetworking-plugins (bridge, host-local IPAM, loopback), a bridge of this
// test's own (no gateway, no masquerade: no host sysctl or iptables rule changes) on a /24 of its own.
const CNI_PLUGINS = '/usr/lib/cni';
const cniPlugins = ['bridge', 'host-local', 'loopback'].every((p) => existsSync(join(CNI_PLUGINS, p)));
const bridge = `kccni${process.pid % 100000}`;
const subnet = `10.251.${process.pid % 250}.0/24`;
const netnsDir = '/var/run/netns';
const netnsNames = () => (existsSync(netnsDir) ? readdirSync(netnsDir) : []);
let cd: TestContainerd;
let cri: CriClient;

/** kc shim daemons of this test. */
const kcShims = () => kcShimDaemons(socketDir);
/** Cgroup directories left under `cgroupParent/<handler>` in any hierarchy. */
const cgroupsUnder = (handler: string) =>
  readdirSync('/sys/fs/cgroup')
    .map((h) => join('/sys/fs/cgroup', h, cgroupParent, handler))
    .filter(isDir)
    .flatMap((d) =>
      readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(d, e.name)),
    );
const mountsUnder = (p: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m?.startsWith(p) === true);
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** What a pod run through `handler` shows from outside, for comparison with runc. */
interface PodRun {
  sandboxReady: boolean;
  running: number;
  exec: { stdout: string; stderr: string; exitCode: number };
  selfExit: { state: number; exitCode: number; reason: string; log: string };
  stopped: { state: number; exitCode: number; reason: string };
  /** While the pod ran: its containers had cgroups under the pod's parent, and rootfs mounts under containerd's state dir. */
  cgroupsDuringPod: boolean;
  mountsDuringPod: boolean;
  /** kc only: the shim daemons while the sandbox and both containers existed, and whether the one shim is the sandbox's. */
  shimsDuringPod: number;
  shimIsSandboxes: boolean;
  kcStateDuringPod: string[];
  leftContainers: number;
  leftSandboxes: number;
}

async function runPod(handler: string): Promise<PodRun> {
  const logDirectory = join(dir, 'logs', handler);
  const sandboxConfig = {
    metadata: { name: `pod-${handler}`, uid: `uid-${handler}-${process.pid}`, namespace: 'default', attempt: 0 },
    logDirectory,
    linux: { cgroupParent: `/${cgroupParent}/${handler}`, securityContext: { namespaceOptions: { network: NODE } } },
  };
  const { podSandboxId } = await cri.runtime('RunPodSandbox', { config: sandboxConfig, runtimeHandler: handler });
  const sandbox = await cri.runtime('PodSandboxStatus', { podSandboxId });
  const container = async (name: string, command: string[]) => {
    const { containerId } = await cri.runtime('CreateContainer', {
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name }, image: { image: cd.image }, command, logPath: `${name}.log` },
    });
    await cri.runtime('StartContainer', { containerId });
    return containerId as string;
  };
  const status = async (containerId: string) => (await cri.runtime('ContainerStatus', { containerId })).status;

  const sleeper = await container('sleeper', ['sleep', '1000']);
  const running = (await status(sleeper)).state;
  const ex = await cri.runtime('ExecSync', { containerId: sleeper, cmd: ['sh', '-c', 'echo hi; echo err >&2; exit 3'], timeout: 60n });

  const quitter = await container('quitter', ['sh', '-c', 'echo out; exit 7']);
  // Poll ContainerStatus (what kubelet does) until the command has ended on its own.
  let ended = await status(quitter);
  for (const end = Date.now() + 30_000; ended.state !== EXITED; ended = await status(quitter)) {
    if (Date.now() > end) throw new Error(`${handler}: quitter still in state ${ended.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Both containers and the sandbox exist in the pod here; kc must serve them from one shim.
  const shims = handler === 'kc' ? kcShims() : [];
  const shimIsSandboxes = shims.length === 1 && readFileSync(`/proc/${shims[0]}/cmdline`, 'utf8').split('\0').includes(podSandboxId);
  // kc's state, by role: the quitter's went when CRI deleted its task on exit (as runc's would).
  const role = (n: string) => (n === podSandboxId ? 'sandbox' : n === sleeper ? 'sleeper' : n === quitter ? 'quitter' : n);
  const kcStateDuringPod = handler === 'kc' ? readdirSync(join(kcRoot, ns)).map(role).sort() : [];
  const cgroupsDuringPod = cgroupsUnder(handler).some((d) => d.endsWith(sleeper));
  const mountsDuringPod = mountsUnder(join(dir, 'state')).some((m) => m.includes(sleeper));

  await cri.runtime('StopContainer', { containerId: sleeper, timeout: 2n });
  const stopped = await status(sleeper);
  for (const containerId of [sleeper, quitter]) await cri.runtime('RemoveContainer', { containerId });
  await cri.runtime('StopPodSandbox', { podSandboxId });
  await cri.runtime('RemovePodSandbox', { podSandboxId });
  const left = (await cri.runtime('ListContainers', {})).containers.filter((c: any) => c.podSandboxId === podSandboxId);
  const sandboxes = (await cri.runtime('ListPodSandbox', {})).items.filter((s: any) => s.id === podSandboxId);
  return {
    sandboxReady: sandbox.status.state === 0,
    running,
    exec: { stdout: text(ex.stdout), stderr: text(ex.stderr), exitCode: ex.exitCode },
    // CRI's log format: <time> <stream> <F|P> <line>; the time differs run to run.
    selfExit: {
      state: ended.state,
      exitCode: ended.exitCode,
      reason: ended.reason,
      log: readFileSync(join(logDirectory, 'quitter.log'), 'utf8').replace(/^\S+ /gm, ''),
    },
    stopped: { state: stopped.state, exitCode: stopped.exitCode, reason: stopped.reason },
    cgroupsDuringPod,
    mountsDuringPod,
    shimsDuringPod: shims.length,
    shimIsSandboxes,
    kcStateDuringPod,
    leftContainers: left.length,
    leftSandboxes: sandboxes.length,
  };
}

describe.runIf(probe.root)('kubelet-style CRI calls run pods through the kc handler as through runc (needs root)', () => {
  beforeAll(async () => {
    if (cniPlugins) writeCniConfig();
    const env = { PATH: `${binDir}:${process.env.PATH}`, KC_SHIM_ROOT: kcRoot, KC_SHIM_SOCKET_DIR: socketDir };
    cd = await startContainerd(dir, ns, env, ['[timeouts]', '  "io.containerd.timeout.shim.cleanup" = "60s"'], {
      handlers: { kc: 'io.containerd.kc.v2', runc: 'io.containerd.runc.v2' },
    });
    cri = criConnect(cd.sock);
  }, 120_000);

  afterAll(async () => {
    try {
      cri?.close();
      const left = cd ? await cd.stop() : [];
      expect(left).toEqual([]);
    } finally {
      for (const h of readdirSync('/sys/fs/cgroup')) {
        for (const sub of ['kc', 'runc', '']) {
          const p = join('/sys/fs/cgroup', h, cgroupParent, sub);
          if (isDir(p)) rmdirSync(p);
        }
      }
      rmSync(dir, { recursive: true, force: true });
      if (existsSync(`/sys/class/net/${bridge}`)) spawnSync('ip', ['link', 'del', bridge]);
    }
  }, 60_000);

  it('the CRI socket answers Version and reports the runtime ready', async () => {
    const v = await cri.runtime('Version', { version: 'v1' });
    expect(v.runtimeApiVersion).toBe('v1');
    expect(v.runtimeName).toBe('containerd');
    const s = await cri.runtime('Status', {});
    expect(s.status.conditions.find((c: any) => c.type === 'RuntimeReady')?.status).toBe(true);
    const img = await cri.image('ImageStatus', { image: { image: cd.sandboxImage } });
    expect(img.image?.repoTags).toContain(cd.sandboxImage);
  });

  it('a host-network pod under kc matches runc: exec output and exit codes, states, logs, and one kc shim for the pod, nothing left after', async () => {
    // A failed call's message names the runtime's error; containerd's log (shim logs included) says why.
    const withLog = (handler: string) => runPod(handler).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${cd.logTail(30)}`)));
    const runc = await withLog('runc');
    const kc = await withLog('kc');
    // The oracle's own values, so a runc that also misbehaved would not pass.
    expect(runc.exec).toEqual({ stdout: 'hi\n', stderr: 'err\n', exitCode: 3 });
    expect(runc.selfExit).toEqual({ state: EXITED, exitCode: 7, reason: 'Error', log: 'stdout F out\n' });
    expect(runc.running).toBe(RUNNING);
    // The pod shares one pid namespace, so sleep is not pid 1 and SIGTERM ends it.
    expect(runc.stopped).toEqual({ state: EXITED, exitCode: 143, reason: 'Error' });
    expect(runc.cgroupsDuringPod && runc.mountsDuringPod).toBe(true);
    const kcOnly = { shimsDuringPod: 0, shimIsSandboxes: false, kcStateDuringPod: [] };
    expect({ ...kc, ...kcOnly }).toEqual(runc);
    // The sandbox and its two containers were served by ONE kc shim, the sandbox's (the io.kubernetes.cri.sandbox-id grouping), with kc state for the two that still have tasks.
    expect(kc.shimsDuringPod).toBe(1);
    expect(kc.shimIsSandboxes).toBe(true);
    expect(kc.kcStateDuringPod).toEqual(['sandbox', 'sleeper']);

    // After RemovePodSandbox: no shim, no kc state, no mounts, no cgroups, no shim socket.
    await waitUntil(() => kcShims().length === 0, 'the kc shim has exited', 30_000);
    expect(existsSync(join(kcRoot, ns)) ? readdirSync(join(kcRoot, ns)) : []).toEqual([]);
    // Nothing mounted under the test dir at all: no rootfs, no sandbox /dev/shm, while containerd still runs.
    expect(mountsUnder(dir)).toEqual([]);
    expect(cgroupsUnder('kc')).toEqual([]);
    expect(cgroupsUnder('runc')).toEqual([]);
    expect(existsSync(socketDir) ? readdirSync(socketDir) : []).toEqual([]);
  }, 240_000);

  it.runIf(cniPlugins)(
    'pods on a CNI bridge network under kc and runc: each container is in its sandbox’s network namespace with the IP CRI reports, the two pods reach each other, nothing is left after',
    async () => {
      const netnsBefore = netnsNames();
      const runc = await networkedPod('runc');
      const kc = await networkedPod('kc');
      try {
        for (const pod of [runc, kc]) {
          expect(pod.ip).toMatch(new RegExp(`^10\\.251\\.${process.pid % 250}\\.\\d+$`));
          // Seen from inside: eth0 holds the pod's IP. Seen from the host: the container's network namespace is the sandbox's, not the host's.
          expect(pod.eth0).toContain(`inet ${pod.ip}/24`);
          expect(pod.containerNetns).toBe(pod.sandboxNetns);
          expect(pod.containerNetns).not.toBe(readlinkSync('/proc/self/ns/net'));
        }
        expect(kc.ip).not.toBe(runc.ip);
        // Across the bridge, each way: kc's container reaches runc's pod and runc's reaches kc's.
        const ping = (from: NetworkedPod, to: NetworkedPod) =>
          cri.runtime('ExecSync', { containerId: from.container, cmd: ['ping', '-c', '1', '-W', '5', to.ip], timeout: 30n });
        const [kcToRunc, runcToKc] = [await ping(kc, runc), await ping(runc, kc)];
        expect({ exitCode: kcToRunc.exitCode, out: text(kcToRunc.stdout) }).toMatchObject({ exitCode: 0, out: expect.stringContaining('1 packets received') });
        expect({ exitCode: runcToKc.exitCode, out: text(runcToKc.stdout) }).toMatchObject({ exitCode: 0, out: expect.stringContaining('1 packets received') });
        expect(readdirSync(`/sys/class/net/${bridge}/brif`)).toHaveLength(2);
      } finally {
        for (const pod of [kc, runc]) await removePod(pod);
      }
      // CNI DEL ran for both: no veth on the bridge, no network namespace containerd pinned for them; and no kc shim.
      expect(readdirSync(`/sys/class/net/${bridge}/brif`)).toEqual([]);
      expect(netnsNames().filter((n) => !netnsBefore.includes(n))).toEqual([]);
      await waitUntil(() => kcShims().length === 0, 'the kc shim has exited', 30_000);
      expect(existsSync(join(kcRoot, ns)) ? readdirSync(join(kcRoot, ns)) : []).toEqual([]);
    },
    240_000,
  );
});

/** The CNI config CRI reads at start: the plugins linked into its bin dir, one bridge network. */
function writeCniConfig(): void {
  mkdirSync(join(dir, 'cni', 'bin'), { recursive: true });
  mkdirSync(join(dir, 'cni', 'net.d'), { recursive: true });
  for (const p of ['bridge', 'host-local', 'loopback']) symlinkSync(join(CNI_PLUGINS, p), join(dir, 'cni', 'bin', p));
  const ipam = { type: 'host-local', subnet, dataDir: join(dir, 'cni', 'ipam') };
  const conflist = { cniVersion: '1.0.0', name: bridge, plugins: [{ type: 'bridge', bridge, isGateway: false, ipMasq: false, ipam }] };
  writeFileSync(join(dir, 'cni', 'net.d', '10-kc-test.conflist'), JSON.stringify(conflist));
}

/** A pod on the CNI network, running one sleeping container: its IP, and its network seen from inside and from the host. */
interface NetworkedPod {
  sandbox: string;
  container: string;
  ip: string;
  eth0: string;
  sandboxNetns: string;
  containerNetns: string;
}

async function networkedPod(handler: string): Promise<NetworkedPod> {
  const sandboxConfig = {
    metadata: { name: `net-${handler}`, uid: `net-${handler}-${process.pid}`, namespace: 'default', attempt: 0 },
    logDirectory: join(dir, 'logs', `net-${handler}`),
    linux: { cgroupParent: `/${cgroupParent}/${handler}` },
  };
  const { podSandboxId: sandbox } = await cri.runtime('RunPodSandbox', { config: sandboxConfig, runtimeHandler: handler });
  const { containerId: container } = await cri.runtime('CreateContainer', {
    podSandboxId: sandbox,
    sandboxConfig,
    config: { metadata: { name: 'sleeper' }, image: { image: cd.image }, command: ['sleep', '1000'], logPath: 'sleeper.log' },
  });
  await cri.runtime('StartContainer', { containerId: container });
  const ip = (await cri.runtime('PodSandboxStatus', { podSandboxId: sandbox })).status.network.ip as string;
  const eth0 = await cri.runtime('ExecSync', { containerId: container, cmd: ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], timeout: 30n });
  const netnsOf = (id: string) => {
    const pid = cd
      .ctr(['task', 'ls'])
      .stdout.split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[0] === id)?.[1];
    return readlinkSync(`/proc/${pid}/ns/net`);
  };
  return { sandbox, container, ip, eth0: text(eth0.stdout), sandboxNetns: netnsOf(sandbox), containerNetns: netnsOf(container) };
}

async function removePod(pod: NetworkedPod): Promise<void> {
  await cri.runtime('StopContainer', { containerId: pod.container, timeout: 0n });
  await cri.runtime('RemoveContainer', { containerId: pod.container });
  await cri.runtime('StopPodSandbox', { podSandboxId: pod.sandbox });
  await cri.runtime('RemovePodSandbox', { podSandboxId: pod.sandbox });
}
