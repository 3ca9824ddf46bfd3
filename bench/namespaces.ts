/**
 * @kc/namespaces vs util-linux and iproute2, side by side in one run:
 * listing every namespace (kc listNamespaces vs `lsns -J --output-all`),
 * a veth pair's life in a named netns (kc rtnetlink vs `ip -n`), and
 * persisting + removing a netns (kc vs `ip netns attach` / `ip netns del`).
 * The peers' numbers include their process start, which is what a Node
 * program shelling out to them pays. Checks that nothing leaks.
 *
 * Run (as root): pnpm exec tsx bench/namespaces.ts
 */
import { execFileSync } from 'node:child_process';
import { spawn } from '@kc/native';
import { createVethPair, deleteLink, listLinks, listNamespaces, listNetns, Namespace, openPersisted, persistNetns, removePersisted } from '@kc/namespaces';
import { measure } from './lib/measure.js';
import { report } from './lib/report.js';

const runs = Number(process.env.RUNS ?? 30);
const tag = `kcb${process.pid % 100000}`;
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });

const holder = spawn({ argv: ['/bin/busybox', 'sleep', '600'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'inherit'] });
const benchNs = `${tag}-ns`;
{
  using ns = Namespace.fromPid(holder.pid, 'net');
  persistNetns(benchNs, ns);
}
const netns = openPersisted(benchNs);
const cases = [];
try {
  cases.push(await measure('list all namespaces', 'kc', () => listNamespaces(), { runs }));
  cases.push(await measure('list all namespaces', 'lsns', () => sh('lsns', ['-J', '--output-all']), { runs }));

  cases.push(
    await measure(
      'veth pair create + delete',
      'kc',
      () => {
        createVethPair({ name: `${tag}a`, peer: `${tag}b`, netns });
        deleteLink(`${tag}a`, { netns });
      },
      { runs },
    ),
  );
  cases.push(
    await measure(
      'veth pair create + delete',
      'ip',
      () => {
        sh('ip', ['-n', benchNs, 'link', 'add', `${tag}a`, 'type', 'veth', 'peer', 'name', `${tag}b`]);
        sh('ip', ['-n', benchNs, 'link', 'del', `${tag}a`]);
      },
      { runs },
    ),
  );

  using src = Namespace.fromPid(holder.pid, 'net');
  cases.push(
    await measure(
      'persist + remove netns',
      'kc',
      () => {
        persistNetns(`${tag}-p`, src);
        removePersisted(`${tag}-p`);
      },
      { runs },
    ),
  );
  cases.push(
    await measure(
      'persist + remove netns',
      'ip',
      () => {
        sh('ip', ['netns', 'attach', `${tag}-p`, String(holder.pid)]);
        sh('ip', ['netns', 'del', `${tag}-p`]);
      },
      { runs },
    ),
  );
} finally {
  netns.close();
  removePersisted(benchNs);
  holder.kill('SIGKILL');
  await holder.exited;
}
report('namespaces', cases);
const leaks = listNetns().filter((n) => n.startsWith(tag)).length + listLinks().filter((l) => l.name.startsWith(tag)).length;
console.log(`leaked netns files or links: ${leaks}`);
