/**
 * The program bench/route_bench.ts times as `route_dump_process_ms`: what a user's script that
 * lists every route of a namespace does, and nothing else (it imports the route module only,
 * no node: modules, so the runtime loads what such a script loads). Prints the count.
 *
 *   deno run -A bench/route_dump_once.ts NETNS
 *   bun bench/route_dump_once.ts NETNS
 *
 * @module
 */
import { RouteClient } from "../src/route/mod.ts";

const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const netns = g.Deno !== undefined ? g.Deno.args[0] : g.process?.argv[2];
using rt = RouteClient.open({ netns });
console.log(rt.routesSync({ table: "all" }).length);
