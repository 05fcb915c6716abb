import { describe, expectTypeOf, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder, type KStream, type KTable } from '../../src/index.js';

interface Order {
  id: string;
  customerId: string;
  productId: string;
  total: number;
}
interface Customer {
  name: string;
  tier: 'gold' | 'silver';
}
interface Payment {
  amount: number;
}

const builder = new StreamsBuilder();
const orders = builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
const payments = builder.stream('payments', { key: Serdes.string(), value: Serdes.json<Payment>() });
const customers = builder.table('customers', { key: Serdes.string(), value: Serdes.json<Customer>() });
const prices = builder.globalTable('prices', { key: Serdes.string(), value: Serdes.float64() });
const orderTable = builder.table('order-table', { key: Serdes.string(), value: Serdes.json<Order>() });
const window = JoinWindows.ofTimeDifferenceWithNoGrace(60_000);

describe('stream–stream joins', () => {
  it('infers the joiner parameters and the result type, with null for the optional sides', () => {
    const inner = orders.join(
      payments,
      (order, payment, key) => {
        expectTypeOf(order).toEqualTypeOf<Order>();
        expectTypeOf(payment).toEqualTypeOf<Payment>();
        expectTypeOf(key).toEqualTypeOf<string>();
        return order.total - payment.amount;
      },
      window,
    );
    expectTypeOf(inner).toEqualTypeOf<KStream<string, number>>();

    const left = orders.leftJoin(
      payments,
      (order, payment) => ({ order, paid: payment?.amount ?? 0 }),
      window,
    );
    expectTypeOf(left).toEqualTypeOf<KStream<string, { order: Order; paid: number }>>();
    orders.leftJoin(
      payments,
      (order, payment) => {
        expectTypeOf(order).toEqualTypeOf<Order>();
        expectTypeOf(payment).toEqualTypeOf<Payment | null>();
        return 1;
      },
      window,
    );

    orders.outerJoin(
      payments,
      (order, payment) => {
        expectTypeOf(order).toEqualTypeOf<Order | null>();
        expectTypeOf(payment).toEqualTypeOf<Payment | null>();
        return 1;
      },
      window,
    );
  });

  it('rejects streams with another key type and joins without windows', () => {
    const byNumber = builder.stream('n', { key: Serdes.int32(), value: Serdes.json<Payment>() });
    // @ts-expect-error keys must have the same type
    orders.join(byNumber, (o: Order, p: Payment) => o.total + p.amount, window);
    // @ts-expect-error a stream–stream join needs JoinWindows
    orders.join(payments, (o: Order, p: Payment) => o.total + p.amount);
    // @ts-expect-error outerJoin is only defined for two streams
    orders.outerJoin(customers, (o: Order | null, c: Customer | null) => [o, c]);
  });
});

describe('stream–table and stream–global-table joins', () => {
  it('types the table value, nullable in leftJoin', () => {
    const enriched = orders.join(customers, (order, customer) => {
      expectTypeOf(customer).toEqualTypeOf<Customer>();
      return { id: order.id, tier: customer.tier };
    });
    expectTypeOf(enriched).toEqualTypeOf<KStream<string, { id: string; tier: 'gold' | 'silver' }>>();
    orders.leftJoin(customers, (_order, customer) => {
      expectTypeOf(customer).toEqualTypeOf<Customer | null>();
      return 0;
    });
  });

  it('types the key selector and the global value', () => {
    const priced = orders.join(
      prices,
      (key, order) => {
        expectTypeOf(key).toEqualTypeOf<string>();
        return order.productId;
      },
      (order, price) => order.total * price,
    );
    expectTypeOf(priced).toEqualTypeOf<KStream<string, number>>();
    orders.leftJoin(
      prices,
      (_, order) => order.productId,
      (_order, price) => {
        expectTypeOf(price).toEqualTypeOf<number | null>();
        return 0;
      },
    );
    // @ts-expect-error the key selector must return the global table's key type
    orders.join(
      prices,
      (_: string, order: Order) => order.total,
      (order: Order, price: number) => price,
    );
  });
});

describe('table–table joins', () => {
  const tiers = builder.table('tiers', { key: Serdes.string(), value: Serdes.float64() });

  it('types primary-key joins as tables, nullable where a side may be missing', () => {
    const inner = customers.join(tiers, (customer, discount) => `${customer.name}:${discount}`);
    expectTypeOf(inner).toEqualTypeOf<KTable<string, string>>();
    customers.leftJoin(tiers, (customer, discount) => {
      expectTypeOf(customer).toEqualTypeOf<Customer>();
      expectTypeOf(discount).toEqualTypeOf<number | null>();
      return 0;
    });
    const outer = customers.outerJoin(tiers, (customer, discount) => {
      expectTypeOf(customer).toEqualTypeOf<Customer | null>();
      expectTypeOf(discount).toEqualTypeOf<number | null>();
      return true;
    });
    expectTypeOf(outer).toEqualTypeOf<KTable<string, boolean>>();
  });

  it('types foreign-key joins by the extractor and the other table', () => {
    const withCustomer = orderTable.join(
      customers,
      (order) => order.customerId,
      (order, customer) => ({ id: order.id, name: customer.name }),
    );
    expectTypeOf(withCustomer).toEqualTypeOf<KTable<string, { id: string; name: string }>>();
    orderTable.leftJoin(
      customers,
      (order) => order.customerId,
      (_order, customer) => {
        expectTypeOf(customer).toEqualTypeOf<Customer | null>();
        return 0;
      },
      { name: 'order-customer', materialized: { storeName: 'oc' } },
    );
    // @ts-expect-error the extractor must return the other table's key type
    orderTable.join(
      customers,
      (order: Order) => order.total,
      (o: Order, c: Customer) => c.name + o.id,
    );
  });
});
