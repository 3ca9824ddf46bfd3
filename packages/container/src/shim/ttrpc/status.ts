import { ContainerError } from '../../errors.js';

/**
 * gRPC status codes, which ttrpc reuses in its responses (google.rpc.Status)
 * and containerd maps back to its errdefs (NotFound → ErrNotFound,
 * FailedPrecondition → ErrFailedPrecondition, Unimplemented → ErrNotImplemented...).
 */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

/** One of {@link GrpcCode}'s values. */
export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode];

/** An error a ttrpc method returns to its caller with a given status code. */
export class TtrpcError extends ContainerError {
  /** The status code sent in the response. */
  readonly status: GrpcCodeValue;

  constructor(status: GrpcCodeValue, message: string) {
    super(message, { code: status === GrpcCode.Unimplemented ? 'UNSUPPORTED' : status === GrpcCode.NotFound ? 'NOT_FOUND' : 'INVALID_ARGUMENT' });
    this.status = status;
  }
}

/** kc's error codes as the gRPC status containerd expects for them. */
const byKcCode: Record<string, GrpcCodeValue> = {
  INVALID_ARGUMENT: GrpcCode.InvalidArgument,
  NOT_FOUND: GrpcCode.NotFound,
  INVALID_STATE: GrpcCode.FailedPrecondition,
  UNSUPPORTED: GrpcCode.Unimplemented,
  EEXIST: GrpcCode.AlreadyExists,
  EPERM: GrpcCode.PermissionDenied,
  EACCES: GrpcCode.PermissionDenied,
  ENOENT: GrpcCode.NotFound,
};

/** The status code and message a thrown value is reported with: its own status, its kc code's, else Unknown (as ttrpc does for a plain Go error). */
export function statusOf(err: unknown): { code: GrpcCodeValue; message: string } {
  if (err instanceof TtrpcError) return { code: err.status, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const kcCode = (err as { code?: unknown } | null)?.code;
  const code = typeof kcCode === 'string' ? (byKcCode[kcCode] ?? GrpcCode.Unknown) : GrpcCode.Unknown;
  return { code, message };
}
