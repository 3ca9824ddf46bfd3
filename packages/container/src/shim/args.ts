import { ContainerError } from '../errors.js';

/** The command line containerd 1.6 gives a shim (runtime/v2/shim: Go `flag` syntax, then one subcommand). */
export interface ShimArgs {
  /** containerd namespace of the task (`-namespace`). */
  namespace: string;
  /** Task id (`-id`). */
  id: string;
  /** containerd's gRPC socket (`-address`), used to publish events. */
  address: string;
  /** The binary run as `<bin> --address A publish --topic T --namespace N` (`-publish-binary`). */
  publishBinary: string;
  /** Bundle directory (`-bundle`; `delete` gets it, `serve` runs in it). */
  bundle: string;
  /** Verbose log (`-debug`). */
  debug: boolean;
  /** `delete`, or `serve` (the daemon bin/containerd-shim-kc-v2 launches for containerd's `start`). */
  action: 'delete' | 'serve';
}

const valued = { namespace: 'namespace', id: 'id', address: 'address', 'publish-binary': 'publishBinary', bundle: 'bundle' } as const;

/**
 * Parses the shim's arguments as Go's flag package does (`-name value`,
 * `--name=value`, booleans alone); unknown flags are refused, as Go's are.
 * @throws {ContainerError} INVALID_ARGUMENT for an unknown flag, a missing value or action.
 */
export function parseShimArgs(argv: readonly string[]): ShimArgs {
  const out: ShimArgs = { namespace: '', id: '', address: '', publishBinary: '', bundle: '', debug: false, action: 'serve' };
  let action: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) {
      action = arg;
      break;
    }
    const [rawName, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    if (rawName === 'debug' || rawName === 'v') {
      out.debug = rawName === 'debug' ? inline !== 'false' : out.debug;
      continue;
    }
    const key = (valued as Record<string, keyof ShimArgs | undefined>)[rawName];
    if (!key) throw new ContainerError(`flag provided but not defined: -${rawName}`, { code: 'INVALID_ARGUMENT', field: rawName });
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ContainerError(`flag needs an argument: -${rawName}`, { code: 'INVALID_ARGUMENT', field: rawName });
    (out as unknown as Record<string, string>)[key] = value;
  }
  if (action !== 'delete' && action !== 'serve')
    throw new ContainerError(`unknown action ${JSON.stringify(action ?? '')}: want delete or serve (bin/containerd-shim-kc-v2 answers start)`, {
      code: 'INVALID_ARGUMENT',
      field: 'action',
    });
  out.action = action;
  if (!out.id) throw new ContainerError('-id is required', { code: 'INVALID_ARGUMENT', field: 'id' });
  if (!out.namespace) throw new ContainerError('-namespace is required', { code: 'INVALID_ARGUMENT', field: 'namespace' });
  return out;
}
