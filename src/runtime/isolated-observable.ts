import { Observable, Subscriber, type Observer, type Subscription, type TeardownLogic } from 'rxjs';

/**
 * An observable whose subscribers cannot hurt the application: a subscriber's `next`, `error` or
 * `complete` that throws is reported and the subscriber stays subscribed. rxjs would otherwise
 * rethrow the error asynchronously, as an uncaught exception that ends the process without closing
 * the app (its state-directory lock left behind). Operators keep the isolation (`lift` returns
 * another isolated observable), so `events$.pipe(filter(...)).subscribe(fn)` is isolated too.
 */
export class IsolatedObservable<T> extends Observable<T> {
  constructor(
    private readonly report: (error: unknown) => void,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
  }

  override lift<R>(operator: any): Observable<R> {
    const lifted = new IsolatedObservable<R>(this.report);
    (lifted as any).source = this;
    (lifted as any).operator = operator;
    return lifted;
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    // A Subscriber is rxjs's own (an operator's, firstValueFrom's): it handles its errors itself.
    if (observerOrNext === undefined || observerOrNext === null || observerOrNext instanceof Subscriber)
      return super.subscribe(observerOrNext ?? undefined);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function' ? { next: observerOrNext } : observerOrNext;
    const guard = <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
      fn === undefined
        ? undefined
        : (...args: A): void => {
            try {
              fn.apply(observer, args);
            } catch (error) {
              this.report(error);
            }
          };
    const guarded: Partial<Observer<T>> = {};
    if (observer.next !== undefined) guarded.next = guard(observer.next);
    if (observer.error !== undefined) guarded.error = guard(observer.error);
    if (observer.complete !== undefined) guarded.complete = guard(observer.complete);
    return super.subscribe(guarded);
  }
}

/** @internal `source` seen through an {@link IsolatedObservable}. */
export function isolated<T>(source: Observable<T>, report: (error: unknown) => void): Observable<T> {
  return new IsolatedObservable<T>(report, (subscriber) => source.subscribe(subscriber));
}
