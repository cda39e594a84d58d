import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, LessThan } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import { newestFirst } from '../../../shared/database/newest-first';
import { type Booking, type BookingStatus, parkBooking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
import { travelerFromJson, travelerToJson } from '../domain/traveler-json';
import { BookingOrmEntity } from './booking.orm-entity';
import { MappedRows } from '../../../shared/database/mapped-rows';

const toBooking = (row: BookingOrmEntity): Booking => ({
  id: row.id,
  accountId: row.accountId,
  type: row.type,
  provider: row.provider,
  offerId: row.offerId,
  walletId: row.walletId,
  status: row.status,
  amount: row.amount,
  currency: row.currency,
  walletTransactionId: row.walletTransactionId,
  refundTransactionId: row.refundTransactionId,
  confirmationCode: row.confirmationCode,
  providerBookingId: row.providerBookingId,
  failureReason: row.failureReason,
  travelers: row.travelers.map(travelerFromJson),
  priced: row.pricedOffer ?? '',
  idempotencyKey: row.idempotencyKey,
  outcomeUnknown: row.outcomeUnknown,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const toRow = ({ travelers, priced, ...booking }: Booking): Omit<BookingOrmEntity, 'cancelRequestedAt'> => ({
  ...booking,
  travelers: travelers.map(travelerToJson),
  pricedOffer: priced || null,
});

@Injectable()
export class TypeOrmBookingRepository implements BookingRepository<EntityManager> {
  private readonly rows = new MappedRows(BookingOrmEntity, toBooking);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, booking: Booking): Promise<void> {
    await tx.insert(BookingOrmEntity, toRow(booking));
  }

  findById(id: string): Promise<Booking | null> {
    return this.rows.findOne(this.dataSource.manager, { id });
  }

  lockById(tx: EntityManager, id: string): Promise<Booking | null> {
    return this.rows.lockOne(tx, { id });
  }

  async save(tx: EntityManager, booking: Booking): Promise<void> {
    await tx.update(BookingOrmEntity, { id: booking.id }, toRow(booking));
  }

  async markOutcomeUnknown(id: string): Promise<void> {
    await this.dataSource.manager.update(
      BookingOrmEntity,
      { id, status: 'pending' },
      { outcomeUnknown: true },
    );
  }

  async findPending(olderThan: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.manager.find(BookingOrmEntity, {
      select: { id: true },
      where: { status: 'pending', createdAt: LessThan(olderThan) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  async listPage(limit: number, status?: BookingStatus, after?: Cursor): Promise<Booking[]> {
    const qb = this.dataSource.manager.getRepository(BookingOrmEntity).createQueryBuilder('b');
    if (status) qb.where('b.status = :status', { status });
    const rows = await newestFirst(
      qb,
      limit + 1,
      after,
      "date_trunc('milliseconds', b.created_at)",
    ).getMany();
    return rows.map(toBooking);
  }

  async claimCancel(id: string, now: Date): Promise<boolean> {
    const result = await this.dataSource.manager.update(
      BookingOrmEntity,
      { id, status: 'confirmed', cancelRequestedAt: IsNull() },
      { cancelRequestedAt: now },
    );
    return result.affected === 1;
  }

  async parkConfirmed(tx: EntityManager, id: string, reason: string, now: Date): Promise<Booking | null> {
    const booking = await this.lockById(tx, id);
    if (booking?.status !== 'confirmed') return null;
    const parked = parkBooking(booking, reason, now);
    await tx.update(
      BookingOrmEntity,
      { id, status: 'confirmed' },
      {
        status: parked.status,
        confirmationCode: parked.confirmationCode,
        failureReason: parked.failureReason,
        updatedAt: parked.updatedAt,
        // The claim ends with the park: once a person settles the booking, a confirmed one may be cancelled again.
        cancelRequestedAt: null,
      },
    );
    return parked;
  }

  async findStaleCancels(olderThan: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.manager.find(BookingOrmEntity, {
      select: { id: true },
      where: { status: 'confirmed', cancelRequestedAt: LessThan(olderThan) },
      order: { cancelRequestedAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  async releaseCancel(id: string): Promise<void> {
    await this.dataSource.manager.update(
      BookingOrmEntity,
      { id, status: 'confirmed' },
      { cancelRequestedAt: null },
    );
  }
}
