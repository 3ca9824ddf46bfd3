import type { Socket } from 'node:net';
import { create, fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { RequestSchema, type Response, ResponseSchema } from '../gen/ttrpc_pb.js';
import { encodeFrame, FrameDecoder, FrameType, isOversize, MAX_MESSAGE_BYTES } from './frame.js';
import { GrpcCode, type GrpcCodeValue, statusOf } from './status.js';

/** One method of a ttrpc service, its types erased as a service table holds it: its message types and the function that answers it. */
export interface MethodDef {
  readonly input: GenMessage<Message>;
  readonly output: GenMessage<Message>;
  readonly handle: (request: Message) => Message | Promise<Message>;
}

/** Declares a method, type-checking `handle` against the generated schemas. */
export function method<I extends Message, O extends Message>(input: GenMessage<I>, output: GenMessage<O>, handle: (request: I) => O | Promise<O>): MethodDef {
  return { input, output, handle } as unknown as MethodDef;
}

/**
 * A ttrpc server (the protocol of github.com/containerd/ttrpc 1.1): it reads
 * request frames from each connection, runs the named service's method, and
 * answers on the same stream id with a Response holding either the reply or
 * a status. Calls on one connection run concurrently (containerd keeps a
 * `Wait` open while it sends others). A bad frame or unknown method gets an
 * error status on its stream; the connection and the server keep serving.
 */
export class TtrpcServer {
  readonly #services = new Map<string, ReadonlyMap<string, MethodDef>>();
  readonly #sockets = new Set<Socket>();
  /** Called with each method failure and each protocol error (the shim logs them). */
  onError: ((err: unknown, where: string) => void) | undefined;

  /** Adds a service by its full protobuf name (`containerd.task.v2.Task`). */
  register(service: string, methods: Readonly<Record<string, MethodDef>>): void {
    this.#services.set(service, new Map(Object.entries(methods)));
  }

  /** Serves one accepted connection until it closes. */
  handle(socket: Socket): void {
    const decoder = new FrameDecoder();
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', (e) => this.onError?.(e, 'connection'));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (isOversize(frame)) {
          const msg = `message length ${frame.oversize} exceed maximum message size of ${MAX_MESSAGE_BYTES}`;
          this.#reply(socket, frame.streamId, errorResponse(GrpcCode.ResourceExhausted, msg));
          continue;
        }
        if (frame.streamId % 2 !== 1) {
          this.#reply(socket, frame.streamId, errorResponse(GrpcCode.InvalidArgument, 'StreamID must be odd for client initiated streams'));
          continue;
        }
        if (frame.type !== FrameType.Request) {
          this.#reply(socket, frame.streamId, errorResponse(GrpcCode.InvalidArgument, `unsupported message type ${frame.type}`));
          continue;
        }
        void this.#dispatch(frame.payload).then((r) => this.#reply(socket, frame.streamId, r));
      }
    });
  }

  /** Runs one request and builds its response; never rejects. */
  async #dispatch(payload: Buffer): Promise<Response> {
    let service: string;
    let name: string;
    let body: Uint8Array;
    try {
      ({ service, method: name, payload: body } = fromBinary(RequestSchema, payload));
    } catch (e) {
      return errorResponse(GrpcCode.InvalidArgument, `unmarshal request error: ${(e as Error).message}`);
    }
    const methods = this.#services.get(service);
    if (!methods) return errorResponse(GrpcCode.Unimplemented, `service ${service}`);
    const def = methods.get(name);
    if (!def) return errorResponse(GrpcCode.Unimplemented, `method ${name}`);
    let input: Message;
    try {
      input = fromBinary(def.input, body);
    } catch (e) {
      return errorResponse(GrpcCode.Internal, `ttrpc: error unmarshalling payload: ${(e as Error).message}`);
    }
    try {
      const out = await def.handle(input);
      return create(ResponseSchema, { payload: toBinary(def.output, out) });
    } catch (e) {
      this.onError?.(e, `${service}/${name}`);
      const { code, message } = statusOf(e);
      return errorResponse(code, message);
    }
  }

  #reply(socket: Socket, streamId: number, response: Response): void {
    if (socket.destroyed || !socket.writable) return;
    socket.write(encodeFrame(streamId, FrameType.Response, toBinary(ResponseSchema, response)));
  }

  /** Closes every connection (the shim's last step before it exits). */
  closeAll(): void {
    for (const s of this.#sockets) s.destroy();
  }
}

function errorResponse(code: GrpcCodeValue, message: string): Response {
  return create(ResponseSchema, { status: { code, message } });
}
