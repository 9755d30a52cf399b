export * from "./driver/index.js";
export * from "./render/index.js";
