import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8' });

describe('caps examples', () => {
  it('caps-file.ts prints libcap text and file capabilities as getcap does', () => {
    const out = runExample('caps-file.ts');
    expect(out).toContain('text: cap_net_raw+ep -> cap_net_raw=ep');
    expect(out).toContain('text: all=eip cap_sys_admin-e -> =eip cap_sys_admin-e');
    expect(out).toContain(
      'decode: 0x00000000a80425fb=cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap',
    );
    expect(out).toContain('error: INVALID_ARGUMENT at offset 0 token cap_nonsense');
    expect(out).toContain('v2: kc reads cap_net_bind_service=ep (version 2); getcap says: cap_net_bind_service=ep');
    expect(out).toContain('v3: kc reads cap_net_raw=p rootid=100000 (version 3); getcap -n says: cap_net_raw=p [rootid=100000]');
  });

  it('caps-bind-port.ts shows a nobody child binding port 80 with only CAP_NET_BIND_SERVICE', () => {
    const out = runExample('caps-bind-port.ts');
    expect(out).toContain('bind :80 ok');
    expect(out).toContain('chown: Operation not permitted');
    expect(out).toContain('CapAmb:\t0000000000000400');
    expect(out).toContain('child exit code: 0');
    expect(out).toContain('sets as asked: true; as capabilities(7) predicts: true');
  });
});
