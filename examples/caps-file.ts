/**
 * libcap text and file capabilities: parses texts the way cap_from_text does,
 * prints them the way cap_to_text does, decodes a mask like capsh --decode,
 * then sets file capabilities on a copy of /bin/true (v2, and v3 with a
 * rootid) and shows what getcap reads back.
 * Run as root: pnpm exec tsx examples/caps-file.ts
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCapText, formatCapshDecode, parseCapMask, parseCapText, readFileCaps, writeFileCaps, fileCapsToText } from '@kc/caps';

for (const text of ['cap_net_raw+ep', 'all=eip cap_sys_admin-e', 'cap_chown,cap_kill=ep cap_setuid+p']) {
  console.log(`text: ${text} -> ${formatCapText(parseCapText(text))}`);
}
console.log(`decode: ${formatCapshDecode(parseCapMask('0xa80425fb'))}`);
try {
  parseCapText('cap_nonsense+e');
} catch (e) {
  const err = e as { code: string; offset: number; token: string };
  console.log(`error: ${err.code} at offset ${err.offset} token ${err.token}`);
}

const dir = mkdtempSync(join(tmpdir(), 'kc-example-'));
try {
  const file = join(dir, 'server');
  copyFileSync('/bin/true', file);
  writeFileCaps(file, 'cap_net_bind_service+ep');
  const v2 = readFileCaps(file);
  console.log(
    `v2: kc reads ${v2 && fileCapsToText(v2)} (version ${v2?.version}); getcap says: ${execFileSync('getcap', [file]).toString().trim().split(' ').slice(1).join(' ')}`,
  );
  writeFileCaps(file, 'cap_net_raw=p', { rootid: 100000 });
  const v3 = readFileCaps(file);
  console.log(
    `v3: kc reads ${v3 && fileCapsToText(v3)} rootid=${v3?.rootid} (version ${v3?.version}); getcap -n says: ${execFileSync('getcap', ['-n', file]).toString().trim().split(' ').slice(1).join(' ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
