// The local operations of consolidation at one replica (docs/MODEL.md, "Local writes").
//
// create / refine write a version whose clock is the join of the clocks of all local
// siblings with the writer's entry incremented: it dominates every sibling it saw, so a
// refinement replaces what it saw and resolves the conflicts it saw. absorb(a, into b)
// refines b with episodes(b) ∪ episodes(a), then refines a with absorbed_into = b. Nothing
// is ever deleted. Each operation is all-or-nothing: on error the state is unchanged.
//
// REQUIRES (all): `writer` is this replica's id and is never reused by another replica or
// incarnation (docs/MODEL.md, "Identifiers"), otherwise two writes could share a clock.
#pragma once

#include "reference/content.h"
#include "reference/state.h"

namespace gossip {

// Errors: kAlreadyExists, or the content's validation error.
Status create(State& state, ReplicaId writer, const PatternId& id, const Content& content);
// Errors: kNotFound, kOverLimit (the new clock over kClockEntriesMax entries, or the writer's
// counter already 2^64 - 1, as a hostile peer may send it), or the content's validation error.
Status refine(State& state, ReplicaId writer, const PatternId& id, const Content& content);
// Errors: kNotFound (either id), kInvalid (a == into), kOverLimit (episodes of the union, or
// either new clock as for refine).
Status absorb(State& state, ReplicaId writer, const PatternId& a, const PatternId& into);

}  // namespace gossip
