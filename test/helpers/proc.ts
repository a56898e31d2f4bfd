/** Process-table helpers for tests that check nothing is left behind. */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose process group is `pgid` (from /proc/<pid>/stat). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) members.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return members;
}
