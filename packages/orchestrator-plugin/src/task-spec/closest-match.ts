/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Names longer than this get no hint: nobody mistypes a 100-character id, and the cost grows with length squared. */
const MAX_HINT_NAME_LENGTH = 100;

/** Candidates compared per look-up, at most: a hint is a courtesy, never a cost that grows with the workspace. */
const MAX_HINT_CANDIDATES = 5_000;

/**
 * The candidate closest to `name` (case-insensitive edit distance), or `undefined` when
 * nothing is close enough to be a plausible typo: at most a third of the longer name differs.
 * Bounded in work: long names get no hint, candidates whose length alone rules them out are
 * skipped, and at most {@link MAX_HINT_CANDIDATES} are compared.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_HINT_NAME_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  let compared = 0;
  const lowerName = name.toLowerCase();
  for (const candidate of candidates) {
    if (candidate.length > MAX_HINT_NAME_LENGTH) continue;
    // The distance is at least the difference in length; past the limit it cannot be a typo.
    if (Math.abs(candidate.length - name.length) > typoLimit(name.length, candidate.length)) continue;
    if (++compared > MAX_HINT_CANDIDATES) break;
    const distance = editDistance(lowerName, candidate.toLowerCase());
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= typoLimit(name.length, best.length) ? best : undefined;
}

/** How many edits still read as a typo: a third of the longer name, at least one. */
function typoLimit(first: number, second: number): number {
  return Math.max(1, Math.ceil(Math.max(first, second) / 3));
}

/** ` Did you mean "x"?` or an empty string: the tail of an error message. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closestMatch(name, candidates);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}
