import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountAttrSupport } from '@kc/native';
import { CAPABILITY_NUMBERS } from '../oci/capability-names.js';
import { defaultConfig, OCI_VERSION } from '../oci/default-config.js';
import { flag, isSet, parseArgs, UsageError } from './args.js';
import { printJson } from './output.js';

/** `kc spec [--bundle DIR]`: writes the default config.json, like `runc spec`. */
export async function specCommand(argv: string[]): Promise<number> {
  const p = parseArgs(argv, [{ name: 'bundle', short: 'b', value: true }, { name: 'rootless' }]);
  if (isSet(p, 'rootless')) throw new UsageError('--rootless is not supported yet: write uidMappings/gidMappings by hand');
  const file = join(flag(p, 'bundle') ?? process.cwd(), 'config.json');
  if (existsSync(file)) throw new UsageError(`File ${file} exists. Remove it first or use another bundle directory`);
  writeFileSync(file, `${JSON.stringify(defaultConfig(), null, 2)}\n`);
  return 0;
}

const RECURSIVE_MOUNT_OPTIONS = [
  'rro',
  'rrw',
  'rnosuid',
  'rsuid',
  'rnodev',
  'rdev',
  'rnoexec',
  'rexec',
  'rnodiratime',
  'rdiratime',
  'rrelatime',
  'rnorelatime',
  'rnoatime',
  'ratime',
  'rstrictatime',
  'rnostrictatime',
  'rnosymfollow',
  'rsymfollow',
];

/** `kc features`: what this runtime supports, in runc's `features` JSON shape (runtime-spec features.md). */
export async function featuresCommand(): Promise<number> {
  printJson({
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [],
    mountOptions: [
      'ro',
      'rw',
      'nosuid',
      'suid',
      'nodev',
      'dev',
      'noexec',
      'exec',
      'sync',
      'async',
      'dirsync',
      'atime',
      'noatime',
      'diratime',
      'nodiratime',
      'relatime',
      'norelatime',
      'strictatime',
      'nostrictatime',
      'bind',
      'rbind',
      'private',
      'rprivate',
      'shared',
      'rshared',
      'slave',
      'rslave',
      'unbindable',
      'runbindable',
      'nosymfollow',
      'mand',
      'nomand',
      // runtime-spec 1.1's recursive options, where mount_setattr(2) exists (containerd asks for `rro` here before using it).
      ...(mountAttrSupport().mountSetattr ? RECURSIVE_MOUNT_OPTIONS.filter((o) => mountAttrSupport().nosymfollow || !o.endsWith('symfollow')) : []),
    ],
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts', 'time'],
      capabilities: Object.keys(CAPABILITY_NUMBERS),
      cgroup: { v1: true, v2: true, systemd: true, systemdUser: false },
      seccomp: {
        enabled: true,
        actions: [
          'SCMP_ACT_ALLOW',
          'SCMP_ACT_ERRNO',
          'SCMP_ACT_KILL',
          'SCMP_ACT_KILL_PROCESS',
          'SCMP_ACT_KILL_THREAD',
          'SCMP_ACT_LOG',
          'SCMP_ACT_TRAP',
          'SCMP_ACT_TRACE',
          'SCMP_ACT_NOTIFY',
        ],
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: { 'org.kc.runtime': 'kc' },
  });
  return 0;
}
