import type { TokenRepo } from "../port.js";
import type { ApiToken } from "../records.js";
import { tokenSnapshot } from "../shared/rules.js";
import { record } from "./audit.js";
import type { Backend, EngineContext } from "./tables.js";

export function tokenRepo(db: Backend, ctx: EngineContext): TokenRepo {
  return {
    async create(input, actor) {
      return db.run((t) => {
        if (t.token(input.hash) || t.tokenByName(input.name)) {
          return { ok: false, reason: "conflict" } as const;
        }
        const token: ApiToken = { ...input, createdAt: ctx.clock().toISOString() };
        t.putToken(token);
        record(t, ctx, {
          actor,
          action: "token.create",
          target: `token/${token.name}`,
          after: tokenSnapshot(token),
        });
        return { ok: true, token } as const;
      });
    },
    async replace(input, actor) {
      return db.run((t) => {
        if (t.token(input.hash)) return { ok: false, reason: "conflict" } as const;
        const before = t.tokenByName(input.name);
        if (before !== undefined) t.deleteToken(input.name);
        const token: ApiToken = { ...input, createdAt: ctx.clock().toISOString() };
        t.putToken(token);
        record(t, ctx, {
          actor,
          action: "token.replace",
          target: `token/${token.name}`,
          before: before === undefined ? null : tokenSnapshot(before),
          after: tokenSnapshot(token),
        });
        return { ok: true, token } as const;
      });
    },
    async find(hash) {
      return db.run((t) => t.token(hash));
    },
    async list() {
      return db.run((t) => t.tokens());
    },
    async delete(name, actor) {
      return db.run((t) => {
        const before = t.tokenByName(name);
        if (before === undefined) return false;
        t.deleteToken(name);
        record(t, ctx, {
          actor,
          action: "token.delete",
          target: `token/${name}`,
          before: tokenSnapshot(before),
        });
        return true;
      });
    },
  };
}
