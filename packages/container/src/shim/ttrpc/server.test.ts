import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerError } from '../../errors.js';
import {
  ConnectRequestSchema,
  ConnectResponseSchema,
  KillRequestSchema,
  ShutdownRequestSchema,
  StateRequestSchema,
  StateResponseSchema,
} from '../gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { RequestSchema, ResponseSchema } from '../gen/ttrpc_pb.js';
import { encodeFrame, type Frame, FrameDecoder, isOversize, MAX_MESSAGE_BYTES } from './frame.js';
import { method, TtrpcServer } from './server.js';
import { GrpcCode } from './status.js';

// Frames containerd 1.6.20 (Debian 12) sent to the kc shim for task "d-20474", recorded from the socket.
const recorded = {
  connect: '0000002d0000000301000a17636f6e7461696e6572642e7461736b2e76322e5461736b1207436f6e6e6563741a090a07642d3230343734',
  // State with timeout_nano (field 4) set.
  state: '000000310000000901000a17636f6e7461696e6572642e7461736b2e76322e5461736b120553746174651a090a07642d323034373420efc6d5b907',
  kill: '0000002c0000003901000a17636f6e7461696e6572642e7461736b2e76322e5461736b12044b696c6c1a0b0a07642d32303437341809',
  shutdown: '000000340000004301000a17636f6e7461696e6572642e7461736b2e76322e5461736b120853687574646f776e1a090a07642d323034373420f5a3c0960b',
};
const hex = (s: string) => Buffer.from(s, 'hex');

/** Re-frames the recorded Connect request with another service, method or payload, on stream `id`. */
function request(streamId: number, fields: { service?: string; method?: string; payload?: Uint8Array }): Buffer {
  const base = fromBinary(RequestSchema, hex(recorded.connect).subarray(10));
  return encodeFrame(streamId, 1, toBinary(RequestSchema, create(RequestSchema, { ...base, ...fields })));
}

let dir: string;
let server: Server;
let release: () => void = () => undefined;
const calls: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kc-ttrpc-'));
  const srv = new TtrpcServer();
  srv.register('containerd.task.v2.Task', {
    Connect: method(ConnectRequestSchema, ConnectResponseSchema, (r) => {
      calls.push(`Connect ${r.id}`);
      return create(ConnectResponseSchema, { shimPid: 42, taskPid: 7, version: 'test' });
    }),
    State: method(StateRequestSchema, StateResponseSchema, (r) => {
      calls.push(`State ${r.id}`);
      if (r.id === 'missing') throw new ContainerError('no such task', { code: 'NOT_FOUND' });
      return create(StateResponseSchema, { id: r.id, pid: 7 });
    }),
    Kill: method(KillRequestSchema, EmptySchema, (r) => {
      calls.push(`Kill ${r.id} ${r.signal} ${r.all}`);
      throw new ContainerError('cannot kill: it is stopped', { code: 'INVALID_STATE' });
    }),
    // Answers only when the test releases it, like a Wait that outlives other calls.
    Shutdown: method(ShutdownRequestSchema, EmptySchema, async (r) => {
      calls.push(`Shutdown ${r.id}`);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return create(EmptySchema);
    }),
  });
  server = createServer((s) => srv.handle(s));
  await new Promise<void>((r) => server.listen(join(dir, 'sock'), r));
});

const clients = new Set<Socket>();

