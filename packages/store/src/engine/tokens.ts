import type { TokenRepo } from "../port.js";
import type { ApiToken } from "../records.js";
import { tokenSnapshot } from "../shared/rules.js";
import { record } from "./audit.js";
import type { Backend, EngineContext } from "./tables.js";

export function tokenRepo(db: Backend, ctx: EngineContext): TokenRepo {
  return {
    async create(input, actor) {
      return db.run(async (t) => {
        if ((await t.token(input.hash)) || (await t.tokenByName(input.name))) {
          return { ok: false, reason: "conflict" } as const;
        }
        const token: ApiToken = { ...input, createdAt: ctx.clock().toISOString() };
        await t.putToken(token);
        await record(t, ctx, {
          actor,
          action: "token.create",
          target: `token/${token.name}`,
          after: tokenSnapshot(token),
        });
        return { ok: true, token } as const;
      });
    },
    async replace(input, actor) {
      return db.run(async (t) => {
        if (await t.token(input.hash)) return { ok: false, reason: "conflict" } as const;
        const before = await t.tokenByName(input.name);
        if (before !== undefined) await t.deleteToken(input.name);
        const token: ApiToken = { ...input, createdAt: ctx.clock().toISOString() };
        await t.putToken(token);
        await record(t, ctx, {
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
      return db.run(async (t) => t.token(hash), "read");
    },
    async list() {
      return db.run(async (t) => t.tokens(), "read");
    },
    async delete(name, actor) {
      return db.run(async (t) => {
        const before = await t.tokenByName(name);
        if (before === undefined) return false;
        await t.deleteToken(name);
        await record(t, ctx, {
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
