import type { Provider } from '@nestjs/common';
import { InventoryMetrics } from '../../../src/modules/inventory/application/inventory-metrics';
import { StockFacade } from '../../../src/modules/inventory/application/stock.facade';
import { OrderLifecycleFacade } from '../../../src/modules/order/application/order-lifecycle.facade';
import { OrderMetrics } from '../../../src/modules/order/application/order-metrics';
import { PayOrderService } from '../../../src/modules/payment/application/pay-order.service';
import { PaymentMetrics } from '../../../src/modules/payment/application/payment-metrics';
import { WalletLedgerFacade } from '../../../src/modules/wallet/application/wallet-ledger.facade';
import { counters, customer, seedPlacedOrder } from './fixtures';
import { inMemoryModule } from './testing-module';
import { seedWallet } from './wallet';

/**
 * Paying orders from wallets on the fakes: PayOrderService (and `services`), Alice's placed order of
 * 2 × 1500 unless `order` says otherwise, and her USD wallet holding 10000. `pay` pays that order
 * from that wallet (or another) as Alice (or another caller); `stock` is the product's counters.
 */
export async function orderPaymentWorld(
  services: Provider[] = [],
  order: Parameters<typeof seedPlacedOrder>[2] = {},
) {
  const alice = customer('Alice');
  const t = await inMemoryModule([
    PayOrderService,
    PaymentMetrics,
    WalletLedgerFacade,
    OrderLifecycleFacade,
    OrderMetrics,
    StockFacade,
    InventoryMetrics,
    ...services,
  ]);
  const placed = seedPlacedOrder(t.db, alice.accountId, { quantity: 2, unitPrice: 1500n, ...order });
  const wallet = seedWallet(t.db, { accountId: alice.accountId, currency: 'USD', balance: 10_000n });
  const pay = (walletId = wallet.id, caller = alice) =>
    t.module.get(PayOrderService).execute({ orderId: placed.order.id, walletId, caller }, undefined);
  const stock = () => counters(t.products.committed(placed.product.id));
  return { ...t, alice, ...placed, wallet, pay, stock };
}