afterAll(async () => {
  for (const c of clients) c.destroy();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A client connection that collects response frames. */
async function connect(): Promise<{ sock: Socket; next: (n?: number) => Promise<Frame[]> }> {
  const sock = createConnection(join(dir, 'sock'));
  clients.add(sock);
  await new Promise((r) => sock.once('connect', r));
  const decoder = new FrameDecoder();
  const got: Frame[] = [];
  let wake: () => void = () => undefined;
  sock.on('data', (c: Buffer) => {
    for (const f of decoder.push(c)) if (!isOversize(f)) got.push(f);
    wake();
  });
  const next = async (n = 1) => {
    while (got.length < n) await new Promise<void>((r) => (wake = r));
    return got.splice(0, n);
  };
  return { sock, next };
}

/** The status of a response frame (0 when it carries a reply). */
const statusOf = (f: Frame) => fromBinary(ResponseSchema, f.payload).status ?? { code: 0, message: '' };

describe('ttrpc server against recorded containerd frames', () => {
  it('answers the recorded Connect on its stream with a Response holding the reply', async () => {
    const { sock, next } = await connect();
    sock.write(hex(recorded.connect));
    const [f] = await next();
    expect(f?.streamId).toBe(3);
    expect(f?.type).toBe(2);
    const res = fromBinary(ResponseSchema, (f as Frame).payload);
    expect(res.status).toBeUndefined();
    const reply = fromBinary(ConnectResponseSchema, res.payload);
    expect([reply.shimPid, reply.taskPid, reply.version]).toEqual([42, 7, 'test']);
    expect(calls).toContain('Connect d-20474');
    sock.destroy();
  });

  it('decodes a request with timeout_nano, and maps kc error codes to gRPC statuses', async () => {
    const { sock, next } = await connect();
    sock.write(hex(recorded.state));
    const [state] = await next();
    expect(fromBinary(StateResponseSchema, fromBinary(ResponseSchema, (state as Frame).payload).payload).id).toBe('d-20474');
    sock.write(hex(recorded.kill));
    const [kill] = await next();
    expect(calls).toContain('Kill d-20474 9 false');
    expect(statusOf(kill as Frame)).toMatchObject({ code: GrpcCode.FailedPrecondition, message: 'cannot kill: it is stopped' });
    sock.write(request(5, { method: 'State', payload: toBinary(StateRequestSchema, create(StateRequestSchema, { id: 'missing' })) }));
    const [missing] = await next();
    expect(statusOf(missing as Frame).code).toBe(GrpcCode.NotFound);
    sock.destroy();
  });

  it('answers unknown services and methods with Unimplemented, and keeps serving the connection', async () => {
    const { sock, next } = await connect();
    sock.write(Buffer.concat([request(1, { method: 'Frobnicate' }), request(5, { service: 'containerd.task.v3.Nope' }), hex(recorded.connect)]));
    const frames = await next(3);
    const byStream = new Map(frames.map((f) => [f.streamId, f]));
    expect(statusOf(byStream.get(1) as Frame)).toMatchObject({ code: GrpcCode.Unimplemented, message: 'method Frobnicate' });
    expect(statusOf(byStream.get(5) as Frame)).toMatchObject({ code: GrpcCode.Unimplemented, message: 'service containerd.task.v3.Nope' });
    // The recorded Connect after them is answered.
    expect(statusOf(byStream.get(3) as Frame).code).toBe(0);
    sock.destroy();
  });

  it('refuses malformed frames with the status ttrpc uses, then serves the next request', async () => {
    const { sock, next } = await connect();
    // Not a Request message (a truncated length-delimited field).
    sock.write(encodeFrame(1, 1, Buffer.from([0x0a, 0x7f, 0x01])));
    // A Request whose payload is not a ConnectRequest.
    sock.write(request(3, { payload: Buffer.from([0x0a, 0xff]) }));
    // An even (server-side) stream id, and a Response sent by the client.
    sock.write(encodeFrame(4, 1, hex(recorded.connect).subarray(10)));
    sock.write(encodeFrame(5, 2, Buffer.alloc(0)));
    const got = await next(4);
    const codes = new Map(got.map((f) => [f.streamId, statusOf(f).code]));
    expect(Object.fromEntries(codes)).toEqual({
      1: GrpcCode.InvalidArgument,
      3: GrpcCode.Internal,
      4: GrpcCode.InvalidArgument,
      5: GrpcCode.InvalidArgument,
    });
    // Over ttrpc's 4 MiB limit: ResourceExhausted, and the body is skipped, not parsed as frames.
    const big = Buffer.alloc(MAX_MESSAGE_BYTES + 16, 0x01);
    sock.write(Buffer.concat([Buffer.from([0, 0x40, 0, 0x10, 0, 0, 0, 7, 1, 0]), big]));
    sock.write(hex(recorded.connect));
    const [over, ok] = await next(2);
    expect(over?.streamId).toBe(7);
    expect(statusOf(over as Frame).code).toBe(GrpcCode.ResourceExhausted);
    expect(ok?.streamId).toBe(3);
    expect(statusOf(ok as Frame).code).toBe(0);
    sock.destroy();
  });

  it('runs calls on one connection concurrently: a pending call does not hold up later ones', async () => {
    const { sock, next } = await connect();
    sock.write(hex(recorded.shutdown)); // stream 67, held
    sock.write(hex(recorded.connect)); // stream 3
    const [first] = await next();
    expect(first?.streamId).toBe(3);
    release();
    const [second] = await next();
    expect(second?.streamId).toBe(67);
    expect(statusOf(second as Frame).code).toBe(0);
    sock.destroy();
  });
});
