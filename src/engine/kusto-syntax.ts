// Microsoft's Kusto language service (Kusto.Language, the parser behind the Azure Data Explorer and Log Analytics
// editors), loaded the first time a query has to be read. The package is a Bridge.NET build: two CommonJS scripts that
// define the globals `Bridge`, `System` and `Kusto` (bridge.js, the runtime, first). Loading them costs about a second
// and a half of CPU, so nothing loads them until a Sentinel rule asks to be read.
import { createRequire } from "node:module";

/** The parts of a syntax node this project reads (see Kusto.Language.Syntax in the package's .d.ts). */
export interface KqlNode {
  Kind: number;
  IsToken: boolean;
  ChildCount: number;
  GetChild(index: number): KqlNode | null;
  Text?: string | null;
  SimpleName?: string | null;
  LiteralValue?: unknown;
  Element?: KqlNode | null;
  Count?: number;
  getItem?(index: number): KqlNode | null;
  [property: string]: unknown;
}

export interface KqlParse {
  /** The query's syntax tree (a QueryBlock). */
  root: KqlNode;
  /** The syntax errors the parser reports, as `CODE message`. */
  errors: string[];
}

interface KustoLanguage {
  KustoCode: { Parse(text: string): { Syntax: KqlNode; GetDiagnostics(): KqlList } };
  Syntax: { SyntaxKind: Record<string, number | unknown> };
}

interface KqlList {
  Count: number;
  getItem(index: number): { Code: string; Message: string; Severity: string };
}

let language: { kusto: KustoLanguage; kinds: Map<number, string> } | undefined;

function load(): NonNullable<typeof language> {
  if (language) return language;
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.js");
  const kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
  const kinds = new Map<number, string>();
  for (const [name, value] of Object.entries(kusto.Syntax.SyntaxKind)) {
    if (typeof value === "number") kinds.set(value, name);
  }
  language = { kusto, kinds };
  return language;
}

/** The syntax tree of a KQL query, as the Kusto language service parses it (no schema: names stay unresolved). */
export function parseKql(query: string): KqlParse {
  const { kusto } = load();
  const code = kusto.KustoCode.Parse(query);
  const diagnostics = code.GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === "Error") errors.push(`${d.Code} ${d.Message}`);
  }
  return { root: code.Syntax, errors };
}

/** The name of a node's SyntaxKind ("PipeExpression", "FilterOperator", ...), or "" for a node of no parse. */
export function kindOf(node: KqlNode | null | undefined): string {
  if (!node || !language) return "";
  return language.kinds.get(node.Kind) ?? `kind ${node.Kind}`;
}

/** The elements of a SyntaxList (unwrapping SeparatedElement). */
export function listOf(list: unknown): KqlNode[] {
  const l = list as KqlNode | null | undefined;
  const out: KqlNode[] = [];
  if (!l || typeof l.getItem !== "function") return out;
  for (let i = 0; i < (l.Count ?? 0); i++) {
    const item = l.getItem(i);
    if (!item) continue;
    const element = "Element" in item ? (item.Element as KqlNode | null) : item;
    if (element) out.push(element);
  }
  return out;
}

/** The direct child nodes of a node. */
export function childrenOf(node: KqlNode): KqlNode[] {
  const out: KqlNode[] = [];
  if (node.IsToken) return out;
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    if (child) out.push(child);
  }
  return out;
}

/** Every node under `node` (itself included), depth first. */
export function descendantsOf(node: KqlNode): KqlNode[] {
  const out: KqlNode[] = [node];
  for (const child of childrenOf(node)) out.push(...descendantsOf(child));
  return out;
}
