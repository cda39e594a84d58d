import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { AccountRole } from '../../../shared/domain/caller';

@Entity('accounts')
export class AccountOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 16 }) role: AccountRole;
  @Column({ name: 'api_key_hash', type: 'char', length: 64, nullable: true }) apiKeyHash: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
