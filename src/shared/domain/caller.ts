export type AccountRole = 'admin' | 'customer';

/** Who is calling a use case: the account an API key belongs to. */
export interface Caller {
  accountId: string;
  name: string;
  role: AccountRole;
}

export function isAdmin(caller: Caller): boolean {
  return caller.role === 'admin';
}
