/**
 * Counts every routed request: in-flight concurrency and arrivals for the autoscaler (buffered
 * requests count too, as in Knative's activator) and the Prometheus series.
 */
import type { GatewayDeps } from './deps.js';
import type { Handler } from './exchange.js';

/** Accounts for the request from arrival to the end of its response. */
export const makeCountHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const rev = ex.revision!;
    const done = deps.metrics.begin(ex.revisionKey!, {
      namespace: rev.namespace,
      service: rev.service ?? ex.route?.route ?? '',
      revision: rev.name,
    });
    try {
      await next(ex);
    } finally {
      // 499 (nginx's "client closed request") when the client left before any answer.
      done(ex.statusCode ?? (ex.upgraded ? 101 : 499));
    }
  };
