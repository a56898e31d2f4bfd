/** Tool-list tracking: paginated `tools/list` and the diff against the first list (pure). */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** A server that keeps handing out cursors must not trap the client. */
const MAX_PAGES = 100;

/** All tool names, following `nextCursor`; stops on a repeated cursor or after MAX_PAGES pages. */
export async function listAllToolNames(client: Client, timeoutMs: number): Promise<string[]> {
  return (await listAllTools(client, timeoutMs)).map((t) => t.name);
}

/** All tool definitions (name, description, input schema), following `nextCursor` like listAllToolNames. */
export async function listAllTools(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  const deadline = performance.now() + timeoutMs;
  for (let page = 0; page < MAX_PAGES; page++) {
    const timeout = Math.max(1, deadline - performance.now());
    const res = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout, ...(signal ? { signal } : {}) });
    tools.push(...res.tools);
    cursor = res.nextCursor;
    if (cursor === undefined || seen.has(cursor)) break;
    seen.add(cursor);
  }
  return tools;
}

export interface ToolDiff {
  added: string[];
  removed: string[];
}

/** Tools in `current` but not in `first` (added) and the reverse (removed), each sorted. */
export function diffTools(first: readonly string[], current: readonly string[]): ToolDiff {
  const a = new Set(first);
  const b = new Set(current);
  return {
    added: [...b].filter((t) => !a.has(t)).sort(),
    removed: [...a].filter((t) => !b.has(t)).sort(),
  };
}

export function isEmptyDiff(d: ToolDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0;
}
