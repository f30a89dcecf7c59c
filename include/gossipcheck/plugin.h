/* gossipcheck plug-in ABI: a node of the consolidation gossip protocol, written in any language
 * that can export C functions, certified by `gossipcheck certify --impl libnode.so`.
 *
 * A plug-in is a shared object that exports one function, gossipcheck_plugin(), returning a
 * table of function pointers (gc_plugin). gossipcheck loads it with dlopen() in a child process
 * of its own (a plug-in that crashes or hangs fails the property it was running; it never takes
 * gossipcheck down), checks abi_version == GOSSIPCHECK_ABI_VERSION, and drives its nodes:
 * every node of a simulated cluster is one gc_node, all in one process, one thread, called one
 * at a time. docs/CERTIFY.md has the whole story; this header is the contract.
 *
 * Rules every plug-in follows:
 *  - Deterministic: all randomness comes from gc_init.seed; never read a clock (time is what
 *    tick() says, in virtual microseconds), never depend on addresses, threads or globals shared
 *    between nodes. The same calls must give the same results, bit for bit (invariant I12):
 *    that is what makes a counterexample replayable.
 *  - Pointers the suite passes are valid only during the call. Bytes the plug-in gives back go
 *    through a sink callback, which copies them before it returns.
 *  - Messages are opaque to the suite: a node may send any bytes to any member. Only the
 *    exports must follow docs/WIRE_FORMAT.md: the state (export_state, a frame of kind 3) and
 *    the resolved view (view, a frame of kind 8; ABI version 2).
 *  - No call may block or take long: the suite's time limit per property covers them all.
 *
 * Versioning: GOSSIPCHECK_ABI_VERSION changes whenever this header changes. Version 2 added
 * view() at the end of gc_plugin; gossipcheck still loads a version-1 plug-in (whose table ends
 * before view: it is never read) and certifies everything but its view, which its certificate
 * says was not certified. Any other version is refused ("could not run", exit 2).
 */
#ifndef GOSSIPCHECK_PLUGIN_H
#define GOSSIPCHECK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GOSSIPCHECK_ABI_VERSION 2u
/* The oldest version gossipcheck still loads. */
#define GOSSIPCHECK_ABI_VERSION_MIN 1u

/* Optional capabilities, or-ed into gc_plugin.capabilities. */
#define GC_CAP_CLONE 1u       /* clone() is set: exhaustive exploration can branch */
#define GC_CAP_FINGERPRINT 2u /* fingerprint() is set: exploration can prune seen states */
#define GC_CAP_WIRE 4u        /* messages follow docs/WIRE_FORMAT.md: interop with reference nodes */

/* Results of the local writes: the error classes of docs/MODEL.md ("Error classes"). The
 * suite judges the class against the model, never the message. */
#define GC_OK 0
#define GC_INVALID 7        /* the content breaks a rule (UTF-8, limits, order of episodes, ...) */
#define GC_OVER_LIMIT 3     /* a length or count beyond a limit of docs/WIRE_FORMAT.md */
#define GC_NOT_FOUND 8      /* refine or absorb of a pattern this node does not hold */
#define GC_ALREADY_EXISTS 9 /* create of a pattern this node holds */

/* A node, the plug-in's own type. */
typedef struct gc_node gc_node;

/* Sinks: the plug-in hands bytes to the suite by calling these; they copy. */
typedef void (*gc_bytes_sink)(void* ctx, const uint8_t* data, size_t size);
typedef void (*gc_message_sink)(void* ctx, uint32_t to, const uint8_t* data, size_t size);

/* The configuration of docs/PROTOCOL.md ("Configuration"). A plug-in may ignore what it has no
 * use for, but every message it sends must be at most message_bytes_max bytes. */
typedef struct gc_config {
  uint64_t cluster_seed;              /* the digests' seed: the state export's too */
  uint64_t gossip_interval_us;        /* one round, in virtual microseconds */
  uint64_t exchange_timeout_us;       /* 0: one gossip interval */
  uint64_t message_bytes_max;         /* no message may be larger */
  uint32_t recent_rounds;             /* 0: 2 * ceil(log2(members)) + 4 */
  uint32_t recent_max;
  uint32_t walk_width;
  uint32_t exchanges_max;
  uint32_t exchanges_per_peer_max;
  uint32_t messages_per_exchange_max;
} gc_config;

