/**
 * Inspects namespaces: this process's namespace ids, a child's new ones,
 * owners and parents through the nsfs ioctls, and an lsns-like listing.
 * Run as root: pnpm exec tsx examples/namespaces-inspect.ts
 */
import { spawn } from '@kc/native';
import { listNamespaces, Namespace, namespacesOf, namespaceTree, sameNamespace } from '@kc/namespaces';

const mine = namespacesOf(process.pid);
console.log(`this process: net ${mine.net}, pid ${mine.pid}, user ${mine.user}`);

const child = spawn({ argv: ['/bin/busybox', 'sleep', '60'], namespaces: ['net', 'pid', 'uts'], stdio: ['ignore', 'ignore', 'inherit'] });
for (const kind of ['net', 'pid', 'uts', 'ipc'] as const) {
  console.log(`child shares ${kind}: ${sameNamespace(process.pid, child.pid, kind)}`);
}
{
  using pidns = Namespace.fromPidfd(child.pidfd, 'pid');
  using parent = pidns.parent();
  using owner = pidns.owner();
  console.log(`child pid namespace ${pidns.id}: parent is ours: ${parent?.inode === mine.pid}; owner is ours: ${owner.inode === mine.user}`);
}
const all = listNamespaces();
const childNet = all.find((n) => n.kind === 'net' && n.pids.includes(child.pid));
console.log(`listNamespaces: ${all.length} namespaces; the child's net has ${childNet?.nprocs} process, command "${childNet?.command}"`);
const [root] = namespaceTree('owner', all).filter((n) => n.info.kind === 'user');
console.log(`owner tree: the initial user namespace owns ${root?.children.length ?? 0} namespaces`);
child.kill('SIGKILL');
console.log(`child ended by ${(await child.exited).signal}`);
