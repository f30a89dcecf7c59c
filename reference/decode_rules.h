// GOSSIP_RULE(id, refused): `refused` is the condition under which one documented decoding rule
// (docs/WIRE_FORMAT.md) refuses its input, `id` the rule's name (docs/claims.json,
// "WIRE.rule.<id>"). In every library this project ships the macro is `refused` and nothing
// else. Only the test plug-in that skips one rule at a time (tests/certify, the decoder
// rules' kill matrix) is compiled with GOSSIP_DECODE_RULE_HOOKS, where the rule named by the
// environment variable GOSSIP_SKIP_RULE is not applied: its decoder accepts what that one rule
// refuses, so that certification is shown to refuse a node with exactly that defect.
#pragma once

#if defined(GOSSIP_DECODE_RULE_HOOKS)
namespace gossip {
bool decode_rule_skipped(const char* id, const char* detail = nullptr);
}  // namespace gossip
#define GOSSIP_RULE(id, refused) ((refused) && !::gossip::decode_rule_skipped(id))
// A rule of one of several counts: the id is `id:what` ("count.over-limit:episode count").
#define GOSSIP_RULE_OF(id, what, refused) ((refused) && !::gossip::decode_rule_skipped(id, what))
#else
#define GOSSIP_RULE(id, refused) (refused)
#define GOSSIP_RULE_OF(id, what, refused) (refused)
#endif
