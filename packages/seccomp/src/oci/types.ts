/** One argument condition of the OCI `linux.seccomp` format (runtime-spec config-linux.md). */
export interface OciSeccompArg {
  /** Which system-call argument is compared, 0..5. */
  index: number;
  /**
   * The operand, unsigned 64-bit; for `SCMP_CMP_MASKED_EQ` this is the mask. A
   * bigint carries values beyond 2^53 exactly (read JSON with
   * {@link parseOciSeccompJson} or {@link parseJsonExact}: `JSON.parse` rounds them).
   */
  value: number | bigint;
  /** For `SCMP_CMP_MASKED_EQ`: the value compared with the masked argument (number or bigint, as `value`). */
  valueTwo?: number | bigint;
  /** libseccomp's comparison, unsigned 64-bit; imported as the {@link ArgOp} of the same name. */
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

/** Docker's extension: conditions that keep or drop an entry before it reaches the runtime. */
export interface DockerCondition {
  /** Docker arch names (Go's GOARCH such as `amd64`, `arm64`, plus `x86`, `x32`), matched against the host's only. */
  arches?: string[];
  /** Capability names such as `CAP_SYS_ADMIN`; the condition holds when the container keeps every one of them. */
  caps?: string[];
  /** Kernel version `major.minor`; the condition holds on this version or newer (and always when no kernel is given). */
  minKernel?: string;
}

/** One syscall entry of an OCI (or Docker) seccomp profile. */
export interface OciSeccompSyscall {
  /** System-call names the entry applies to (at least one); a name an arch lacks is skipped on that arch when imported. */
  names: string[];
  /** `SCMP_ACT_*` name: KILL (= KILL_THREAD), KILL_THREAD, KILL_PROCESS, TRAP, ERRNO, TRACE, ALLOW, LOG or NOTIFY. */
  action: string;
  /** errno for `SCMP_ACT_ERRNO`, tracer data for `SCMP_ACT_TRACE`; absent means EPERM (1), as in runc. */
  errnoRet?: number;
  /** Conditions on the arguments: on distinct indices all must hold; when an index repeats, any one arg suffices (runc's reading). Absent, null or empty: unconditional. */
  args?: OciSeccompArg[] | null;
  /** Free text in Docker's profiles; dropped by {@link resolveDockerProfile}, ignored on import. */
  comment?: string;
  /** Docker: the entry is kept only when every condition given here holds. */
  includes?: DockerCondition;
  /** Docker: the entry is dropped when any condition given here holds. */
  excludes?: DockerCondition;
}

/** The OCI runtime-spec `linux.seccomp` object, with Docker's optional `archMap`. */
export interface OciSeccomp {
  /** `SCMP_ACT_*` name for calls no entry matches (see {@link OciSeccompSyscall.action}). */
  defaultAction: string;
  /** errno (or TRACE data) of `defaultAction`; absent means EPERM (1). */
  defaultErrnoRet?: number;
  /** `SCMP_ARCH_*` names the filter accepts; absent, empty or naming only arches kc lacks: the import uses the native arch. Docker profiles may use `archMap` instead. */
  architectures?: string[];
  /** Docker: per native arch, the arches its filter accepts; {@link resolveDockerProfile} turns the host's entry into `architectures`. */
  archMap?: {
    /** The native `SCMP_ARCH_*` name this entry is for, e.g. `SCMP_ARCH_X86_64`. */
    architecture: string;
    /** Further `SCMP_ARCH_*` names accepted on that host, e.g. `SCMP_ARCH_X86`, `SCMP_ARCH_X32`; null for none. */
    subArchitectures: string[] | null;
  }[];
  /** `SECCOMP_FILTER_FLAG_*` names passed to seccomp(2), e.g. `SECCOMP_FILTER_FLAG_LOG`; carried through import and export, not interpreted. */
  flags?: string[];
  /** Runtime-spec: path of the AF_UNIX socket the runtime sends the listener fd and container state to for `SCMP_ACT_NOTIFY`; ignored by kc's import. */
  listenerPath?: string;
  /** Runtime-spec: opaque string passed to the seccomp agent on `listenerPath` as the state's `metadata`; ignored by kc's import. */
  listenerMetadata?: string;
  /** The syscall entries; absent or empty: every call gets `defaultAction`. */
  syscalls?: OciSeccompSyscall[];
}
