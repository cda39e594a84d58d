import { admin, customer, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { GetOrderService } from './get-order.service';

const alice = customer('Alice');

describe('GetOrderService', () => {
  it("gives the owner and the admin the order; another customer's request and an unknown id are not_found", async () => {
    const t = await inMemoryModule([GetOrderService]);
    const service = t.module.get(GetOrderService);
    const { order } = seedPlacedOrder(t.db, alice.accountId);

    expect(await service.execute(alice, order.id)).toEqual({ ...order, payment: null });
    expect(await service.execute(admin(), order.id)).toEqual({ ...order, payment: null });
    await expect(service.execute(customer('Bob'), order.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.execute(alice, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
