/**
 * The notification points CRIU reports while it works (the names of its
 * action scripts, see criu(8) "--action-script"). In RPC mode they arrive as
 * `notify` messages that kc turns into {@link CriuNotification} events.
 */
export const NotifyKind = {
  PreStream: 'pre-stream',
  PreDump: 'pre-dump',
  PostDump: 'post-dump',
  PreRestore: 'pre-restore',
  PostRestore: 'post-restore',
  NetworkLock: 'network-lock',
  NetworkUnlock: 'network-unlock',
  SetupNamespaces: 'setup-namespaces',
  PostSetupNamespaces: 'post-setup-namespaces',
  PreResume: 'pre-resume',
  PostResume: 'post-resume',
  OrphanPtsMaster: 'orphan-pts-master',
  StatusReady: 'status-ready',
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
