import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { criu_cg_mode, criu_optsSchema } from './gen/rpc_pb.js';
import { dumpOpts, restoreOpts } from './request.js';

const dirs = { imagesDirFd: 7, workDirFd: undefined, logFile: 'dump.log' };
const roundTrip = (o: ReturnType<typeof dumpOpts>) => fromBinary(criu_optsSchema, toBinary(criu_optsSchema, o));

describe('dump options → criu_opts', () => {
  it('sets exactly the fields asked for, plus the required images_dir_fd', () => {
    const o = roundTrip(
      dumpOpts(
        {
          pid: 42,
          imagesDir: '/x',
          leaveRunning: true,
          tcpEstablished: true,
          shellJob: true,
          fileLocks: true,
          manageCgroups: 'soft',
          external: ['mnt[/data]:data'],
          extMounts: { '/a': 'a' },
          parentImages: '../1',
          trackMemory: true,
          pageServer: { address: '10.0.0.1', port: 1234 },
        },
        dirs,
      ),
    );
    expect(o.imagesDirFd).toBe(7);
    expect(o.pid).toBe(42);
    expect(o.leaveRunning && o.tcpEstablished && o.shellJob && o.fileLocks && o.trackMem).toBe(true);
    expect(o.manageCgroupsMode).toBe(criu_cg_mode.SOFT);
    expect(o.external).toEqual(['mnt[/data]:data']);
    expect(o.extMnt.map((m) => [m.key, m.val])).toEqual([['/a', 'a']]);
    expect(o.parentImg).toBe('../1');
    expect(o.ps?.address).toBe('10.0.0.1');
    expect(o.ps?.port).toBe(1234);
    expect(o.logFile).toBe('dump.log');
    expect(o.notifyScripts).toBe(false);
  });

  it('never sends a page-server fd (CRIU would treat fd 0 as its socket)', () => {
    const bytes = toBinary(criu_optsSchema, dumpOpts({ pid: 1, imagesDir: '/x', pageServer: { address: 'h', port: 1 } }, dirs));
    const o = fromBinary(criu_optsSchema, bytes);
    // proto2 presence: the fd field was not written at all.
    expect(Object.hasOwn(o.ps ?? {}, 'fd')).toBe(false);
  });
});

describe('restore options → criu_opts', () => {
  it('makes the root a sibling unless detached, maps inherited fds, joins namespaces', () => {
    const attached = restoreOpts(
      { imagesDir: '/x', inheritFds: [{ key: 'pipe:[1]', fd: 9 }], joinNamespaces: [{ kind: 'net', path: '/run/netns/a' }] },
      dirs,
      [4],
    );
    expect(attached.rstSibling).toBe(true);
    expect(attached.inheritFd.map((f) => [f.key, f.fd])).toEqual([['pipe:[1]', 4]]);
    expect(attached.joinNs.map((j) => [j.ns, j.nsFile])).toEqual([['net', '/run/netns/a']]);
    expect(restoreOpts({ imagesDir: '/x', detached: true }, dirs, []).rstSibling).toBe(false);
  });
});
