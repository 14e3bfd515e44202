/**
 * "Did you mean …?": the closest of some names to a word someone typed, by edit distance (with
 * swapped neighbours counted as one edit), ignoring case.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const row = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[n];
}

/**
 * The name closest to `word`, when it is close enough to be a slip (at most a third of the word's
 * letters, and 3, apart) and the only one that close; undefined otherwise.
 */
export function closest(word: string, names: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const name of names) {
    if (name === word) continue;
    const d = editDistance(w, name.toLowerCase());
    if (d < bestD) [best, bestD, tie] = [name, d, false];
    else if (d === bestD && name.toLowerCase() !== best?.toLowerCase()) tie = true;
  }
  return best !== undefined && bestD <= limit && !tie ? best : undefined;
}
