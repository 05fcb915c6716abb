import { createRequire } from 'node:module';

/** The part of kafkajs 2.2.4's per-connection `RequestQueue` that schedules its pending check. */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How often a queue with pending requests and no throttle looks at them again (kafkajs' own interval). */
const PENDING_CHECK_INTERVAL_MS = 10;
const FIXED = Symbol.for('tributary.kafkajs.requestQueueTimerFixed');

/**
 * Fixes kafkajs' request queue timer, which every connection re-arms after every response.
 *
 * kafkajs computes the delay as `throttledUntil - Date.now()`, and `throttledUntil` starts at
 * `-1` ("never throttled"), so with nothing pending and no throttle the delay is minus the
 * current epoch time. Node clamps it to 1 ms: each open connection then runs a timer every
 * millisecond for nothing (the callback finds nothing pending and re-arms itself), and since
 * Node 24 the first one prints `TimeoutNegativeWarning: -1796… is a negative number`.
 *
 * The fixed schedule arms a timer only when requests are waiting: until the throttle ends if the
 * broker throttles the client, else after the usual interval. With nothing pending no timer is
 * needed: a new request is sent at once or queued by `push`, which schedules the check itself.
 * Applied once per process, to the one kafkajs module every kafkajs client loads; the test
 * `test/integration/kafkajs-timers.test.ts` fails if a kafkajs upgrade makes it miss.
 */
export function fixRequestQueueTimer(): void {
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueInternals & { [FIXED]?: true };
  };
  const proto = RequestQueue.prototype;
  if (proto[FIXED] === true) return;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const throttleLeftMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttleLeftMs > 0 ? throttleLeftMs : PENDING_CHECK_INTERVAL_MS,
    );
  };
  proto[FIXED] = true;
}
