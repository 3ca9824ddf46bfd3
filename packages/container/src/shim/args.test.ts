import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import { shimSocketPath, shimStateRoot } from './address.js';
import { parseShimArgs } from './args.js';

describe('shim command line', () => {
  it('reads what containerd 1.6 passes to start, as the launcher hands it to serve (Go flag syntax, then the action)', () => {
    const a = parseShimArgs([
      '-namespace',
      'default',
      '-address',
      '/run/containerd/containerd.sock',
      '-publish-binary',
      '/usr/bin/containerd',
      '-id',
      'web',
      '-debug',
      'serve',
    ]);
    expect(a).toMatchObject({
      namespace: 'default',
      address: '/run/containerd/containerd.sock',
      publishBinary: '/usr/bin/containerd',
      id: 'web',
      debug: true,
      action: 'serve',
    });
  });

  it('reads delete with -bundle and --name=value forms', () => {
    const a = parseShimArgs(['--namespace=k8s.io', '-id=web', '-bundle', '/b', 'delete']);
    expect(a).toMatchObject({ namespace: 'k8s.io', id: 'web', bundle: '/b', debug: false, action: 'delete' });
  });

  it('refuses an unknown flag, a flag without value, a missing id or action', () => {
    const bad = [
      ['-namespace', 'n', '-id', 'x', '-frob', 'serve'],
      ['-namespace', 'n', '-id'],
      ['-namespace', 'n', 'serve'],
      ['-namespace', 'n', '-id', 'x'],
      ['-namespace', 'n', '-id', 'x', 'run'],
      ['-namespace', 'n', '-id', 'x', 'start'],
    ];
    for (const argv of bad) expect(() => parseShimArgs(argv), argv.join(' ')).toThrow(ContainerError);
  });
});

describe('shim socket and state paths', () => {
  it('gives one stable socket per containerd, namespace and task, short enough for sun_path', () => {
    const p = shimSocketPath('/run/containerd/containerd.sock', 'default', 'web');
    expect(p).toBe(shimSocketPath('/run/containerd/containerd.sock', 'default', 'web'));
    expect(p).toMatch(/^\/run\/containerd\/s\/[0-9a-f]{32}$/);
    expect(shimSocketPath('/run/containerd/containerd.sock', 'other', 'web')).not.toBe(p);
    expect(shimSocketPath('/run/containerd/containerd.sock', 'default', 'web2')).not.toBe(p);
  });

  it('keeps each namespace under its own kc state root', () => {
    expect(shimStateRoot('default', {})).toBe('/run/containerd/kc/default');
    expect(shimStateRoot('ns', { KC_SHIM_ROOT: '/tmp/x' })).toBe('/tmp/x/ns');
  });
});
