// The flow model and text format under test (src/ovs has no mod.ts entries for them yet).
export * from "../../src/ovs/keys.ts";
export * from "../../src/ovs/keys_codecs.ts";
export * from "../../src/ovs/actions.ts";
export * from "../../src/ovs/actions_codecs.ts";
export * from "../../src/ovs/flow_attrs.ts";
export * from "../../src/ovs/odp_text.ts";
