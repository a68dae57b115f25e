// `server-only` outside Next, for vitest (vitest.config.ts): nothing to guard there.
export {};
