/**
 * A connection to the system bus through `@homebridge/dbus-native`, loaded
 * lazily (the file backends never load it) and wrapped in promises. Chosen
 * over `dbus-next` by measurement on this project's machine (import and first
 * call are cheaper; a refused connection is reported, not thrown from a
 * listener) and because its releases continue.
 */
import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import { systemBusAddress } from './bus-address.js';
import { SystemdError } from './errors.js';

/** One method call: destination, object, interface, member, and the body in `signature`. */
export interface DbusCall {
  /** Bus name of the callee, e.g. `org.freedesktop.systemd1`. */
  readonly destination: string;
  /** Object path. */
  readonly path: string;
  /** Interface name. */
  readonly interface: string;
  /** Method name. */
  readonly member: string;
  /** D-Bus signature of `body`. */
  readonly signature?: string;
  /** Arguments, in dbus-native's form (variants as `[signature, value]`). */
  readonly body?: readonly unknown[];
}

/** One signal as received. */
export interface DbusSignal {
  /** Interface of the signal. */
  readonly interface: string;
  /** Signal name. */
  readonly member: string;
  /** Object path it came from. */
  readonly path: string;
  /** Its arguments. */
  readonly body: readonly unknown[];
}

interface NativeBus {
  connection: {
    stream?: { ref(): void; unref(): void };
    on(event: 'message', fn: (m: { type: number; interface?: string; member?: string; path?: string; body?: unknown[] }) => void): void;
    on(event: 'error' | 'end', fn: (e?: Error) => void): void;
    end(): void;
  };
  invoke(msg: object, cb: (err: { name?: string; message?: string } | Error | null | undefined, ...res: unknown[]) => void): void;
}

const SIGNAL = 4; // D-Bus message type (dbus-specification "Message Types")

/** A system-bus connection: calls as promises, signals to listeners. */
export class DbusConnection {
  private readonly listeners = new Set<(s: DbusSignal) => void>();
  private failure: Error | undefined;
  private readonly pending = new Set<(e: Error) => void>();
  private readonly stream: { ref(): void; unref(): void } | undefined;

  private constructor(private readonly bus: NativeBus) {
    // An idle connection must not keep the process alive (a handle the caller
    // never deletes); it is referenced only while a call is in flight.
    this.stream = bus.connection.stream;
    this.stream?.unref();
    bus.connection.on('message', (m) => {
      if (m.type !== SIGNAL) return;
      const s: DbusSignal = { interface: m.interface ?? '', member: m.member ?? '', path: m.path ?? '', body: m.body ?? [] };
      for (const l of this.listeners) l(s);
    });
    const fail = (e?: Error) => {
      this.failure ??= e ?? new Error('the system bus closed the connection');
      for (const reject of this.pending) reject(this.failure);
      this.pending.clear();
    };
    bus.connection.on('error', fail);
    bus.connection.on('end', fail);
  }

  /**
   * Connects to the system bus.
   * @throws {@link CgroupError} `UNSUPPORTED` when the bus socket is missing (before the client library is even loaded).
   */
  static async connect(): Promise<DbusConnection> {
    const address = systemBusAddress();
    const lib = (await import('@homebridge/dbus-native')) as unknown as { default?: unknown; createClient?: unknown };
    const mod = (lib.createClient ? lib : lib.default) as { createClient(o: { busAddress: string }): NativeBus };
    let bus: NativeBus;
    try {
      bus = mod.createClient({ busAddress: address });
    } catch (e) {
      throw new CgroupError(`cannot connect to the system bus at ${address}: ${(e as Error).message}`, {
        code: KcErrorCode.Unsupported,
        path: address,
        cause: e,
      });
    }
    return new DbusConnection(bus);
  }

  /** Calls a method; resolves with its return values. @throws {@link SystemdError} with `dbusError` when the callee answers with an error. */
  call(c: DbusCall): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.busError(c, this.failure));
    return new Promise((resolve, reject) => {
      const onFail = (e: Error) => reject(this.busError(c, e));
      this.pending.add(onFail);
      this.stream?.ref();
      this.bus.invoke({ ...c, body: c.body ? [...c.body] : undefined }, (err, ...res) => {
        this.pending.delete(onFail);
        if (this.pending.size === 0) this.stream?.unref();
        if (!err) return resolve(res);
        const name = err instanceof Error ? undefined : err.name;
        const message = err.message || name || 'D-Bus error';
        reject(
          name
            ? new SystemdError(`${c.member}: ${message}`, { code: 'SYSTEMD_REFUSED', dbusError: name, cause: err })
            : this.busError(c, err instanceof Error ? err : new Error(message)),
        );
      });
    });
  }

  private busError(c: DbusCall, e: Error): CgroupError {
    return new CgroupError(`${c.member}: the system bus connection failed: ${e.message}`, {
      code: KcErrorCode.Unsupported,
      cause: e,
      hint: 'is dbus.service running? (systemctl status dbus)',
    });
  }

  /** Calls `fn` for every signal until the returned function is called. */
  onSignal(fn: (s: DbusSignal) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Closes the connection. */
  close(): void {
    this.listeners.clear();
    this.failure ??= new Error('closed');
    this.bus.connection.end();
  }
}