typedef struct gc_init {
  uint32_t self;                /* this node's address: what peers' receive() calls get as from */
  uint64_t replica;             /* ReplicaId: node << 32 | incarnation; never used before */
  const uint32_t* members;      /* the cluster's node addresses, ascending (self among them) */
  size_t member_count;
  const gc_config* config;
  uint64_t seed;                /* every random choice of this node comes from it */
  const uint8_t* state;         /* the state to start from: a canonical state frame */
  size_t state_size;
} gc_init;

typedef struct gc_content {
  const uint8_t* summary;       /* UTF-8 as given (not NUL-terminated; may be invalid: refuse it) */
  size_t summary_size;
  const uint64_t* episodes;     /* as given (must be ascending and distinct: else GC_INVALID) */
  size_t episode_count;
  uint32_t strength;
  int has_absorbed_into;        /* 0 or 1 */
  uint8_t absorbed_into[16];
} gc_content;

typedef struct gc_plugin {
  uint32_t abi_version;         /* GOSSIPCHECK_ABI_VERSION. Build the table with designated
                                   initializers (.view = ...): a positional table written for
                                   version 1 and rebuilt against this header claims version 2
                                   with no view, and is refused. A plug-in that stays at version
                                   1 writes 1u here. */
  const char* name;             /* NUL-terminated, for the certificate */
  const char* version;
  uint32_t capabilities;        /* GC_CAP_* */

  /* A new node. NULL when it cannot start; say why through error (may be called once). A
   * restart that keeps durable state is a new node given the old one's replica and exported
   * state; amnesia is a new node with the next incarnation and an empty state. */
  gc_node* (*init)(const gc_init* init, gc_bytes_sink error, void* ctx);
  void (*destroy)(gc_node* node);

  /* Local writes (docs/MODEL.md, "Local writes"): GC_OK or an error class. */
  int32_t (*create)(gc_node* node, const uint8_t id[16], const gc_content* content);
  int32_t (*refine)(gc_node* node, const uint8_t id[16], const gc_content* content);
  int32_t (*absorb)(gc_node* node, const uint8_t a[16], const uint8_t into[16]);

  /* Time moves to now (never backwards). */
  void (*tick)(gc_node* node, uint64_t now_us);
  /* A message from a member, at the time of the last tick. Any bytes at all: hostile ones too. */
  void (*receive)(gc_node* node, uint32_t from, const uint8_t* data, size_t size);
  /* Everything the node has to send since the last call, one sink call per message. */
  void (*take_outbox)(gc_node* node, gc_message_sink sink, void* ctx);
  /* When tick() next has work to do (UINT64_MAX: never). May be asked before the first tick:
   * then, when the first tick should come (0 is fine). */
  uint64_t (*next_wakeup)(const gc_node* node);
  /* The node's whole state as one canonical state frame (docs/WIRE_FORMAT.md, kind 3), in one
   * or more sink calls (concatenated). Returns GC_OK, anything else when it cannot. */
  int32_t (*export_state)(const gc_node* node, gc_bytes_sink sink, void* ctx);

  /* GC_CAP_CLONE: an independent copy that answers every call as the original would. */
  gc_node* (*clone)(const gc_node* node);
  /* GC_CAP_FINGERPRINT: bytes that decide everything the node does from now on (state, time,
   * random stream, exchanges, outbox): two nodes with equal fingerprints answer every call
   * alike (docs/PROTOCOL.md, "Copies and fingerprints"). */
  void (*fingerprint)(const gc_node* node, gc_bytes_sink sink, void* ctx);

  /* ABI version 2 and later (mandatory there): the node's own resolved view and edges of its
   * current state, as one view frame (docs/WIRE_FORMAT.md, kind 8; docs/MODEL.md, "The
   * resolved view"), in one or more sink calls. Returns GC_OK, anything else when it cannot.
   * The suite judges it against the view the model computes from the node's export. */
  int32_t (*view)(const gc_node* node, gc_bytes_sink sink, void* ctx);
} gc_plugin;

/* The one symbol a plug-in exports. */
typedef const gc_plugin* (*gossipcheck_plugin_fn)(void);
#define GOSSIPCHECK_PLUGIN_SYMBOL "gossipcheck_plugin"

#ifdef __cplusplus
}
#endif

#endif /* GOSSIPCHECK_PLUGIN_H */
