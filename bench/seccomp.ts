/**
 * @kc/seccomp vs libseccomp 2.5 (python3-seccomp): compile time of kc, and BPF
 * instructions executed per syscall (emulator over every syscall number of the
 * native arch, zero args), program length, for Docker's default profile and kc's default.
 * Run: pnpm exec tsx bench/seccomp.ts
 */
import { readFileSync } from "node:fs";
import {
	archInfo,
	compile,
	decodeProgram,
	emulate,
	importOciSeccomp,
	kcDefaultPolicy,
	type Policy,
	resolveDockerProfile,
	type SockFilter,
} from "../packages/seccomp/src/index.js";
import { libseccompCompile } from "../packages/seccomp/src/internal/libseccomp-peer.js";
import { measure } from "./lib/measure.js";
import { report } from "./lib/report.js";

function stats(prog: SockFilter[], p: Policy) {
	const info = archInfo(p.arches[0] ?? "x86_64");
	const counts = Object.values(info.syscalls).map(
		(nr) =>
			emulate(prog, {
				arch: info.auditArch,
				nr,
				args: [0n, 0n, 0n, 0n, 0n, 0n],
			}).executed,
	);
	return {
		mean: counts.reduce((a, b) => a + b, 0) / counts.length,
		max: Math.max(...counts),
		length: prog.length,
	};
}

const docker = importOciSeccomp(
	resolveDockerProfile(
		JSON.parse(
			readFileSync("/work/shared/data/seccomp/docker-default.json", "utf8"),
		),
		{ arch: "x86_64" },
	),
).policy;
const profiles: [string, Policy][] = [
	["docker-default", docker],
	["kc-default", kcDefaultPolicy()],
];
const cases = [];
console.log("profile | tool | mean insns/syscall | max | program length");
console.log("---|---|---|---|---");
for (const [name, p] of profiles) {
	const kc = stats(compile(p).instructions, p);
	const rows: [string, ReturnType<typeof stats>][] = [
		["kc", kc],
		["libseccomp", stats(decodeProgram(libseccompCompile(p, 1)), p)],
		["libseccomp-tree", stats(decodeProgram(libseccompCompile(p, 2)), p)],
	];
	for (const [tool, s] of rows) {
		console.log(
			`${name} | ${tool} | ${s.mean.toFixed(1)} (×${(s.mean / kc.mean).toFixed(2)} of kc) | ${s.max} | ${s.length}`,
		);
	}
	cases.push(
		await measure(`compile ${name}`, "kc", () => compile(p), {
			runs: 200,
			warmup: 20,
		}),
	);
}
report("seccomp", cases);
