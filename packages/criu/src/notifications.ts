/**
 * The notification points CRIU reports while it works (the names of its
 * action scripts, see criu(8) "--action-script"). In RPC mode they arrive as
 * `notify` messages that kc turns into {@link CriuNotification} events.
 */
export const NotifyKind = {
  /** Dump with `--stream`: before CRIU connects to criu-image-streamer. */
  PreStream: 'pre-stream',
  /** Dump: before CRIU starts dumping. */
  PreDump: 'pre-dump',
  /** Dump: after all images are written, before the tasks are killed or resumed. */
  PostDump: 'post-dump',
  /** Restore: before CRIU starts restoring. */
  PreRestore: 'pre-restore',
  /** Restore: the tree is restored but not yet resumed; carries the root's `pid`. */
  PostRestore: 'post-restore',
  /** The caller should lock the network of the tasks (used with external network namespaces). */
  NetworkLock: 'network-lock',
  /** The caller should unlock the network locked at `network-lock`. */
  NetworkUnlock: 'network-unlock',
  /** Restore: the root task exists in its new namespaces (e.g. to configure its network); carries its `pid`. */
  SetupNamespaces: 'setup-namespaces',
  /** Restore: the namespaces of the root task are fully set up. */
  PostSetupNamespaces: 'post-setup-namespaces',
  /** Restore: right before the restored tasks are resumed. */
  PreResume: 'pre-resume',
  /** Restore: after the restored tasks were resumed. */
  PostResume: 'post-resume',
  /** Restore: the master side of an orphaned pty (`--orphan-pts-master`) is being handed to the caller. */
  OrphanPtsMaster: 'orphan-pts-master',
  /** A page server or lazy-pages daemon is ready to accept connections. */
  StatusReady: 'status-ready',
  /** Dump: CRIU asks the caller which files to treat as external. */
  QueryExtFiles: 'query-ext-files',
} as const;

/** One of {@link NotifyKind}'s values (or a newer name CRIU may send). */
export type NotifyKindValue = (typeof NotifyKind)[keyof typeof NotifyKind] | (string & {});

/** A notification from CRIU, delivered while the operation is paused. */
export interface CriuNotification {
  /** Which point CRIU reached, e.g. `'pre-dump'`. */
  kind: NotifyKindValue;
  /** The root task's pid, sent with `setup-namespaces` and `post-restore`. */
  pid: number | undefined;
}

/**
 * Answers a notification. CRIU waits for the answer: returning (or resolving
 * to) `false`, or throwing, vetoes the operation, which then fails with a
 * `CriuError`; anything else lets it continue.
 */
export type NotifyHandler = (notification: CriuNotification) => boolean | void | Promise<boolean | void>;

/** Handlers per notification kind; `'*'` receives every kind after the specific one. */
export type NotifyHandlers = Partial<Record<NotifyKindValue | '*', NotifyHandler>>;

/** Dispatches `n` to `handlers`; resolves to false when a handler vetoed. */
export async function dispatchNotification(handlers: NotifyHandler | NotifyHandlers, n: CriuNotification): Promise<boolean> {
  const list: NotifyHandler[] = [];
  if (typeof handlers === 'function') list.push(handlers);
  else {
    const specific = handlers[n.kind];
    if (specific) list.push(specific);
    const any = handlers['*'];
    if (any) list.push(any);
  }
  for (const h of list) {
    try {
      if ((await h(n)) === false) return false;
    } catch {
      return false;
    }
  }
  return true;
}
