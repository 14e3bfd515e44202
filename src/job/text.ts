/**
 * Job text as people write it: JSON with `//` and `/* *\/` comments and trailing commas (JSONC,
 * read by jsonc-parser, the parser of VS Code's settings), where a missing comma between two values
 * is read as if it were there, with a warning. A real syntax error names the line and column, shows
 * the line with a caret and says what is probably wrong; a key given twice in one object is a
 * warning naming both lines. The text also answers where a JSON path lies in it (`lineOf`), so
 * that later problems can name their line.
 */
import { createScanner, type Node, type ParseError, ParseErrorCode, parseTree, SyntaxKind } from 'jsonc-parser';
import { MAX_DEPTH } from './raw.js';

/** A syntax error of a job text: its line and column (1-based), the reason, and the line shown with a caret. */
export class JobTextError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    readonly excerpt: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export interface JobText {
  value: unknown;
  /** Leniencies used and keys given twice, each with its line. */
  warnings: string[];
  /** The line where the value at a JSON path starts (undefined when the path is not in the text). */
  lineOf(path: (string | number)[]): number | undefined;
}

export interface ReadOptions {
  /** The keys an object at this path may have (for "did you mean" on keys given twice). */
  keysAt?: (path: (string | number)[]) => string[] | undefined;
  /** Says which key was probably meant, among `names`. */
  suggest?: (word: string, names: string[]) => string | undefined;
}

/** Line starts of a text, to turn offsets into lines and columns. */
function lineIndex(text: string) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const at = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
  const excerpt = (offset: number) => {
    const { line, column } = at(offset);
    const start = starts[line - 1];
    const end = line < starts.length ? starts[line] - 1 : text.length;
    const content = text.slice(start, end).replace(/\r$/, '');
    // Long lines (a minified file) are shown around the column.
    const from = Math.max(0, column - 60);
    const shownLine = (from > 0 ? '…' : '') + content.slice(from, from + 120) + (content.length > from + 120 ? '…' : '');
    const pad = (from > 0 ? ' ' : '') + content.slice(from, column - 1).replace(/[^\t]/g, ' ');
    const no = String(line);
    return `${no} | ${shownLine}\n${' '.repeat(no.length)} | ${pad}^`;
  };
  return { at, excerpt };
}

/** What a syntax error probably means, in words. */
function reasonOf(e: ParseError, text: string): string {
  const token = text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 20)));
  switch (e.error) {
    case ParseErrorCode.PropertyNameExpected:
      return token.startsWith("'")
        ? 'a key in single quotes: JSON keys take double quotes'
        : /^[A-Za-z_$]/.test(token)
          ? `a key without quotes (${token.match(/^[\w$]+/)?.[0]}): JSON keys take double quotes`
          : `a key in double quotes was expected here, not ${JSON.stringify(token)}`;
    case ParseErrorCode.ValueExpected:
      return token === ',' || token === '}' || token === ']'
        ? `a value is missing before ${JSON.stringify(token)}`
        : token.startsWith("'")
          ? 'a string in single quotes: JSON strings take double quotes'
          : `a value was expected here, not ${JSON.stringify(token)} (strings take double quotes)`;
    case ParseErrorCode.ColonExpected:
      return 'missing ":" between the key and its value';
    case ParseErrorCode.CloseBraceExpected:
      return 'missing "}" (or a "," between two keys)';
    case ParseErrorCode.CloseBracketExpected:
      return 'missing "]" (or a "," between two values)';
    case ParseErrorCode.EndOfFileExpected:
      return 'more text after the end of the JSON value (a "}" or "]" too many, or two values in one file)';
    case ParseErrorCode.InvalidSymbol: {
      const rest = text.slice(e.offset, e.offset + 80);
      const word = /^[A-Za-z_$][\w$]*/.exec(rest)?.[0];
      if (word && /^[A-Za-z_$][\w$]*\s*:/.test(rest)) return `a key without quotes (${word}): JSON keys take double quotes`;
      if (word && ['True', 'False', 'None', 'TRUE', 'FALSE', 'NULL', 'undefined', 'NaN', 'Infinity'].includes(word))
        return `${word} is not a JSON value (JSON writes true, false and null; numbers are finite)`;
      if (word) return `unexpected ${JSON.stringify(word)} (strings take double quotes)`;
      if (rest.startsWith("'")) return 'a string in single quotes: JSON strings take double quotes';
      return `unexpected ${JSON.stringify(token)}`;
    }
    case ParseErrorCode.InvalidNumberFormat:
    case ParseErrorCode.UnexpectedEndOfNumber:
      return `not a number: ${JSON.stringify(token)} (numbers are written like 0.5, 10 or 1e3)`;
    case ParseErrorCode.UnexpectedEndOfString:
      return 'a string is not closed (missing ")';
    case ParseErrorCode.UnexpectedEndOfComment:
      return 'a /* comment is not closed';
    case ParseErrorCode.InvalidCommentToken:
      return 'not a comment (comments are // to the end of the line, or /* … */)';
    case ParseErrorCode.InvalidEscapeCharacter:
      return 'not a valid escape in a string (write \\\\ for a backslash)';
    case ParseErrorCode.InvalidUnicode:
      return 'not a valid \\u escape (four hex digits)';
    case ParseErrorCode.InvalidCharacter:
      return 'a control character (such as a tab or a line break) inside a string: write it as \\t or \\n';
    default:
      return 'not valid JSON here';
  }
}

