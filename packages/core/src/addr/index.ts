// CIDR math: exact include-minus-except, merging and normalization for IPv4 and IPv6.
export * from "./address-set.js";
export * from "./format.js";
export * from "./host-port.js";
export * from "./parse.js";
export * from "./ranges.js";
