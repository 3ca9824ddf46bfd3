import { create } from '@bufbuild/protobuf';
import { EmptySchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import * as t from './gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import type { TaskService } from './task-service.js';
import { method, type MethodDef } from './ttrpc/server.js';

/** The ttrpc service name containerd 1.6 calls a v2 shim by. */
export const TASK_SERVICE = 'containerd.task.v2.Task';

const empty = () => create(EmptySchema);

/** The Task service's methods, decoded and encoded with the generated types, each a thin call into {@link TaskService}. */
export function taskMethods(s: TaskService, shutdown: (now: boolean) => void): Record<string, MethodDef> {
  return {
    Create: method(t.CreateTaskRequestSchema, t.CreateTaskResponseSchema, async (r) => create(t.CreateTaskResponseSchema, { pid: await s.create(r) })),
    Start: method(t.StartRequestSchema, t.StartResponseSchema, async (r) => create(t.StartResponseSchema, { pid: await s.start(r.id, r.execId) })),
    Delete: method(t.DeleteRequestSchema, t.DeleteResponseSchema, async (r) => {
      const { pid, exit } = await s.delete(r.id, r.execId);
      return create(t.DeleteResponseSchema, { pid, exitStatus: exit.status, exitedAt: timestampFromDate(exit.at) });
    }),
    Exec: method(t.ExecProcessRequestSchema, EmptySchema, (r) => {
      s.exec(r);
      return empty();
    }),
    ResizePty: method(t.ResizePtyRequestSchema, EmptySchema, (r) => {
      s.resizePty(r.id, r.execId, r.height, r.width);
      return empty();
    }),
    State: method(t.StateRequestSchema, t.StateResponseSchema, (r) => s.state(r.id, r.execId)),
    Pause: method(t.PauseRequestSchema, EmptySchema, async (r) => {
      await s.pause(r.id);
      return empty();
    }),
    Resume: method(t.ResumeRequestSchema, EmptySchema, async (r) => {
      await s.resume(r.id);
      return empty();
    }),
    Kill: method(t.KillRequestSchema, EmptySchema, (r) => {
      s.kill(r);
      return empty();
    }),
    Pids: method(t.PidsRequestSchema, t.PidsResponseSchema, (r) => create(t.PidsResponseSchema, { processes: s.pids(r.id).map((pid) => ({ pid })) })),
    CloseIO: method(t.CloseIORequestSchema, EmptySchema, (r) => {
      s.closeIO(r.id, r.execId, r.stdin);
      return empty();
    }),
    Checkpoint: method(t.CheckpointTaskRequestSchema, EmptySchema, async (r) => {
      await s.checkpoint(r);
      return empty();
    }),
    Update: method(t.UpdateTaskRequestSchema, EmptySchema, async (r) => {
      await s.update(r);
      return empty();
    }),
    Wait: method(t.WaitRequestSchema, t.WaitResponseSchema, async (r) => {
      const exit = await s.wait(r.id, r.execId);
      return create(t.WaitResponseSchema, { exitStatus: exit.status, exitedAt: timestampFromDate(exit.at) });
    }),
    Stats: method(t.StatsRequestSchema, t.StatsResponseSchema, (r) => create(t.StatsResponseSchema, { stats: s.stats(r.id) })),
    Connect: method(t.ConnectRequestSchema, t.ConnectResponseSchema, (r) =>
      create(t.ConnectResponseSchema, { shimPid: process.pid, taskPid: s.taskPid(r.id), version: 'kc' }),
    ),
    Shutdown: method(t.ShutdownRequestSchema, EmptySchema, (r) => {
      // Like runc's shim: a shim that still holds tasks stays, unless told `now`.
      if (r.now || s.size === 0) shutdown(r.now);
      return empty();
    }),
  };
}
