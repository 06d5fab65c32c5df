/**
 * "Fix all": the safe fixes of one file's findings that can be applied together. The CLI's `--fix` and the
 * language server's source.fixAll action and fix-all command all take their edits from here.
 */
import type { Finding, Position, TextEdit } from '../analysis/types.js';

/**
 * The edits of the first safe fix of each finding (one file's), in the findings' order. A fix whose edits
 * overlap an edit already taken is skipped whole, never half applied: its other edits alone could leave
 * the code broken (a key renamed in the write but not in the read). An edit identical to one already taken
 * (two fixes adding the same import) counts once. Edits that only touch (one ends where the other starts,
 * or two insertions at one point) do not overlap. O(n log n) in the number of edits.
 */
export function fixAllEdits(findings: readonly Finding[]): TextEdit[] {
  const fixes = findings.flatMap((finding) => {
    const fix = finding.fixes.find((candidate) => candidate.safety === 'safe');
    return fix ? [fix.edits] : [];
  });
  const { rank, count } = positionRanks(fixes.flat());
  const taken = new PrefixMax(count);
  const takenKeys = new Set<string>();
  const chosen: TextEdit[] = [];
  for (const edits of fixes) {
    const fresh: { edit: TextEdit; key: string; start: number; end: number }[] = [];
    for (const edit of edits) {
      const key = `${edit.range.start.line}:${edit.range.start.character}:${edit.range.end.line}:${edit.range.end.character}:${edit.newText}`;
      if (takenKeys.has(key) || fresh.some((other) => other.key === key)) continue;
      fresh.push({ edit, key, start: rank(edit.range.start), end: rank(edit.range.end) });
    }
    // An edit [s, e) overlaps a taken [s', e') when s' < e and e' > s; the taken ends are kept as a prefix
    // maximum over starts. A fix whose own edits overlap each other is as unsafe as one that meets another.
    if (fresh.some(({ start, end }) => taken.maxBefore(end) > start)) continue;
    if (overlapsItself(fresh)) continue;
    for (const { edit, key, start, end } of fresh) {
      taken.raise(start, end);
      takenKeys.add(key);
      chosen.push(edit);
    }
  }
  return chosen;
}

function overlapsItself(edits: readonly { start: number; end: number }[]): boolean {
  if (edits.length < 2) return false;
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let end = sorted[0].end;
  for (const edit of sorted.slice(1)) {
    if (edit.start < end) return true;
    end = Math.max(end, edit.end);
  }
  return false;
}

/** Every position of the edits numbered in text order, so positions compare as integers. */
function positionRanks(edits: readonly TextEdit[]): { rank: (position: Position) => number; count: number } {
  const positions = edits.flatMap((edit) => [edit.range.start, edit.range.end]);
  positions.sort((a, b) => a.line - b.line || a.character - b.character);
  const ranks = new Map<number, Map<number, number>>();
  let count = 0;
  for (const position of positions) {
    let line = ranks.get(position.line);
    if (!line) ranks.set(position.line, (line = new Map()));
    if (!line.has(position.character)) line.set(position.character, count++);
  }
  return { rank: (position) => ranks.get(position.line)!.get(position.character)!, count };
}

/** A Fenwick tree of maxima: raise(i, v) sets slot i to at least v; maxBefore(i) is the largest of slots 0..i-1. */
class PrefixMax {
  private readonly tree: Int32Array;

  constructor(size: number) {
    this.tree = new Int32Array(size + 1).fill(-1);
  }

  raise(index: number, value: number): void {
    for (let i = index + 1; i < this.tree.length; i += i & -i) if (this.tree[i] < value) this.tree[i] = value;
  }

  maxBefore(index: number): number {
    let max = -1;
    for (let i = index; i > 0; i -= i & -i) if (this.tree[i] > max) max = this.tree[i];
    return max;
  }
}