/** Nesting the (recursive) parser is not given: far deeper than any job (the job checks stop at MAX_DEPTH). */
const PARSER_DEPTH = 16 * MAX_DEPTH;

/** Where the text nests deeper than PARSER_DEPTH, if it does. */
function tooDeep(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let k = scanner.scan(); k !== SyntaxKind.EOF; k = scanner.scan()) {
    if (k === SyntaxKind.OpenBraceToken || k === SyntaxKind.OpenBracketToken) {
      if (++depth > PARSER_DEPTH) return scanner.getTokenOffset();
    } else if (k === SyntaxKind.CloseBraceToken || k === SyntaxKind.CloseBracketToken) depth--;
  }
  return undefined;
}

/**
 * The value of a parse tree, built as JSON.parse builds it: every key an own property (also
 * `__proto__`, which the raw-JSON checks then refuse), the last of a key given twice winning.
 */
function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k || !v) continue;
        Object.defineProperty(out, String(k.value), { value: nodeValue(v), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/** Reads a job text (a job file, or one of the configs the API takes as strings). */
export function readJobText(text: string, o: ReadOptions = {}): JobText {
  const lines = lineIndex(text);
  const fail = (offset: number, reason: string): never => {
    const { line, column } = lines.at(offset);
    throw new JobTextError(line, column, reason, lines.excerpt(offset));
  };
  if (text.trim() === '') fail(0, 'the text is empty (a job is a JSON object: {"InputConfig": …})');
  const deep = tooDeep(text);
  if (deep !== undefined) {
    // Strict JSON that deep is read as JSON.parse reads it (no recursion), for the raw-JSON checks
    // to refuse it naming the path; anything else is refused here, at its place.
    try {
      return { value: JSON.parse(text), warnings: [], lineOf: () => undefined };
    } catch {
      fail(deep, `nested deeper than ${PARSER_DEPTH} levels`);
    }
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const warnings: string[] = [];
  const ends: number[] = [];
  const collect = (n: Node) => {
    if (n.type !== 'property') ends.push(n.offset + n.length);
    for (const c of n.children ?? []) collect(c);
  };
  if (tree) collect(tree);
  for (const e of errors) {
    if (e.error !== ParseErrorCode.CommaExpected) fail(e.offset, reasonOf(e, text));
    // A missing comma between two values: read as if it were there.
    const before = Math.max(-1, ...ends.filter((x) => x <= e.offset));
    const { line, column } = lines.at(e.offset);
    const prev = before >= 0 ? lines.at(before - 1).line : undefined;
    const after = prev === undefined ? '' : prev === line ? ' after the value before it' : ` after the value on line ${prev}`;
    warnings.push(`line ${line}, column ${column}: missing ","${after}; read as if it were there`);
  }
  const root: Node = tree ?? fail(0, 'no JSON value');
  // Keys given twice: the second wins, as in JSON.parse; said, with the key probably meant.
  const pathOf = (n: Node): (string | number)[] => {
    const out: (string | number)[] = [];
    for (let c = n; c.parent; c = c.parent) {
      const p = c.parent;
      if (p.type === 'property') out.unshift(String(p.children![0].value));
      else if (p.type === 'array') out.unshift(p.children!.indexOf(c));
    }
    return out;
  };
  const walk = (n: Node) => {
    if (n.type === 'object') {
      const seen = new Map<string, number>();
      for (const p of n.children ?? []) {
        const key = String(p.children?.[0]?.value);
        const line = lines.at(p.offset).line;
        const first = seen.get(key);
        if (first !== undefined) {
          const present = new Set(seen.keys());
          const valid = o.keysAt?.(pathOf(n))?.filter((k) => !present.has(k));
          const meant = valid && o.suggest?.(key, valid);
          const at = first === line ? `line ${line}` : `lines ${first} and ${line}`;
          warnings.push(`${key} is given twice (${at}); the second wins${meant ? ` — did you mean ${meant}?` : ''}`);
        } else seen.set(key, line);
      }
    }
    for (const c of n.children ?? []) walk(c);
  };
  walk(root);
  const lineOf = (path: (string | number)[]) => {
    let node: Node | undefined = root;
    for (const seg of path) {
      if (!node) return undefined;
      if (node.type === 'object' && typeof seg === 'string') {
        // The last of a key given twice is the one that counts.
        const props: Node[] = (node.children ?? []).filter((p: Node) => p.children?.[0]?.value === seg);
        node = props.at(-1)?.children?.[1];
      } else if (node.type === 'array' && typeof seg === 'number') node = node.children?.[seg];
      else return undefined;
    }
    return node ? lines.at(node.offset).line : undefined;
  };
  return { value: nodeValue(root), warnings, lineOf };
}
