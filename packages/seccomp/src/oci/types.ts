/** One argument condition of the OCI `linux.seccomp` format (runtime-spec config-linux.md). */
export interface OciSeccompArg {
  index: number;
  /** The operand; for `SCMP_CMP_MASKED_EQ` this is the mask. */
  value: number;
  /** For `SCMP_CMP_MASKED_EQ`: the value compared with the masked argument. */
  valueTwo?: number;
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

/** Docker's extension: conditions that keep or drop an entry before it reaches the runtime. */
export interface DockerCondition {
  arches?: string[];
  caps?: string[];
  minKernel?: string;
}

/** One syscall entry of an OCI (or Docker) seccomp profile. */
export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  comment?: string;
  includes?: DockerCondition;
  excludes?: DockerCondition;
}

/** The OCI runtime-spec `linux.seccomp` object, with Docker's optional `archMap`. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSeccompSyscall[];
}
