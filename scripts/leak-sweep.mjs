#!/usr/bin/env node
// Leak sweep around the test lanes that touch the kernel: a snapshot of the
// host state tests create (and must remove) before the lane, and a comparison
// after it that fails on any difference.
//
//   node scripts/leak-sweep.mjs snapshot FILE   # write the snapshot
//   node scripts/leak-sweep.mjs compare FILE    # exit 1 and print every difference
//
// What it looks at, and why each one:
//   cgroup    every directory at every depth of every hierarchy under
//             /sys/fs/cgroup (v1 controllers, the named systemd one, cgroup2):
//             a test's cgroup left deep inside a parent is still a leak;
//   mount     /proc/self/mountinfo contents (root, mount point, options,
//             propagation, type, source; not mount ids, which are reused), as
//             a multiset: a mount replaced by another is not "the same count";
//   netns     /run/netns and /var/run/netns entries (ip-netns(8) bind mounts);
//   link      network interface names (`ip -o link`): veth pairs, bridges;
//   state     entries of the state roots kc and the peers use (/run/kc,
//             /run/runc, /run/crun, podman's container store) and /tmp/kc-*
//             scratch trees tests make;
//   process   live processes that are kc-init, criu, runc, crun or conmon
//             (by program name or comm: a container init that outlived its test).
// Paths matching a regex in scripts/leak-sweep-ignore.txt are left out: state
// that is not the project's and changes on its own (each with its reason).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ignoreFile = join(dirname(fileURLToPath(import.meta.url)), 'leak-sweep-ignore.txt');
const ignore = existsSync(ignoreFile)
  ? readFileSync(ignoreFile, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => new RegExp(l))
  : [];
const kept = (entry) => !ignore.some((re) => re.test(entry));

function dirs(root) {
  const out = [];
  const walk = (d) => {
    out.push(d);
    let entries = [];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed while walking: it is then absent, as it should be
    }
    // isDirectory() on a Dirent does not follow symlinks (cpu -> cpu,cpuacct).
    for (const e of entries) if (e.isDirectory()) walk(join(d, e.name));
  };
  if (existsSync(root)) walk(root);
  return out;
}

function list(dir) {
  try {
    return readdirSync(dir).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function mounts() {
  // mountinfo: id parent major:minor root mountpoint options optional... - type source superoptions
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(2).join(' '));
}

function links() {
  try {
    return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(': ')[1].split('@')[0]);
  } catch (e) {
    throw new Error(`leak-sweep: ip -o link failed: ${e.message}`);
  }
}

const RUNTIMES = new Set(['kc-init', 'criu', 'runc', 'crun', 'conmon']);

function processes() {
  const out = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let argv = [];
    let comm = '';
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // exited
    }
    // The program itself, not a mention in an argument (a build script named build-kc-init.sh is not one).
    const program = (argv[0] ?? '').split('/').pop();
    if (RUNTIMES.has(program) || RUNTIMES.has(comm)) out.push(`${pid} ${argv.join(' ').trim()}`);
  }
  return out;
}

function snapshot() {
  const state = [
    ...['/run/kc', '/run/runc', '/run/crun', '/var/lib/containers/storage/overlay-containers'].flatMap(list),
    ...list('/tmp').filter((p) => /^\/tmp\/kc-/.test(p)),
  ];
  const s = {
    cgroup: dirs('/sys/fs/cgroup'),
    mount: mounts(),
    netns: [...list('/run/netns'), ...list('/var/run/netns')],
    link: links(),
    state,
    process: processes(),
  };
  for (const k of Object.keys(s)) s[k] = s[k].filter(kept).sort();
  return s;
}

/** Multiset difference a - b. */
function minus(a, b) {
  const left = new Map();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

const [cmd, file] = process.argv.slice(2);
if (cmd === 'snapshot' && file) {
  writeFileSync(file, `${JSON.stringify(snapshot(), null, 1)}\n`);
} else if (cmd === 'compare' && file) {
  const before = JSON.parse(readFileSync(file, 'utf8'));
  const after = snapshot();
  let differences = 0;
  for (const kind of Object.keys(after)) {
    for (const x of minus(after[kind], before[kind] ?? [])) {
      console.log(`leak-sweep: + ${kind} ${x}`);
      differences++;
    }
    for (const x of minus(before[kind] ?? [], after[kind])) {
      console.log(`leak-sweep: - ${kind} ${x}`);
      differences++;
    }
  }
  console.log(`leak-sweep: ${differences} difference(s) (+ appeared during the run, - disappeared)`);
  process.exit(differences > 0 ? 1 : 0);
} else {
  console.error('usage: leak-sweep.mjs snapshot|compare FILE');
  process.exit(2);
}
