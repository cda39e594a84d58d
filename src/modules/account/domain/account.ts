import type { AccountRole } from '../../../shared/domain/caller';

export const ADMIN_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';

export interface Account {
  id: string;
  name: string;
  role: AccountRole;
  createdAt: Date;
}
