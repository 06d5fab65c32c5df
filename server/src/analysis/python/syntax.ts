/** The subset of web-tree-sitter's node API the Python front end uses, so the engine's types stay small. */
import type { Node } from 'web-tree-sitter';

export type SyntaxNode = Node;

const TYPE = Symbol('type');

/**
 * A node's type, read from the tree once per node object: every `node.type` is a call into wasm, and the
 * walks read most types several times (filtering comments, then switching on the type).
 */
export function typeOf(node: SyntaxNode): string {
  const cached = (node as SyntaxNode & { [TYPE]?: string })[TYPE];
  if (cached !== undefined) return cached;
  return ((node as SyntaxNode & { [TYPE]?: string })[TYPE] = node.type);
}

export function field(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.childForFieldName(name);
}

export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((child): child is SyntaxNode => child !== null);
}

export function isAsyncFunction(node: SyntaxNode): boolean {
  return typeOf(node) === 'function_definition' && node.child(0)?.type === 'async';
}

/** The function_definition or class_definition a decorated_definition wraps, or the node itself. */
export function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return typeOf(node) === 'decorated_definition' ? (field(node, 'definition') ?? node) : node;
}

/** Nearest enclosing node of one of the given types. */
export function enclosing(node: SyntaxNode, types: readonly string[]): SyntaxNode | null {
  for (let current = node.parent; current; current = current.parent) {
    if (types.includes(typeOf(current))) return current;
  }
  return null;
}
