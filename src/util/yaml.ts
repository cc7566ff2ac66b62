// The one way the tool reads YAML from disk (policies, waivers, the configuration, estates). A file is refused, with
// its line, when it is larger than MAX_YAML_BYTES, when its aliases would expand it past MAX_YAML_EXPANDED (an alias
// "bomb": a few lines that expand to billions of nodes), or when an alias refers to a node that contains it (a value
// without end). Ordinary sharing through anchors and aliases (one owner for a hundred waivers) is allowed: the
// `yaml` package's own alias count limit (100 by default) is replaced by the size limit.
import { readBounded } from "./bounded-read.js";
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from "yaml";

/** The largest YAML file read (bytes). */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;
/** The largest expanded size of a document: its scalars' characters plus one for each node, aliases expanded. */
export const MAX_YAML_EXPANDED = 32 * 1024 * 1024;

export type MakeError = (file: string, line: number | undefined, reason: string) => Error;

/** Reads a YAML file's text, refusing one larger than `maxBytes` before reading it. */
export function readYamlText(file: string, makeError: MakeError, maxBytes = MAX_YAML_BYTES): string {
  const read = readBounded(file, maxBytes);
  if (read.ok) return read.bytes.toString("utf8");
  switch (read.why) {
    case "not-a-file":
      throw makeError(file, undefined, "is not a file; name a YAML file");
    case "too-large":
      throw makeError(file, undefined, `is ${read.size} bytes, more than the ${maxBytes} bytes hsm-audit reads`);
    case "unreadable":
      throw makeError(file, undefined, `cannot read it (${read.code})`);
  }
}

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  value: unknown;
  /**
   * The line to blame for `path`: the line of its key when the key is present (a block value starts on a later line),
   * else the line of the nearest ancestor that exists, else the document's first.
   */
  lineOf: (path: (string | number)[]) => number | undefined;
}

/**
 * Parses YAML text: its value, the document and its line counter (for the callers' own line lookups). Bad YAML, an
 * oversized text, an alias bomb or a recursive alias is an error of `makeError` with the line to blame.
 */
export function parseYaml(
  text: string,
  file: string,
  makeError: MakeError,
  options: { syntax?: string; maxBytes?: number; maxExpanded?: number } = {},
): ParsedYaml {
  const maxBytes = options.maxBytes ?? MAX_YAML_BYTES;
  const maxExpanded = options.maxExpanded ?? MAX_YAML_EXPANDED;
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    throw makeError(file, undefined, `is more than the ${maxBytes} bytes hsm-audit reads`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const reason = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw makeError(file, lines.linePos(first.pos[0]).line, `not valid ${options.syntax ?? "YAML"}: ${reason}`);
  }
  checkExpansion(doc, lines, file, makeError, maxExpanded);
  // The size was checked above: the package's own count of aliases (100 by default) would refuse ordinary files.
  try {
    return {
      doc,
      lines,
      value: doc.toJS({ maxAliasCount: -1 }) as unknown,
      lineOf: (path) => keyLine(doc, lines, path),
    };
  } catch (error) {
    throw makeError(file, undefined, `not valid YAML: ${(error as Error).message}`);
  }
}

function keyLine(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[n - 1]);
      const range = (pair?.key as { range?: [number, number] } | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    } else if (isSeq(parent)) {
      const item = parent.items[Number(path[n - 1])] as { range?: [number, number] } | undefined;
      if (item?.range) return lines.linePos(item.range[0]).line;
    }
  }
  const root = (doc.contents as { range?: [number, number] } | null)?.range;
  return root ? lines.linePos(root[0]).line : undefined;
}

function checkExpansion(doc: Document, lines: LineCounter, file: string, makeError: MakeError, max: number): void {
  let hasAlias = false;
  visit(doc, {
    Alias() {
      hasAlias = true;
      return visit.BREAK;
    },
  });
  if (!hasAlias) return;
  const lineAt = (node: { range?: unknown } | null | undefined) => {
    const range = node?.range as [number, number] | undefined;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  const sizeOf = (node: unknown, via?: Node): number => {
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        throw makeError(file, lineAt(node), `not valid YAML: the alias *${node.source} has no anchor before it`);
      }
      return sizeOf(target, node);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) {
      throw makeError(file, lineAt(via), "an alias refers to a node that contains it (a value without end)");
    }
    open.add(node);
    let size = 1;
    if (isScalar(node)) size += String(node.value ?? "").length;
    else if (isMap(node)) for (const pair of node.items) size += sizeOf(pair.key) + sizeOf(pair.value);
    else if (isSeq(node)) for (const item of node.items) size += sizeOf(item);
    else if (isPair(node)) size += sizeOf(node.key) + sizeOf(node.value);
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  const total = sizeOf(doc.contents);
  if (total <= max) return;
  // Blame the alias that expands the most.
  let worst: { size: number; line: number | undefined } = { size: -1, line: undefined };
  visit(doc, {
    Alias(_, node) {
      const size = sizeOf(node);
      if (size > worst.size) worst = { size, line: lineAt(node) };
    },
  });
  throw makeError(
    file,
    worst.line,
    `its aliases expand it to more than ${max} characters and nodes (an alias here alone expands to ${worst.size}); ` +
      "write the values out instead of aliasing them",
  );
}
