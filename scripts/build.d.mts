// Types of scripts/build.mjs for the tests that build dist/ before starting the compiled service.
export declare const ROOT: string;
export declare const DIST: string;
export declare function sourceFingerprint(): string | undefined;
export declare function staleReason(): string | undefined;
export declare function build(options?: { check?: boolean; onlyIfStale?: boolean }): Promise<{ ms: number; skipped: boolean }>;
export declare function ensureBuilt(options?: { log?: (message: string) => void }): Promise<void>;
