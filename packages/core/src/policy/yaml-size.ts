// How big a YAML document is once every alias (`*name`) is replaced by the node it names, counted
// on the AST without expanding anything: each anchored node's size is computed once, and YAML
// puts an anchor before its aliases, so walking in document order always finds the size ready.
// toJS would share one object per anchor, but everything after it (validation, normalization,
// compilation) walks each alias on its own, so the expanded size is the size that costs.

import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from "yaml";

export type SizeCount =
  | { readonly ok: true; readonly total: number }
  /** `at` took the running total past the budget (an alias, usually). */
  | { readonly ok: false; readonly reason: "over"; readonly at: Node }
  /** An alias inside the very node it names (the structure never ends), or naming no anchor. */
  | {
      readonly ok: false;
      readonly reason: "cycle" | "unknown";
      readonly at: Node;
      readonly alias: string;
    };

/** Counts `doc` on top of `start`; stops at the first node past `budget`. */
export function expandedSize(doc: Document, start: number, budget: number): SizeCount {
  const counter = new Counter(start, budget);
  counter.visit(doc.contents);
  return counter.stop ?? { ok: true, total: counter.total };
}

class Counter {
  stop: Exclude<SizeCount, { ok: true }> | undefined;
  private readonly anchors = new Map<string, Node>();
  private readonly sizes = new Map<Node, number>();
  /** Anchored nodes being counted; an alias to one of them is a cycle. */
  private readonly open = new Set<Node>();

  constructor(
    public total: number,
    private readonly budget: number,
  ) {}

  /** The expanded size of `node`; recursion is as deep as the YAML (limited before this runs). */
  visit(node: unknown): number {
    if (this.stop !== undefined) return 0;
    if (isPair(node)) return this.visit(node.key) + this.visit(node.value);
    if (isAlias(node)) return this.alias(node);
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return 0;
    const anchor = node.anchor;
    if (anchor !== undefined) {
      this.anchors.set(anchor, node);
      this.open.add(node);
    }
    let size = this.add(1, node);
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) size += this.visit(item);
    }
    if (anchor !== undefined) {
      this.open.delete(node);
      this.sizes.set(node, size);
    }
    return size;
  }

  private alias(node: Node & { source: string }): number {
    const target = this.anchors.get(node.source);
    const wrong = target === undefined ? "unknown" : this.open.has(target) ? "cycle" : undefined;
    if (wrong !== undefined || target === undefined) {
      this.stop = { ok: false, reason: wrong ?? "unknown", at: node, alias: node.source };
      return 0;
    }
    return this.add(this.sizes.get(target) ?? 0, node);
  }

  private add(n: number, at: Node): number {
    this.total += n;
    if (this.total > this.budget && this.stop === undefined) {
      this.stop = { ok: false, reason: "over", at };
    }
    return n;
  }
}
