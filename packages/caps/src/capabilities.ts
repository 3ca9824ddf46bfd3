import { KNOWN_LAST_CAP } from './capability.js';
import { CapSet } from './cap-set.js';
import type { CapSetLike } from './cap-set.js';

/** The three sets of the libcap text format and of `capget(2)`/`capset(2)`. */
export interface CapTriple {
  /** Capabilities the kernel checks for the thread's operations now (`CapEff`); a subset of permitted. */
  readonly effective: CapSet;
  /** The limiting superset of what the thread may make effective (`CapPrm`). */
  readonly permitted: CapSet;
  /** Capabilities preserved across execve(2) for programs whose file inheritable set has them (`CapInh`). */
  readonly inheritable: CapSet;
}

/** The five sets of a thread, as `/proc/PID/status` lists them. */
export interface CapabilitiesInit {
  /** Effective set (`CapEff`). Default: empty. */
  effective?: CapSetLike;
  /** Permitted set (`CapPrm`). Default: empty. */
  permitted?: CapSetLike;
  /** Inheritable set (`CapInh`). Default: empty. */
  inheritable?: CapSetLike;
  /** Default: every capability kc knows (0..40), i.e. nothing dropped. */
  bounding?: CapSetLike;
  /** Ambient set (`CapAmb`, Linux 4.3+), kept across execve of programs without file capabilities. Default: empty. */
  ambient?: CapSetLike;
}

/**
 * The complete capability state of a thread (see capabilities(7)):
 * effective, permitted, inheritable, bounding and ambient sets. Immutable;
 * {@link Capabilities.with} returns a changed copy.
 *
 * @example
 * ```ts
 * const web = Capabilities.only(['NET_BIND_SERVICE']); // every set = {NET_BIND_SERVICE}
 * web.ambient.has('NET_BIND_SERVICE'); // true
 * ```
 */
export class Capabilities implements CapTriple {
  /** Capabilities checked now (`CapEff`); must be within permitted to be applied. */
  readonly effective: CapSet;
  /** The ceiling for effective and for what may be added to inheritable (`CapPrm`). */
  readonly permitted: CapSet;
  /** Kept across execve for programs whose file inheritable set has them (`CapInh`). */
  readonly inheritable: CapSet;
  /** The bounding set (`CapBnd`): capabilities execve may ever grant; dropped ones cannot come back (PR_CAPBSET_DROP). */
  readonly bounding: CapSet;
  /** The ambient set (`CapAmb`): kept across execve of non-setuid programs without file capabilities; within permitted ∩ inheritable. */
  readonly ambient: CapSet;

  /**
   * @throws {@link CapsError} INVALID_ARGUMENT for an unknown capability or a bad mask in any set.
   */
  constructor(init: CapabilitiesInit = {}) {
    this.effective = CapSet.from(init.effective ?? CapSet.EMPTY, 'effective');
    this.permitted = CapSet.from(init.permitted ?? CapSet.EMPTY, 'permitted');
    this.inheritable = CapSet.from(init.inheritable ?? CapSet.EMPTY, 'inheritable');
    this.bounding = CapSet.from(init.bounding ?? CapSet.all(KNOWN_LAST_CAP), 'bounding');
    this.ambient = CapSet.from(init.ambient ?? CapSet.EMPTY, 'ambient');
    Object.freeze(this);
  }

  /**
   * The state that gives a program exactly `caps` and nothing else: every one
   * of the five sets equals `caps`. For a non-root user this is what survives
   * `execve` through the ambient set (see {@link toSpawnCapabilities}).
   * @throws {@link CapsError} INVALID_ARGUMENT for an unknown capability.
   */
  static only(caps: CapSetLike): Capabilities {
    const set = CapSet.from(caps);
    return new Capabilities({ effective: set, permitted: set, inheritable: set, bounding: set, ambient: set });
  }

  /** A copy with some sets replaced. */
  with(changes: CapabilitiesInit): Capabilities {
    return new Capabilities({
      effective: changes.effective ?? this.effective,
      permitted: changes.permitted ?? this.permitted,
      inheritable: changes.inheritable ?? this.inheritable,
      bounding: changes.bounding ?? this.bounding,
      ambient: changes.ambient ?? this.ambient,
    });
  }

  /** True when all five sets are equal. */
  equals(other: Capabilities): boolean {
    return (
      this.effective.equals(other.effective) &&
      this.permitted.equals(other.permitted) &&
      this.inheritable.equals(other.inheritable) &&
      this.bounding.equals(other.bounding) &&
      this.ambient.equals(other.ambient)
    );
  }

  /** The five masks, as `/proc/PID/status` prints them (`CapInh`, `CapPrm`, `CapEff`, `CapBnd`, `CapAmb`). */
  toStatusLines(): string {
    return [
      `CapInh:\t${this.inheritable.toHex()}`,
      `CapPrm:\t${this.permitted.toHex()}`,
      `CapEff:\t${this.effective.toHex()}`,
      `CapBnd:\t${this.bounding.toHex()}`,
      `CapAmb:\t${this.ambient.toHex()}`,
    ].join('\n');
  }

  /** JSON form: each set as a list of kernel names. */
  toJSON(): Record<'effective' | 'permitted' | 'inheritable' | 'bounding' | 'ambient', string[]> {
    return {
      effective: this.effective.names(),
      permitted: this.permitted.names(),
      inheritable: this.inheritable.names(),
      bounding: this.bounding.names(),
      ambient: this.ambient.names(),
    };
  }
}
