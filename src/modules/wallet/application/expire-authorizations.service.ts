import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { fixedBatch } from '../../../shared/database/hot-row-batcher';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { OverdueExpirer } from '../../../shared/queue/deadline';
import { type Authorization, isOverdue } from '../domain/authorization';
import type { WalletRepository } from '../domain/wallet.repository';
import { AUTHORIZATION_EXPIRY, WALLET_REPOSITORY } from '../wallet.tokens';
import { WalletLedgerFacade, type WalletOperation } from './wallet-ledger.facade';

/**
 * Releases the money of authorizations past their deadline: one (its delayed job) or all overdue
 * (the sweeper). An authorization changes only under its wallet's lock, so its rows are read again
 * once the wallets are locked (in id order, as every transaction locks several), and whichever of
 * capture, void and expiry comes first decides it; the others find it no longer pending.
 */
@Injectable()
export class ExpireAuthorizationsService extends OverdueExpirer<Authorization> {
  constructor(
    uow: UnitOfWork,
    @Inject(WALLET_REPOSITORY) wallets: WalletRepository<EntityManager>,
    private readonly ledger: WalletLedgerFacade,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(
      uow,
      clock,
      AUTHORIZATION_EXPIRY,
      {
        lockById: async (em, id) => {
          const found = await wallets.findAuthorizationById(id, em);
          if (!found) return null;
          await ledger.lockWallets(em, [found.walletId]);
          return wallets.findAuthorizationById(id, em);
        },
        lockOverdue: async (em, now, limit) => {
          const overdue = await wallets.findOverdueAuthorizations(em, now, limit);
          if (overdue.length === 0) return [];
          const locked = new Set(
            (await ledger.lockWallets(em, [...new Set(overdue.map((a) => a.walletId))])).map((w) => w.id),
          );
          const fresh: Authorization[] = [];
          for (const walletId of locked) {
            const ids = overdue.filter((a) => a.walletId === walletId).map((a) => a.id);
            fresh.push(...(await wallets.findAuthorizations(em, walletId, ids, [])));
          }
          return fresh.filter((a) => isOverdue(a, now));
        },
      },
      isOverdue,
    );
  }

  protected async expire(em: EntityManager, authorizations: Authorization[]): Promise<void> {
    const walletIds = [...new Set(authorizations.map((a) => a.walletId))].sort();
    for (const walletId of walletIds) {
      const outcomes = await this.ledger.record(
        em,
        walletId,
        fixedBatch<WalletOperation>(
          authorizations
            .filter((a) => a.walletId === walletId)
            .map((a) => ({ kind: 'settle', walletId, authorizationId: a.id, action: { kind: 'expire' } })),
        ),
      );
      for (const outcome of outcomes) if ('error' in outcome) throw outcome.error;
    }
  }
}
