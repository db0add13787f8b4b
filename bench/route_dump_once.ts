/**
 * The program bench/route_bench.ts times as `route_dump_process_ms`: what a user's script that
 * lists every route of a namespace does, and nothing else. It imports what a route-only user
 * imports, `RouteReader` from `@nlts/netlink/route/routes` (the same `Route`s as
 * `RouteClient.routesSync`, without loading the link, neighbour and rule families), and no node:
 * modules, so the runtime loads what such a script loads. Prints the count.
 *
 *   deno run -A bench/route_dump_once.ts NETNS
 *   bun bench/route_dump_once.ts NETNS
 *
 * @module
 */
import { RouteReader } from "../src/route/routes.ts";

const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const netns = g.Deno !== undefined ? g.Deno.args[0] : g.process?.argv[2];
using rt = RouteReader.open({ netns });
console.log(rt.routesSync({ table: "all" }).length);
