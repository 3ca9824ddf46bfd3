/**
 * Probes for the tools scripts/setup.sh installs (busybox-static, runc,
 * podman, criu, gcc, python3-seccomp, ...), shared by every test file that
 * needs one.
 *
 * A missing tool is not a reason to skip: it means the setup half-failed. In
 * the test command (`scripts/test.sh` exports `KC_TEST_REQUIRE_TOOLS=1`) a
 * probe of a missing tool throws, which fails the file that asked; run by
 * hand without the flag it returns false, so a gate can still leave the tests
 * out on a developer machine. Skips in the test command stay for kernel
 * features only, probed where the test is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs `argv` and says whether it exited 0 (the tool is there and works). */
function runs(argv: string[]): boolean {
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

/** How each tool is found, and which Debian package (scripts/install-system-deps.sh) or script installs it. */
const TOOLS = {
  busybox: { found: () => existsSync('/bin/busybox'), from: 'busybox-static' },
  runc: { found: () => runs(['runc', '--version']), from: 'runc' },
  crun: { found: () => runs(['crun', '--version']), from: 'crun' },
  podman: { found: () => runs(['podman', '--version']), from: 'podman' },
  criu: { found: () => runs(['criu', '--version']), from: 'scripts/install-criu.sh' },
  gcc: { found: () => runs(['gcc', '--version']), from: 'build-essential' },
  python3: { found: () => existsSync('/usr/bin/python3'), from: 'python3' },
  'python3-seccomp': { found: () => runs(['/usr/bin/python3', '-c', 'import seccomp']), from: 'python3-seccomp' },
  scmp_sys_resolver: { found: () => runs(['scmp_sys_resolver', 'read']), from: 'seccomp' },
  capsh: { found: () => runs(['capsh', '--print']), from: 'libcap2-bin' },
  'cgroup-tools': { found: () => existsSync('/usr/bin/cgcreate') && existsSync('/usr/bin/cgget'), from: 'cgroup-tools' },
  unshare: { found: () => existsSync('/usr/bin/unshare'), from: 'util-linux' },
  setpriv: { found: () => existsSync('/usr/bin/setpriv'), from: 'util-linux' },
} as const;

/** A tool the project's setup installs. */
export type Tool = keyof typeof TOOLS;

/** Whether a missing tool fails the test file (set by scripts/test.sh). */
export const toolsRequired = process.env.KC_TEST_REQUIRE_TOOLS === '1';

const cache = new Map<Tool, boolean>();

/**
 * Whether `name` is installed. With `KC_TEST_REQUIRE_TOOLS=1` a missing tool
 * throws instead of returning false.
 * @throws {Error} when the tool is missing and the test command requires it.
 * @example describe.runIf(tool('busybox'))('...', () => {});
 */
export function tool(name: Tool): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    found = TOOLS[name].found();
    cache.set(name, found);
  }
  if (!found && toolsRequired) {
    throw new Error(`${name} is missing: the test command needs it (install ${TOOLS[name].from}; scripts/setup.sh does)`);
  }
  return found;
}

/**
 * Whether this process is root. The host lane runs as root; in the test
 * command a host-lane file running without root is a broken run, not a skip.
 * @throws {Error} when not root and the test command requires the tools.
 */
export function root(): boolean {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && toolsRequired) throw new Error('not root: the host lane needs root (scripts/test.sh runs it only as root)');
  return isRoot;
}
