import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import type { Booking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
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
  traveler: { firstName: row.travelerFirstName, lastName: row.travelerLastName, email: row.travelerEmail },
  idempotencyKey: row.idempotencyKey,
  outcomeUnknown: row.outcomeUnknown,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const toRow = ({ traveler, ...booking }: Booking): BookingOrmEntity => ({
  ...booking,
  travelerFirstName: traveler.firstName,
  travelerLastName: traveler.lastName,
  travelerEmail: traveler.email,
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
}
