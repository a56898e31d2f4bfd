/**
 * The one sticky PR comment: found by a hidden marker in a comment a bot wrote (a GITHUB_TOKEN
 * cannot read /user, so "our" comment is the bot's with the marker), every page of comments read
 * (a PR may have hundreds), updated in place, created only when none exists. Bodies are cut to
 * GitHub's limit of 65,536 characters by the renderer.
 */
import type { getOctokit } from '@actions/github';

export const STICKY_MARKER = '<!-- mcp-reliability:sticky-report -->';
/** GitHub's limit on a comment body, with room for the marker. */
export const COMMENT_MAX_CHARS = 65_000;

type Octokit = ReturnType<typeof getOctokit>;

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export async function upsertSticky(octokit: Octokit, where: StickyTarget, body: string): Promise<{ url: string; created: boolean }> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: where.owner, repo: where.repo, issue_number: where.issueNumber, per_page: 100 });
  const mine = comments.find((c) => c.body?.includes(STICKY_MARKER) && c.user?.type === 'Bot');
  if (mine) {
    const updated = await octokit.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: mine.id, body });
    return { url: updated.data.html_url, created: false };
  }
  const created = await octokit.rest.issues.createComment({ owner: where.owner, repo: where.repo, issue_number: where.issueNumber, body });
  return { url: created.data.html_url, created: true };
}
