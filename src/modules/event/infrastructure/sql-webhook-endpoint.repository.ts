import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { EndpointStatus, WebhookEndpoint } from '../domain/webhook-endpoint';
import type { SealedSecrets, WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';

interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  enabled_events: string[];
  description: string | null;
  status: EndpointStatus;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Every column but the secrets, which are read only to sign. */
const COLUMNS =
  'id, account_id, url, enabled_events, description, status, failing_since, created_at, updated_at';

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  accountId: row.account_id,
  url: row.url,
  enabledEvents: row.enabled_events,
  description: row.description,
  status: row.status,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

@Injectable()
export class SqlWebhookEndpointRepository implements WebhookEndpointRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, e: WebhookEndpoint, sealedSecret: string): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_endpoints
         (id, account_id, url, enabled_events, description, status, secret, failing_since, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        e.id,
        e.accountId,
        e.url,
        e.enabledEvents,
        e.description,
        e.status,
        sealedSecret,
        e.failingSince,
        e.createdAt,
        e.updatedAt,
      ],
    );
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  async lockById(tx: EntityManager, id: string): Promise<WebhookEndpoint | null> {
    const rows: EndpointRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  async listPage(accountId: string | undefined, limit: number, after?: Cursor): Promise<WebhookEndpoint[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (accountId !== undefined) where.push(`account_id = ${param(accountId)}`);
    if (after) where.push(`(created_at, id) < (${param(after.createdAt)}, ${param(after.id)})`);
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    return rows.map(toEndpoint);
  }

  async save(tx: EntityManager, e: WebhookEndpoint): Promise<void> {
    await tx.query(
      `UPDATE webhook_endpoints
          SET url = $2, enabled_events = $3, description = $4, status = $5, failing_since = $6, updated_at = $7
        WHERE id = $1`,
      [e.id, e.url, e.enabledEvents, e.description, e.status, e.failingSince, e.updatedAt],
    );
  }

  async delete(tx: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `WITH gone AS (DELETE FROM webhook_endpoints WHERE id = $1 RETURNING 1) SELECT 1 FROM gone`,
      [id],
    );
    return rows.length === 1;
  }

  async sealedSecrets(id: string): Promise<SealedSecrets | null> {
    const rows: Array<{
      secret: string;
      previous_secret: string | null;
      previous_secret_expires_at: Date | null;
    }> = await this.dataSource.query(
      `SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row
      ? {
          current: row.secret,
          previous: row.previous_secret,
          previousExpiresAt: row.previous_secret_expires_at,
        }
      : null;
  }

  async rotateSecret(
    tx: EntityManager,
    id: string,
    sealedSecret: string,
    now: Date,
    previousExpiresAt: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_endpoints
          SET previous_secret = secret, previous_secret_expires_at = $4, secret = $2, updated_at = $3
        WHERE id = $1`,
      [id, sealedSecret, now, previousExpiresAt],
    );
  }

  async enabledOf(tx: EntityManager, accountIds: string[]): Promise<WebhookEndpoint[]> {
    const rows: EndpointRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE account_id = ANY($1::uuid[]) AND status = 'enabled'`,
      [accountIds],
    );
    return rows.map(toEndpoint);
  }
}
