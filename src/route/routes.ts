/**
 * Route listing alone: {@link RouteReader} dumps routes into the same {@link Route}s as
 * {@link RouteClient.routesSync}, with the same filters, and loads only what that needs (the
 * rt-route family, the socket and the route decoder; not rt-link, rt-neigh, rt-rule or the rest of
 * the everyday layer), so a script that only lists routes starts faster. Use
 * `@nlts/netlink/route` for anything else.
 *
 * @example
 * ```ts
 * import { RouteReader } from "@nlts/netlink/route/routes";
 * using routes = RouteReader.open({ netns: "blue" });
 * for (const r of routes.routesSync({ table: "all" })) console.log(r.table, r.dst, r.gateway ?? "");
 * ```
 *
 * @module
 */

import type { NetlinkSocket } from "../socket/netlink_socket.ts";
import type { Route, RouteFilter } from "./route.ts";
import type { RouteClientOptions, RouteQuery } from "./_route_dump.ts";
import * as dump from "./_route_dump.ts";

export type { RouteClientOptions } from "./_route_dump.ts";
export type { Family } from "./address.ts";
export type { NameOrNumber } from "./constants.ts";
export type { LinkRef, NetnsRef } from "./link.ts";
export type { Nexthop } from "./multipath.ts";
export type { Route, RouteAttrs, RouteFilter, RouteHeader, RouteMetrics } from "./route.ts";

/**
 * Lists the routes of one network namespace: {@link RouteClient}'s `routesSync`, `routes` and
 * `routeStream` on a NETLINK_ROUTE socket of its own, with the same results and errors, for a
 * script that needs nothing else (it does not load the link, neighbour and rule families).
 *
 * @example
 * ```ts
 * import { RouteReader } from "@nlts/netlink/route/routes";
 * using routes = RouteReader.open();
 * console.log(routes.routesSync({ family: "inet" }).map((r) => r.dst));
 * ```
 */
export class RouteReader {
  /** The NETLINK_ROUTE socket the dumps go through. */
  readonly socket: NetlinkSocket;

  private constructor(socket: NetlinkSocket) {
    this.socket = socket;
  }

  /**
   * Opens a NETLINK_ROUTE socket (in `netns` if given), as {@link RouteClient.open} does.
   *
   * @example
   * ```ts
   * import { RouteReader } from "@nlts/netlink/route/routes";
   * using routes = RouteReader.open({ netns: "blue" });
   * console.log(routes.routesSync().length);
   * ```
   */
  static open(options: RouteClientOptions = {}): RouteReader {
    const socket = dump.openRouteSocket(options);
    return new RouteReader(socket);
  }

  #querySync(filter: RouteFilter): RouteQuery {
    const q = dump.startRouteQuery(filter);
    if (filter.dev !== undefined) q.attrs.oif = dump.linkIndexSync(this.socket, filter.dev, "dev");
    return dump.finishRouteQuery(filter, q);
  }

  async #query(filter: RouteFilter): Promise<RouteQuery> {
    const q = dump.startRouteQuery(filter);
    if (filter.dev !== undefined) {
      q.attrs.oif = await dump.linkIndex(this.socket, filter.dev, "dev");
    }
    return dump.finishRouteQuery(filter, q);
  }

  /**
   * The routes of a table (default `main`, as `ip route show`; `table: "all"` for every table),
   * filtered by the kernel: {@link RouteClient.routesSync}.
   *
   * @example
   * ```ts
   * import { RouteReader } from "@nlts/netlink/route/routes";
   * using routes = RouteReader.open();
   * for (const r of routes.routesSync({ family: "inet6", table: "all" })) console.log(r.dst);
   * ```
   */
  routesSync(filter?: RouteFilter): Route[] {
    return dump.dumpRoutesSync(this.socket, this.#querySync(filter ?? {}));
  }

  /**
   * Asynchronous {@link RouteReader.routesSync}.
   *
   * @example
   * ```ts
   * import { RouteReader } from "@nlts/netlink/route/routes";
   * using routes = RouteReader.open();
   * console.log((await routes.routes({ table: "local", dev: "lo" })).length);
   * ```
   */
  async routes(filter?: RouteFilter): Promise<Route[]> {
    return await dump.dumpRoutes(this.socket, await this.#query(filter ?? {}));
  }

  /**
   * Streams the routes of a dump, one datagram's worth at a time (memory stays bounded):
   * {@link RouteClient.routeStream}.
   *
   * @example
   * ```ts
   * import { RouteReader } from "@nlts/netlink/route/routes";
   * using routes = RouteReader.open();
   * let n = 0;
   * for await (const r of routes.routeStream({ table: "all" })) if (r.type === "unicast") n++;
   * console.log(n);
   * ```
   */
  async *routeStream(filter: RouteFilter = {}): AsyncGenerator<Route, void, undefined> {
    yield* dump.streamRoutes(this.socket, await this.#query(filter));
  }

  /**
   * Closes the socket.
   *
   * @example
   * ```ts
   * import { RouteReader } from "@nlts/netlink/route/routes";
   * const routes = RouteReader.open();
   * routes.close();
   * ```
   */
  close(): void {
    this.socket.close();
  }

  /** Same as {@link RouteReader.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
