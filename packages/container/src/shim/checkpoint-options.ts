import { fromBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import type { CheckpointOptions } from '../lifecycle/checkpoint.js';
import { CheckpointOptionsSchema as LinuxRuncOptions } from './gen/github.com/containerd/containerd/runtime/linux/runctypes/runc_pb.js';
import { CheckpointOptionsSchema as RuncV2Options } from './gen/github.com/containerd/containerd/runtime/v2/runc/options/oci_pb.js';
import { GrpcCode, TtrpcError } from './ttrpc/status.js';

/** What the shim's Checkpoint does: the Container.checkpoint options, and whether the task stops after. */
export interface ShimCheckpoint {
  readonly options: CheckpointOptions;
  readonly exit: boolean;
}

const bareName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * Reads a CheckpointTaskRequest's options. containerd 1.6's client sends
 * runc's option types to any runtime: `containerd.runc.v1.CheckpointOptions`
 * to an `io.containerd.runc.*` one, else `containerd.linux.runc.CheckpointOptions`
 * (same fields, image_path and work_path numbered the other way round).
 * The images go to `image_path` when set (ctr --image-path), else to the
 * directory containerd gave.
 * @throws {TtrpcError} InvalidArgument for an options type kc does not know, or a setting it cannot honour.
 */
export function checkpointOptions(path: string, any: Any | undefined): ShimCheckpoint {
  let o:
    | {
        exit: boolean;
        openTcp: boolean;
        externalUnixSockets: boolean;
        fileLocks: boolean;
        terminal: boolean;
        imagePath: string;
        workPath: string;
        emptyNamespaces: string[];
        cgroupsMode: string;
      }
    | undefined;
  if (any && any.typeUrl !== '') {
    const name = bareName(any.typeUrl);
    if (name === LinuxRuncOptions.typeName) o = fromBinary(LinuxRuncOptions, any.value);
    else if (name === RuncV2Options.typeName) o = fromBinary(RuncV2Options, any.value);
    else throw new TtrpcError(GrpcCode.InvalidArgument, `checkpoint options of type ${any.typeUrl} are not supported`);
  }
  if (o?.terminal) throw new TtrpcError(GrpcCode.InvalidArgument, 'checkpoint: terminal is not supported by the kc shim');
  if (o?.emptyNamespaces.length) throw new TtrpcError(GrpcCode.InvalidArgument, 'checkpoint: empty_namespaces is not supported by the kc shim');
  const mode = o?.cgroupsMode ?? '';
  if (mode !== '' && mode !== 'soft' && mode !== 'ignore')
    throw new TtrpcError(GrpcCode.InvalidArgument, `checkpoint: cgroups_mode ${mode} is not supported (soft or ignore)`);
  const imagesDir = o?.imagePath || path;
  if (!imagesDir) throw new TtrpcError(GrpcCode.InvalidArgument, 'checkpoint: no image path');
  return {
    exit: o?.exit ?? false,
    options: {
      imagesDir,
      leaveRunning: !(o?.exit ?? false),
      workDir: o?.workPath || undefined,
      manageCgroupsMode: mode === '' ? undefined : (mode as 'soft' | 'ignore'),
      criu: { tcpEstablished: o?.openTcp ?? false, extUnixSockets: o?.externalUnixSockets ?? false, fileLocks: o?.fileLocks ?? false },
    },
  };
}
