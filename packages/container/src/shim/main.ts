/**
 * containerd-shim-kc-v2: containerd's shim v2 (runtime type
 * `io.containerd.kc.v2`) over `@kc/container`. containerd runs it as
 * `-namespace N -address A -publish-binary B -id ID start` in the bundle
 * (print the socket address of a daemon serving ttrpc, then exit) and as
 * `... -bundle DIR delete` after a shim died (remove what it left, print a
 * DeleteResponse). `serve` is the daemon `start` launches.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, constants as fsc } from 'node:fs';
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

/** The fd `start` reads the daemon's readiness (or its failure) from. */
const READY_FD = 3;

/** Whether a shim already answers on `path` (containerd retried `start` for a task whose shim runs). */
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

/**
 * `start`: prints the address of the shim that serves the task. The
 * containers of one pod share one shim (one Node process holds them all),
 * as runc's shim does; the first of them launches the daemon in its own
 * session and waits until it listens.
 */
async function start(args: ShimArgs, argv: readonly string[]): Promise<void> {
  const socket = shimSocketPath(args.address, args.namespace, groupId(args), process.env.KC_SHIM_SOCKET_DIR || DEFAULT_SOCKET_DIR);
  const address = `unix://${socket}`;
  if (!(await connectable(socket))) {
    mkdirSync(dirname(socket), { recursive: true, mode: 0o711 });
    rmSync(socket, { force: true });
    // The flags before the action (the last word: a flag value may also read "start").
    const daemonArgs = [...argv.slice(0, argv.lastIndexOf('start')), '-socket', socket, 'serve'];
    // Not the caller's stdout/stderr: containerd reads start's output until every holder closes it.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, ...daemonArgs], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    const ready = await new Promise<string>((resolve) => {
      let text = '';
      const pipe = child.stdio[READY_FD];
      pipe?.on('data', (d: Buffer) => {
        text += d.toString();
      });
      pipe?.on('close', () => resolve(text));
      child.on('error', (e) => resolve(e.message));
    });
    child.unref();
    if (ready !== 'ok') throw new Error(`the shim daemon did not start: ${ready || `exited ${child.exitCode}`}`);
  }
  writeFileSync('address', address);
  process.stdout.write(address);
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

/** `serve`: the daemon. Listens on the socket, answers the Task service until Shutdown. */
async function serve(args: ShimArgs): Promise<void> {
  const log = openLog(args.debug);
  const signalReady = (text: string) => {
    try {
      writeSync(READY_FD, text);
      closeSync(READY_FD);
    } catch {
      /* start is gone */
    }
  };
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
      rmSync(args.socket, { force: true });
      process.exit(0);
    });
  };
  ttrpc.register(TASK_SERVICE, taskMethods(service, shutdown));
  server.on('error', (e) => {
    signalReady(e.message);
    process.exit(1);
  });
  server.listen(args.socket, () => {
    log(`serving ${args.id} on ${args.socket}`);
    signalReady('ok');
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
    if (args.action === 'start') await start(args, argv);
    else if (args.action === 'delete') await cleanup(args);
    else await serve(args);
  } catch (e) {
    process.stderr.write(`containerd-shim-kc-v2 ${args.action}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
