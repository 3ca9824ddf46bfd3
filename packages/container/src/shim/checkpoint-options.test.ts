import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { checkpointOptions } from './checkpoint-options.js';
import { CheckpointOptionsSchema as LinuxRunc } from './gen/github.com/containerd/containerd/runtime/linux/runctypes/runc_pb.js';
import { CheckpointOptionsSchema as RuncV2 } from './gen/github.com/containerd/containerd/runtime/v2/runc/options/oci_pb.js';
import { TtrpcError } from './ttrpc/status.js';

describe('checkpoint options', () => {
  it('without options: images into containerd’s directory, the task keeps running', () => {
    expect(checkpointOptions('/var/cp', undefined)).toMatchObject({ exit: false, options: { imagesDir: '/var/cp', leaveRunning: true } });
  });

  it('reads both runc option types, whose image_path and work_path numbers differ', () => {
    const linux = create(AnySchema, {
      typeUrl: LinuxRunc.typeName,
      value: toBinary(LinuxRunc, create(LinuxRunc, { exit: true, imagePath: '/img', workPath: '/work', fileLocks: true })),
    });
    expect(checkpointOptions('/var/cp', linux)).toMatchObject({
      exit: true,
      options: { imagesDir: '/img', workDir: '/work', leaveRunning: false, criu: { fileLocks: true } },
    });
    const v2 = create(AnySchema, {
      typeUrl: `type.googleapis.com/${RuncV2.typeName}`,
      value: toBinary(RuncV2, create(RuncV2, { imagePath: '/img2', openTcp: true })),
    });
    expect(checkpointOptions('/var/cp', v2)).toMatchObject({ exit: false, options: { imagesDir: '/img2', criu: { tcpEstablished: true } } });
  });

  it('refuses an unknown options type and settings kc cannot honour', () => {
    expect(() => checkpointOptions('/p', create(AnySchema, { typeUrl: 'x.Unknown' }))).toThrow(TtrpcError);
    const term = create(AnySchema, { typeUrl: LinuxRunc.typeName, value: toBinary(LinuxRunc, create(LinuxRunc, { terminal: true })) });
    expect(() => checkpointOptions('/p', term)).toThrow(/terminal/);
    const mode = create(AnySchema, { typeUrl: LinuxRunc.typeName, value: toBinary(LinuxRunc, create(LinuxRunc, { cgroupsMode: 'full' })) });
    expect(() => checkpointOptions('/p', mode)).toThrow(/cgroups_mode/);
  });
});
