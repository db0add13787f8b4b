// Run by trace_test.ts as a child process: one request with tracing left to NLTS_DEBUG.
import { Controller } from "../../src/genl/mod.ts";

using ctrl = Controller.open();
console.log((await ctrl.getFamily("nlctrl")).id);
