import { compile, policy, Act, arg, disassemble, emulate } from '../src/index.js';
const p = policy(Act.errno(1), ['x86_64','x32','i386']).allow('read','write','exit_group','openat','close').rule('socket', Act.allow, arg(0).eq(1)).kill('ptrace').enosysAfter('close_range').build();
const c = compile(p);
console.log(disassemble(c.instructions));
console.log(emulate(c.instructions, {arch: 0xc000003e, nr: 41, args:[1n]}));
