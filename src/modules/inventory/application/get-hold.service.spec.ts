import { admin, customer } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct } from '../../../../test/support/in-memory/inventory';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { GetHoldService } from './get-hold.service';

const alice = customer('Alice');

describe('GetHoldService', () => {
  it("gives the owner its hold; another customer's, the admin's and an unknown id are all not_found", async () => {
    const t = await inMemoryModule([GetHoldService]);
    const service = t.module.get(GetHoldService);
    const { hold } = seedHeldProduct(t.db, alice.accountId);

    expect(await service.execute(alice, hold.id)).toEqual(hold);
    // GET /api/holds/:id is the owner's only (API.md): not even the admin sees another account's hold.
    await expect(service.execute(customer('Bob'), hold.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.execute(admin(), hold.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.execute(alice, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
