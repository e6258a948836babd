import type { YamlNode } from './ruamel-representer';

/**
 * ruamel's `Serializer.anchor_node`: a depth-first walk (keys before values) that names every
 * node met twice, `id001`, `id002`, … in the order of the second meetings. The first time the
 * emitter writes such a node it writes `&id001` before it, every other time `*id001` instead.
 * Only collections can be met twice: the representer makes a new node for each scalar.
 */
export function anchorNodes(root: YamlNode): Map<YamlNode, string> {
  const seen = new Set<YamlNode>();
  const anchors = new Map<YamlNode, string>();
  let lastId = 0;
  const walk = (node: YamlNode): void => {
    if (seen.has(node)) {
      if (!anchors.has(node)) anchors.set(node, `id${String(++lastId).padStart(3, '0')}`);
      return;
    }
    seen.add(node);
    if (node.kind === 'seq') node.items.forEach(walk);
    else if (node.kind === 'map') {
      for (const [key, value] of node.pairs) {
        walk(key);
        walk(value);
      }
    }
  };
  walk(root);
  return anchors;
}
