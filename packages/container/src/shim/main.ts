/**
 * containerd-shim-kc-v2: containerd's shim v2 (runtime type
 * `io.containerd.kc.v2`) over `@kc/container`. containerd runs
 * bin/containerd-shim-kc-v2 as `-namespace N -address A -publish-binary B
 * -id ID start` in the bundle (print the socket address of a daemon serving
 * ttrpc, then exit) and as `... -bundle DIR delete` after a shim's connection
 * closed (remove what a dead shim left, print a DeleteResponse). That
 * launcher answers `start` itself when the pod's shim runs, and otherwise
 * starts this module's `serve` (the daemon) in a session of its own.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, constants as fsc } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Container } from '../lifecycle/container.js';
import { DEFAULT_SOCKET_DIR, shimSocketPath, shimStateRoot } from './address.js';
import { parseShimArgs, type ShimArgs } from './args.js';
import { EventPublisher } from './events.js';
import { DeleteResponseSchema } from './gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { unmountRootfs } from './rootfs.js';
import { TASK_SERVICE, taskMethods } from './task-methods.js';
import { TaskService } from './task-service.js';
import { TtrpcServer } from './ttrpc/server.js';

/** The fd the launcher reads the daemon's readiness (`ok <address>`) or its failure from. */
const READY_FD = 3;

/** Whether a shim already answers on `path`: the pod's, where the launcher could not tell (no sandbox bundle of kc's), or this task's own (containerd retried `start`). */
function connectable(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** The annotation containerd's CRI puts on every container of a pod: the pod's (sandbox's) id. */
const SANDBOX_ID = 'io.kubernetes.cri.sandbox-id';

/** The task whose shim serves this one: its pod's sandbox when the bundle names one, else itself. */
function groupId(args: ShimArgs): string {
  try {
    const config = JSON.parse(readFileSync('config.json', 'utf8')) as { annotations?: Record<string, unknown> };
    const sandbox = config.annotations?.[SANDBOX_ID];
    if (typeof sandbox === 'string' && sandbox !== '') return sandbox;
  } catch {
    /* no readable config: a shim of its own */
  }
  return args.id;
}

/** `delete`: after a shim died, removes its container (killing what is left), rootfs mount and socket; prints the DeleteResponse. */
async function cleanup(args: ShimArgs): Promise<void> {
  const bundle = args.bundle || process.cwd();
  const root = shimStateRoot(args.namespace);
  let pid = 0;
  try {
    pid = Container.load(args.id, root).record.pid;
  } catch {
    /* no record: nothing was created, or it is gone already */
  }
  await Container.remove(args.id, { force: true, root });
  unmountRootfs(bundle);
  try {
    const address = readFileSync(join(bundle, 'address'), 'utf8').trim();
    const socket = address.startsWith('unix://') ? address.slice('unix://'.length) : '';
    // A socket still answered belongs to a live shim serving other tasks of the pod.
    if (socket && !(await connectable(socket))) rmSync(socket, { force: true });
  } catch {
    /* no address file */
  }
  // The status containerd reports for a task whose shim died: killed (128 + SIGKILL), as runc's shim says.
  process.stdout.write(toBinary(DeleteResponseSchema, create(DeleteResponseSchema, { pid, exitStatus: 128 + 9, exitedAt: timestampNow() })));
}

/** Opens containerd's shim log fifo (`<bundle>/log`, its reader already open) for writing; without one, logs go nowhere. */
function openLog(debug: boolean): (line: string) => void {
  let fd = -1;
  try {
    fd = openSync('log', fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch {
    /* containerd not reading (a test, or containerd restarted) */
  }
  const write = (line: string) => {
    if (fd < 0) return;
    try {
      writeSync(fd, `time="${new Date().toISOString()}" level=${debug ? 'debug' : 'info'} msg=${JSON.stringify(line)} runtime=io.containerd.kc.v2\n`);
    } catch {
      /* EAGAIN: containerd is not draining the log; drop the line rather than block */
    }
  };
  return write;
}

/** Tells the launcher (its `start`) how the daemon came up: `ok <address>`, or why not. */
function signalReady(text: string): void {
  try {
    writeSync(READY_FD, text);
    closeSync(READY_FD);
  } catch {
    /* the launcher is gone */
  }
}

/**
 * `serve`: the daemon the launcher starts for `start`. The containers of one
 * pod share one shim (one Node process holds them all), as runc's shim does:
 * where a shim already answers on the pod's socket this one names it and
 * exits; otherwise it listens there and answers the Task service until
 * Shutdown.
 */
async function serve(args: ShimArgs): Promise<void> {
  const socket = shimSocketPath(args.address, args.namespace, groupId(args), process.env.KC_SHIM_SOCKET_DIR || DEFAULT_SOCKET_DIR);
  const address = `unix://${socket}`;
  if (await connectable(socket)) {
    signalReady(`ok ${address}`);
    return;
  }
  mkdirSync(dirname(socket), { recursive: true, mode: 0o711 });
  rmSync(socket, { force: true });
  const log = openLog(args.debug);
  process.on('uncaughtException', (e) => log(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  const events = new EventPublisher(args.publishBinary, args.address, args.namespace, log);
  const service = new TaskService(shimStateRoot(args.namespace), events, log);
  const ttrpc = new TtrpcServer();
  ttrpc.onError = (e, where) => log(`${where}: ${(e as Error)?.message ?? String(e)}`);
  const server = createServer((sock) => ttrpc.handle(sock));
  const shutdown = () => {
    // After the reply to Shutdown is written: events out first, then close and exit.
    setImmediate(async () => {
      await events.flush();
      server.close();
      ttrpc.closeAll();
      rmSync(socket, { force: true });
      process.exit(0);
    });
  };
  ttrpc.register(TASK_SERVICE, taskMethods(service, shutdown));
  server.on('error', (e) => {
    signalReady(e.message);
    process.exit(1);
  });
  server.listen(socket, () => {
    log(`serving ${args.id} on ${socket}`);
    signalReady(`ok ${address}`);
  });
}

/** Runs the shim with `argv` (without node and the script). */
export async function main(argv: readonly string[]): Promise<void> {
  let args: ShimArgs;
  try {
    args = parseShimArgs(argv);
  } catch (e) {
    process.stderr.write(`containerd-shim-kc-v2: ${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    if (args.action === 'delete') await cleanup(args);
    else await serve(args);
  } catch (e) {
    const message = `containerd-shim-kc-v2 ${args.action}: ${(e as Error).message}`;
    if (args.action === 'serve') signalReady(message);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
