/**
 * containerd with kc's own shim (`io.containerd.kc.v2`, one long-lived Node
 * process that creates containers in-process) beside containerd's runc shim
 * (`io.containerd.runc.v2`, a runc call per operation), in one run against
 * one private containerd: `ctr run --rm` of busybox `/bin/true`,
 *  - `new shim`: each run starts its own shim (ctr's default);
 *  - `running shim`: each run joins a pod sandbox whose shim is already
 *    running (the `io.kubernetes.cri.sandbox-id` annotation both shims group
 *    by), which is how Kubernetes runs the containers of a pod;
 *  - `a pod with two containers through CRI`: RunPodSandbox, two containers
 *    created and started, stopped and removed with the pod, over the CRI
 *    socket as kubelet calls it (`kc` and `runc` runtime handlers).
 * The tools take turns within each round; medians of wall time, as ratios.
 *
 * Run: pnpm exec tsx bench/shim.ts [--runs N] (as root; needs containerd,
 * ctr, runc, busybox-static and a built @kc/container).
 */
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startContainerd } from '../packages/container/test/containerd-daemon.js';
import { criConnect } from '../packages/container/test/cri-client.js';
import { type CaseStats, summarise } from './lib/measure.js';
import { report } from './lib/report.js';

const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag >= 0 ? process.argv[runsFlag + 1] : (process.env.RUNS ?? 20));
const warmup = 3;
const binDir = resolve(fileURLToPath(new URL('../packages/container/bin', import.meta.url)));

const dir = mkdtempSync(join(tmpdir(), 'kc-bench-shim-'));
// CRI keeps its pods in containerd's k8s.io namespace, so the images (and ctr's runs) go there too; this containerd is private.
const ns = 'k8s.io';
// The pods' cgroups go under this parent, removed at the end.
const cgroupParent = `kc-bench-shim-${process.pid}`;
const cd = await startContainerd(dir, ns, { PATH: `${binDir}:${process.env.PATH}`, KC_SHIM_ROOT: join(dir, 'kc'), KC_SHIM_SOCKET_DIR: join(dir, 's') }, [], {
  handlers: { kc: 'io.containerd.kc.v2', runc: 'io.containerd.runc.v2' },
});
const cri = criConnect(cd.sock);
const shims = [
  { tool: 'kc', runtime: 'io.containerd.kc.v2' },
  { tool: 'runc', runtime: 'io.containerd.runc.v2' },
] as const;

let n = 0;
/** CRI's NamespaceMode.NODE: host-network pods need no CNI. */
const NODE = 2;

/** A pod through CRI as kubelet drives it: RunPodSandbox, two containers created and started, then stopped and removed with the pod. */
async function criPod(handler: string): Promise<void> {
  const i = n++;
  const sandboxConfig = {
    metadata: { name: `bench-${handler}-${i}`, uid: `uid-${handler}-${i}-${process.pid}`, namespace: 'default', attempt: 0 },
    logDirectory: join(dir, 'logs', `${handler}-${i}`),
    linux: { cgroupParent: `/${cgroupParent}/${handler}`, securityContext: { namespaceOptions: { network: NODE } } },
  };
  const { podSandboxId } = await cri.runtime('RunPodSandbox', { config: sandboxConfig, runtimeHandler: handler });
  const ids: string[] = [];
  for (const name of ['a', 'b']) {
    const { containerId } = await cri.runtime('CreateContainer', {
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name }, image: { image: cd.image }, command: ['sleep', '100000'], logPath: `${name}.log` },
    });
    await cri.runtime('StartContainer', { containerId });
    ids.push(containerId as string);
  }
  for (const containerId of ids) await cri.runtime('StopContainer', { containerId, timeout: 0n });
  for (const containerId of ids) await cri.runtime('RemoveContainer', { containerId });
  await cri.runtime('StopPodSandbox', { podSandboxId });
  await cri.runtime('RemovePodSandbox', { podSandboxId });
}
/** `ctr run --rm` of /bin/true under `runtime`; throws unless it exits 0. */
function runTrue(runtime: string, extra: string[] = []): void {
  const r = cd.ctr(['run', '--rm', '--runtime', runtime, '--fifo-dir', join(dir, 'fifo'), ...extra, cd.image, `bench-${n++}`, '/bin/true']);
  if (r.status !== 0) throw new Error(`ctr run --runtime ${runtime} exited ${r.status}: ${r.stderr.trim()}`);
}

/** One case: each shim in turn for `warmup + runs` rounds (the order rotating), the timed rounds summarised. */
function measureCase(name: string, once: (shim: (typeof shims)[number]) => void): CaseStats[] {
  const samples = new Map<string, number[]>(shims.map((s) => [s.tool, []]));
  for (let round = 0; round < warmup + runs; round++) {
    const order = round % 2 === 0 ? shims : [...shims].reverse();
    for (const s of order) {
      const t0 = performance.now();
      once(s);
      if (round >= warmup) samples.get(s.tool)?.push(performance.now() - t0);
    }
  }
  return shims.map((s) => summarise(name, s.tool, samples.get(s.tool) ?? []));
}

/** As measureCase, for an asynchronous operation taking the CRI handler's name (the tool's). */
async function measureAsync(name: string, once: (tool: string) => Promise<void>): Promise<CaseStats[]> {
  const samples = new Map<string, number[]>(shims.map((s) => [s.tool, []]));
  for (let round = 0; round < warmup + runs; round++) {
    const order = round % 2 === 0 ? shims : [...shims].reverse();
    for (const s of order) {
      const t0 = performance.now();
      await once(s.tool);
      if (round >= warmup) samples.get(s.tool)?.push(performance.now() - t0);
    }
  }
  return shims.map((s) => summarise(name, s.tool, samples.get(s.tool) ?? []));
}

const cases: CaseStats[] = [];
try {
  cases.push(...measureCase('ctr run --rm /bin/true: new shim', (s) => runTrue(s.runtime)));
  // A pod sandbox per shim, whose shim the measured containers join.
  const pods = new Map<string, string>();
  for (const s of shims) {
    const pod = `bench-pod-${s.tool}`;
    const r = cd.ctr(['run', '-d', '--runtime', s.runtime, '--fifo-dir', join(dir, 'fifo'), cd.image, pod, 'sleep', '100000']);
    if (r.status !== 0) throw new Error(`pod sandbox under ${s.runtime}: ${r.stderr.trim()}`);
    pods.set(s.tool, pod);
  }
  cases.push(
    ...measureCase('ctr run --rm /bin/true: running shim', (s) => runTrue(s.runtime, ['--annotation', `io.kubernetes.cri.sandbox-id=${pods.get(s.tool)}`])),
  );
  cases.push(...(await measureAsync('a pod with two containers through CRI', criPod)));
} finally {
  cri.close();
  const left = await cd.stop(); // kills and removes the pods and anything a failed run left
  // containerd puts each namespace's containers in a cgroup parent named after it: this run's, now empty.
  // The pods' parent below it is this run's alone; k8s.io may be shared with another private containerd, so only an empty one goes.
  for (const h of existsSync('/sys/fs/cgroup/unified') ? readdirSync('/sys/fs/cgroup') : ['.']) {
    for (const p of ['kc', 'runc', ''].map((sub) => join('/sys/fs/cgroup', h, cgroupParent, sub)).concat(join('/sys/fs/cgroup', h, ns))) {
      try {
        if (existsSync(p) && statSync(p).isDirectory()) rmdirSync(p);
      } catch {
        /* in use by another containerd's k8s.io tasks */
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (left.length) console.error(`left mounted: ${left.join(', ')}`);
}

report('shim', cases);
