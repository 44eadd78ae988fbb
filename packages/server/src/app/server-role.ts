/**
 * Which modules one process runs: `all` (`ariadne serve`), `collector` or
 * `query` (`server-roles.ts` maps each to its modules).
 */
export const SERVER_ROLES = ['all', 'collector', 'query'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];
