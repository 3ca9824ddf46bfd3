/**
 * A line in the test run's output, for counts a test must show (e.g. how many
 * disagreements a differential explained). Library sources may not print
 * (biome's noConsole in packages/src), so tests there print through here.
 * @example report(`differential: ${n} calls agree`);
 */
export function report(line: string): void {
  console.log(line);
}
