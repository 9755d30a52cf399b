// Names defined anywhere in the policy (all files), which references are checked against.

export interface Known {
  readonly ipLists: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  /** Policy workloads plus LoadOptions.inventory. */
  readonly workloads: ReadonlySet<string>;
}
