import type { NamespaceKind } from '@kc/native';
import { listNamespaces, type NamespaceInfo } from './list.js';

/** A node of {@link namespaceTree}: a namespace and the namespaces under it. */
export interface NamespaceTreeNode {
  /** The namespace at this node, as {@link listNamespaces} reports it. */
  info: NamespaceInfo;
  /** With `'owner'`: the namespaces this user namespace owns; with `'parent'`: its child pid or user namespaces. */
  children: NamespaceTreeNode[];
}

/**
 * Arranges namespaces as a tree, like `lsns --tree owner|parent`:
 * `'owner'` puts each namespace under the user namespace that owns it;
 * `'parent'` links pid and user namespaces to their parents (other kinds are roots).
 * Roots are namespaces whose owner/parent is not visible from here.
 *
 * @param namespaces - a listing to arrange (default: {@link listNamespaces}()).
 * @example
 * ```ts
 * const [root] = namespaceTree('owner');
 * console.log(root.info.kind, root.children.length);
 * ```
 */
export function namespaceTree(relation: 'owner' | 'parent', namespaces: readonly NamespaceInfo[] = listNamespaces()): NamespaceTreeNode[] {
  const nodes = new Map<string, NamespaceTreeNode>();
  const key = (kind: NamespaceKind, inode: number) => `${kind}:${inode}`;
  for (const info of namespaces) nodes.set(key(info.kind, info.inode), { info, children: [] });
  const roots: NamespaceTreeNode[] = [];
  for (const node of nodes.values()) {
    const { info } = node;
    const up =
      relation === 'owner'
        ? info.ownerInode === null
          ? undefined
          : nodes.get(key('user', info.ownerInode))
        : info.parentInode === null
          ? undefined
          : nodes.get(key(info.kind, info.parentInode));
    if (up && up !== node) up.children.push(node);
    else roots.push(node);
  }
  return roots;
}
