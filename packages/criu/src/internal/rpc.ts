import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { KcErrorCode, errnoName } from '@kc/native';
import { CriuError } from '../errors.js';
import { type NotifyHandler, type NotifyHandlers, dispatchNotification } from '../notifications.js';
import type { CriuConnection } from './connection.js';
import { type criu_req, type criu_resp, criu_reqSchema, criu_req_type, criu_respSchema } from './gen/rpc_pb.js';
import { readLogTail } from './log-tail.js';
import { effectiveCapabilities, privilegeFailure } from './privilege-hint.js';

/** What {@link converse} needs to explain a failure. */
export interface ConverseContext {
  /** The operation's name for messages: 'dump', 'restore'... */
  op: string;
  /** The log file CRIU writes, for the error's tail. */
  logFile?: string;
  notify?: NotifyHandler | NotifyHandlers;
}

/**
 * Sends `req` and reads CRIU's answers until the final response, answering
 * each `notify` message with the caller's handlers (CRIU waits for the
 * answer; `notify_success: false` makes it abort).
 *
 * @throws {@link CriuError} when CRIU fails, vetoed, or exits without answering.
 */
export async function converse(conn: CriuConnection, req: criu_req, ctx: ConverseContext): Promise<criu_resp> {
  await conn.channel.send(toBinary(criu_reqSchema, req));
  let vetoedBy: string | undefined;
  for (;;) {
    const bytes = await conn.channel.receive();
    if (bytes === null) {
      const stderr = conn.stderr().trim();
      const logTail = readLogTail(ctx.logFile);
      const privileges = privilegeFailure([...logTail, ...stderr.split('\n')], effectiveCapabilities());
      throw new CriuError(`criu ${ctx.op}: criu exited without answering${stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : ''}`, {
        code: KcErrorCode.ToolFailed,
        logTail,
        logFile: ctx.logFile,
        hint: privileges ?? 'see logTail; run `criu check` to test the kernel',
      });
    }
    const resp = fromBinary(criu_respSchema, bytes);
    if (resp.type === criu_req_type.NOTIFY) {
      const kind = resp.notify?.script ?? '';
      const pid = resp.notify?.pid || undefined;
      const ok = ctx.notify ? await dispatchNotification(ctx.notify, { kind, pid }) : true;
      if (!ok) vetoedBy = kind;
      await conn.channel.send(toBinary(criu_reqSchema, create(criu_reqSchema, { type: criu_req_type.NOTIFY, notifySuccess: ok })));
      continue;
    }
    if (!resp.success) throw failure(resp, ctx, vetoedBy);
    return resp;
  }
}

function failure(resp: criu_resp, ctx: ConverseContext, vetoedBy: string | undefined): CriuError {
  const logTail = readLogTail(ctx.logFile);
  const criuMessage = resp.crErrmsg || undefined;
  const criuErrno = resp.crErrno || undefined;
  // Without the privileges it needs, CRIU answers a bare "failed" and logs only which capabilities are missing.
  const privileges = vetoedBy ? undefined : privilegeFailure(logTail, effectiveCapabilities());
  const why = vetoedBy
    ? `vetoed by the '${vetoedBy}' notification handler`
    : (rootCause(logTail) ?? criuMessage?.trim() ?? (criuErrno ? errnoName(criuErrno) : (privileges ?? 'failed')));
  return new CriuError(`criu ${ctx.op}: ${why}`, {
    code: vetoedBy ? 'VETOED' : KcErrorCode.ToolFailed,
    errno: criuErrno,
    criuErrno,
    criuMessage,
    logTail,
    logFile: ctx.logFile,
    hint: vetoedBy ? undefined : (privileges ?? `see logTail (${ctx.logFile ?? 'no log file'}); raise logLevel to 4 for detail`),
  });
}

/**
 * The first error line of the log tail that is not CRIU's closing summary
 * ("Dumping FAILED") nor a known non-fatal complaint (raising RLIMIT_NOFILE
 * without CAP_SYS_RESOURCE): usually the cause.
 */
function rootCause(logTail: string[]): string | undefined {
  const errors = logTail.filter((l) => /\bError \(/.test(l) && !/FAILED\.?$|failed with -1$|RLIMIT_NOFILE/.test(l));
  return errors[0]?.replace(/^\([\d.]+\)\s*/, '');
}
