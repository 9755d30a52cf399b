// Cytoscape.js on a <div>: draws the composed graph, reports taps on nodes and edges, and
// highlights a set of nodes (a blast radius). Layout: cose for small pictures, concentric (linear
// time) past LARGE nodes so an estate of thousands stays responsive.
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";
import type { Graph } from "./graph.js";

const LARGE = 150;
const MAX_FIT_ZOOM = 1.4;

const COLOURS = {
  allowed: "#1b7f3b",
  blocked: "#b3261e",
  "would-block": "#a35200",
  "not-covered": "#5b5f66",
} as const;
/** Failed contacts (graph.ts): their own colour, dashed, whatever their verdict. */
const FAILED = "#7b3fa0";

export type Selection = { kind: "node"; id: string } | { kind: "edge"; id: string } | null;

export function CyCanvas(props: {
  graph: Graph;
  highlight: ReadonlySet<string>;
  onSelect: (s: Selection) => void;
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;

  useEffect(() => {
    if (container.current === null) return;
    const large = props.graph.nodes.length > LARGE;
    const instance = cytoscape({
      container: container.current,
      elements: elementsOf(props.graph),
      style: large ? [...STYLE, ...LARGE_STYLE] : STYLE,
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      // Large pictures: draw a bitmap while panning and zooming, at one pixel per pixel.
      ...(large && { hideEdgesOnViewport: true, textureOnViewport: true, pixelRatio: 1 }),
    });
    instance.layout(layoutFor(props.graph.nodes.length)).run();
    // A small picture fitted to the canvas would be drawn huge; keep it at a readable scale.
    if (instance.zoom() > MAX_FIT_ZOOM) {
      instance.zoom(MAX_FIT_ZOOM);
      instance.center();
    }
    instance.on("tap", "node", (e) => onSelect.current({ kind: "node", id: e.target.id() }));
    instance.on("tap", "edge", (e) => onSelect.current({ kind: "edge", id: e.target.id() }));
    instance.on("tap", (e) => {
      if (e.target === instance) onSelect.current(null);
    });
    cy.current = instance;
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, [props.graph]);

  useEffect(() => {
    const instance = cy.current;
    if (instance === null) return;
    instance.batch(() => {
      instance.nodes().forEach((n) => {
        n.toggleClass("reached", props.highlight.has(n.id()));
      });
    });
  }, [props.highlight]);

  return <div ref={container} className="map-canvas" role="img" aria-label={props.label} />;
}

function elementsOf(graph: Graph): ElementDefinition[] {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const nodes: ElementDefinition[] = graph.nodes.map((n) => ({
    data: {
      id: n.id,
      label: n.kind === "group" ? `${n.id} (${n.members?.length ?? 0})` : n.label,
    },
    classes: n.kind,
  }));
  // An edge's far end may be a node the map did not list (an address): draw it anyway.
  for (const e of graph.edges) {
    for (const end of [e.from, e.to]) {
      if (!ids.has(end)) {
        ids.add(end);
        nodes.push({ data: { id: end, label: end }, classes: "address" });
      }
    }
  }
  const edges: ElementDefinition[] = graph.edges.map((e) => ({
    data: {
      id: e.id,
      source: e.from,
      target: e.to,
      label: e.port,
      colour: e.failed ? FAILED : COLOURS[e.shownAs],
    },
    classes: e.failed ? `${e.shownAs} failed` : e.shownAs,
  }));
  return [...nodes, ...edges];
}

function layoutFor(nodes: number): cytoscape.LayoutOptions {
  if (nodes <= LARGE)
    return {
      name: "cose",
      animate: false,
      padding: 40,
      nodeRepulsion: () => 400_000,
      idealEdgeLength: () => 140,
    };
  return { name: "concentric", animate: false, minNodeSpacing: 8 };
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "background-color": "#0b5cad",
      color: "#1a1d21",
      "font-size": 11,
      "text-valign": "bottom",
      "text-margin-y": 4,
      width: 22,
      height: 22,
    },
  },
  {
    selector: "node.group",
    style: { shape: "round-rectangle", width: 44, height: 30, "background-color": "#0f2740" },
  },
  { selector: "node.address", style: { shape: "diamond", "background-color": "#7d8794" } },
  { selector: "node.reached", style: { "border-width": 5, "border-color": "#ffbf47" } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#1a1d21" } },
  {
    selector: "edge",
    style: {
      width: 2,
      "line-color": "data(colour)",
      "target-arrow-color": "data(colour)",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      label: "data(label)",
      "font-size": 9,
      color: "#4a5360",
      "text-rotation": "autorotate",
    },
  },
  { selector: "edge.not-covered", style: { "line-style": "dashed" } },
  { selector: "edge.blocked", style: { width: 3 } },
  { selector: "edge.failed", style: { "line-style": "dashed", "line-dash-pattern": [3, 5] } },
  { selector: "edge:selected", style: { width: 5 } },
];

/** Past LARGE nodes: straight edges without labels, node names only when zoomed in enough. */
const LARGE_STYLE: cytoscape.StylesheetJson = [
  { selector: "node", style: { "min-zoomed-font-size": 10 } },
  { selector: "edge", style: { "curve-style": "haystack", label: "", "haystack-radius": 0 } },
];
