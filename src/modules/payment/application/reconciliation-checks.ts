export interface ReconciliationCheck {
  name: string;
  ok: boolean;
  /** The rows that break the invariant (at most a hundred of them). */
  details: Array<Record<string, unknown>>;
}

export interface ReconciliationReport {
  ok: boolean;
  checked_at: string;
  checks: ReconciliationCheck[];
}

/** The invariants GET /api/admin/reconciliation documents, checked against the stored data. */
export interface ReconciliationChecks {
  run(): Promise<ReconciliationReport>;
}
