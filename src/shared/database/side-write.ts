/**
 * A data-modifying statement that rides along, as one more WITH item, in another module's write
 * statement, so that both cost one round trip. It must touch tables the host statement does not
 * (the items of one WITH run on one snapshot, in no set order).
 */
export interface SideWrite {
  /** The WITH item (`name AS (UPDATE … )`), its parameters numbered from `firstParam`. */
  cte(firstParam: number): string;
  params: unknown[];
}

/** Runs a side write on its own, when there is no host statement to carry it. */
export function alone(write: SideWrite): { sql: string; params: unknown[] } {
  return { sql: `WITH ${write.cte(1)} SELECT 1`, params: write.params };
}
