/**
 * A cgroup event. Counters (`oom`, `oom_kill`, `max`, `high`, `low`,
 * `threshold`) carry the new count; states (`populated`, `frozen`) carry 0 or 1.
 */
export interface CgroupEvent {
  /** The key that changed: a `memory.events`/`cgroup.events` key on v2, `oom` or `threshold` from a v1 cgroup.event_control eventfd. */
  type: 'oom' | 'oom_kill' | 'oom_group_kill' | 'max' | 'high' | 'low' | 'populated' | 'frozen' | 'threshold' | (string & {});
  /** The key's new value from the file (v2), or the running count of eventfd notifications since the watch began (v1). */
  value: number;
  /** The kernel file the event came from (`memory.events`, `cgroup.events`, `memory.oom_control`...). */
  source: string;
  /** For a `threshold` event: which of {@link EventOptions.memoryThresholds} usage crossed (up or down), in bytes. */
  thresholdBytes?: number;
}

/** What {@link Cgroup.events} listens to. */
export interface EventOptions {
  /** Stops the iterator. */
  signal?: AbortSignal;
  /** Memory events: OOM, OOM kills, limit hits (default true). */
  memory?: boolean;
  /** `populated` / `frozen` changes from `cgroup.events` (v2 and hybrid; default true). */
  state?: boolean;
  /** v1 only: usage thresholds in bytes (`memory.usage_in_bytes` via cgroup.event_control). */
  memoryThresholds?: readonly number[];
}

/** A source of events feeding one queue; returns its cleanup. */
export type EventSource = (push: (e: CgroupEvent) => void, fail: (e: unknown) => void) => () => void;
