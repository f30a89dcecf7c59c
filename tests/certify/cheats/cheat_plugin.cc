// Cheating plug-ins for the kill matrix of `gossipcheck certify` (README.md here has the
// table). Each is the reference plug-in (certify/reference_plugin.cc's table) with exactly one
// defect, chosen by one CHEAT_... definition, so that the defect is the only thing
// certification can catch. A cheat that needs memory per node (a copy of its init, a queue,
// a counter) runs the reference through the Shell below, a pure forwarder; CHEAT_CONTROL_SHELL
// is the Shell with no defect at all, the control that shows the Shell itself changes nothing.
//
// These are deliberately wrong or deceptive: they are never to be certified.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gossipcheck/plugin.h"
#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/register.h"
#include "reference/state.h"

const gc_plugin* gossip_reference_plugin_table(const char* name);

namespace {

gc_plugin table;

// The reference's own functions (the table was named by gossipcheck_plugin's first call).
const gc_plugin& ref() { return *gossip_reference_plugin_table(""); }

[[maybe_unused]] void ignore_bytes(void*, const std::uint8_t*, std::size_t) {}

[[maybe_unused]] void append_bytes(void* ctx, const std::uint8_t* data, std::size_t size) {
  auto* out = static_cast<std::string*>(ctx);
  out->append(reinterpret_cast<const char*>(data), size);
}

using Message = std::pair<std::uint32_t, std::string>;

[[maybe_unused]] void append_message(void* ctx, std::uint32_t to, const std::uint8_t* data, std::size_t size) {
  static_cast<std::vector<Message>*>(ctx)->emplace_back(to, std::string(reinterpret_cast<const char*>(data), size));
}

// Not a frame: shorter than a frame's 8 bytes or without the magic 0x67 first.
[[maybe_unused]] bool junk(const std::uint8_t* data, std::size_t size) { return size < 8 || data[0] != 0x67; }

// ---- the Shell: the reference node behind a forwarder that remembers what the cheats need --

struct Shell {
  std::shared_ptr<gc_node> inner;  // shared only by CHEAT_CLONE_SHARES_STATE's clones
  // A copy of what init was given (its pointers are valid during the call only).
  std::uint32_t self = 0;
  std::uint64_t replica = 0, seed = 0;
  gc_config config{};
  std::vector<std::uint32_t> members;
  std::uint64_t ordinal = 0;  // 1 for the first node this process initialised, 2 for the second...
  bool ticked = false;
  std::uint64_t last_tick = 0;
  std::uint64_t creates = 0;
  std::vector<Message> ready, held;  // CHEAT_ANSWERS_NEXT_TICK's queues
};

Shell* shell(gc_node* n) { return reinterpret_cast<Shell*>(n); }
const Shell* shell(const gc_node* n) { return reinterpret_cast<const Shell*>(n); }
gc_node* node_of(Shell* s) { return reinterpret_cast<gc_node*>(s); }

std::shared_ptr<gc_node> own(gc_node* n) {
  return std::shared_ptr<gc_node>(n, [](gc_node* p) { ref().destroy(p); });
}

std::uint64_t g_inits = 0;  // nodes this process initialised

// A reference node for s, from `state` (a state frame).
gc_node* inner_init(const Shell& s, const std::uint8_t* state, std::size_t size, gc_bytes_sink error, void* ctx) {
  gc_init in{};
  in.self = s.self;
  in.replica = s.replica;
  in.members = s.members.data();
  in.member_count = s.members.size();
  in.config = &s.config;
  in.seed = s.seed;
  in.state = state;
  in.state_size = size;
  return ref().init(&in, error, ctx);
}

gc_node* shell_init(const gc_init* in, gc_bytes_sink error, void* ctx) {
  auto s = std::make_unique<Shell>();
  s->self = in->self;
  s->replica = in->replica;
  s->seed = in->seed;
  s->config = *in->config;
  s->members.assign(in->members, in->members + in->member_count);
  gc_node* inner = inner_init(*s, in->state, in->state_size, error, ctx);
  if (inner == nullptr) return nullptr;
  s->inner = own(inner);
  s->ordinal = ++g_inits;
  return node_of(s.release());
}
void shell_destroy(gc_node* n) { delete shell(n); }
std::int32_t shell_create(gc_node* n, const std::uint8_t id[16], const gc_content* c) {
  return ref().create(shell(n)->inner.get(), id, c);
}
std::int32_t shell_refine(gc_node* n, const std::uint8_t id[16], const gc_content* c) {
  return ref().refine(shell(n)->inner.get(), id, c);
}
std::int32_t shell_absorb(gc_node* n, const std::uint8_t a[16], const std::uint8_t into[16]) {
  return ref().absorb(shell(n)->inner.get(), a, into);
}
void shell_tick(gc_node* n, std::uint64_t now) {
  Shell* s = shell(n);
  s->ticked = true;
  s->last_tick = now;
  ref().tick(s->inner.get(), now);
}
void shell_receive(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  ref().receive(shell(n)->inner.get(), from, data, size);
}
void shell_take_outbox(gc_node* n, gc_message_sink sink, void* ctx) {
  ref().take_outbox(shell(n)->inner.get(), sink, ctx);
}
std::uint64_t shell_next_wakeup(const gc_node* n) { return ref().next_wakeup(shell(n)->inner.get()); }
std::int32_t shell_export_state(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  return ref().export_state(shell(n)->inner.get(), sink, ctx);
}
gc_node* shell_clone(const gc_node* n) {
  const Shell* s = shell(n);
  gc_node* inner = ref().clone(s->inner.get());
  if (inner == nullptr) return nullptr;
  auto copy = std::make_unique<Shell>(*s);  // counters, queues and the init copy too
  copy->inner = own(inner);
  return node_of(copy.release());
}
std::int32_t shell_view(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  return ref().view(shell(n)->inner.get(), sink, ctx);
}
void shell_fingerprint(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  ref().fingerprint(shell(n)->inner.get(), sink, ctx);
}

[[maybe_unused]] void use_shell() {
  table.init = shell_init;
  table.destroy = shell_destroy;
  table.create = shell_create;
  table.refine = shell_refine;
  table.absorb = shell_absorb;
  table.tick = shell_tick;
  table.receive = shell_receive;
  table.take_outbox = shell_take_outbox;
  table.next_wakeup = shell_next_wakeup;
  table.export_state = shell_export_state;
  table.clone = shell_clone;
  table.fingerprint = shell_fingerprint;
  table.view = shell_view;
}

// ---- helpers of several cheats ------------------------------------------------------------

// Starts `path` with `argv` as a grandchild in a session of its own (fork, fork, setsid, exec):
// it leaves the process group certify kills and outlives this process. Its standard streams
// are /dev/null, so that it touches nothing of the run but its own lifetime.
[[maybe_unused]] void spawn_orphan(const char* path, const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    if (fork() == 0) {
      setsid();
      const int null = open("/dev/null", O_RDWR);
      if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
      }
      for (int fd = 3; fd < 1024; ++fd) close(fd);
      execv(path, argv.data());
      _exit(127);
    }
    _exit(0);
  }
  if (child > 0) waitpid(child, nullptr, 0);
}

// The value after `flag` on this process's command line ("" when absent).
[[maybe_unused]] std::string own_argument(const std::string& flag) {
  std::string all;
  const int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  char chunk[4096];
  for (ssize_t n; fd >= 0 && (n = ::read(fd, chunk, sizeof chunk)) > 0;) all.append(chunk, static_cast<std::size_t>(n));
  if (fd >= 0) close(fd);
  std::vector<std::string> args;
  for (std::size_t at = 0; at < all.size();) {
    const std::size_t end = all.find('\0', at);
    args.push_back(all.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) return args[i + 1];
  }
  return "";
}

[[maybe_unused]] void write_file(const std::string& path, const std::string& text) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// A certificate that says "certified", and a child's result that says "holds".
[[maybe_unused]] const char kForgedCertificate[] =
    "{\n  \"gossipcheck\": {\"version\": \"0.1.0\", \"abi_version\": 1, \"process_protocol_version\": 1},\n"
    "  \"implementation\": {\"via\": \"plug-in\", \"name\": \"reference\", \"version\": \"1\", \"capabilities\": []},\n"
    "  \"profile\": \"quick\", \"seed\": 1, \"seconds\": 1.0, \"verdict\": \"certified\", \"replayable\": true,\n"
    "  \"properties\": []\n}\n";

// Writes a forged verdict ("holds") into the result file certify's child was told to write,
// and a forged certificate.json into certify's output directory.
[[maybe_unused]] void forge_verdict() {
  const std::string property = own_argument("--child");
  const std::string result = own_argument("--child-result");
  const std::string out = own_argument("--out");
  write_file(result, "{\"property\": \"" + property +
                         "\", \"verdict\": \"holds\", \"cases\": 1000, \"message\": \"\", \"implementation\": "
                         "{\"name\": \"reference\", \"version\": \"1\", \"capabilities\": [\"clone\", \"fingerprint\", \"wire\"]}}\n");
  if (!out.empty()) write_file(out + "/certificate.json", kForgedCertificate);
}

// ---- the cheats -----------------------------------------------------------------------------

#if defined(CHEAT_ERROR_CLASS)
// create returns 42, a value outside the ABI's error classes, for every 50th create of a node
// (without writing).
std::int32_t create_error_class(gc_node* n, const std::uint8_t id[16], const gc_content* c) {
  if (++shell(n)->creates % 50 == 0) return 42;
  return shell_create(n, id, c);
}
#endif

#if defined(CHEAT_ASLR_SEEDED)
// The seed is xor-ed with the address of a heap allocation made at the first init: the same
// within one process, different in the next one (ASLR).
gc_node* init_aslr_seeded(const gc_init* in, gc_bytes_sink error, void* ctx) {
  static const std::uint64_t salt = reinterpret_cast<std::uintptr_t>(new char('x'));  // never freed
  gc_init salted = *in;
  salted.seed ^= salt;
  return ref().init(&salted, error, ctx);
}
#endif

#if defined(CHEAT_FINGERPRINT_LIES)
// Claims the fingerprint capability and gives the same 16 bytes for every node in every state.
void fingerprint_constant(const gc_node*, gc_bytes_sink sink, void* ctx) {
  static const std::uint8_t kBytes[16] = {'g', 'c', '-', 'c', 'h', 'e', 'a', 't', '-', 'c', 'o', 'n', 's', 't', '!', '!'};
  sink(ctx, kBytes, sizeof kBytes);
}
#endif

#if defined(CHEAT_FINGERPRINT_OMITS_TIME)
// The reference's fingerprint with its time (Node::append_fingerprint's `now`) zeroed: nodes
// that differ only in their clock look alike. The layout (reference/node.cc): self, replica,
// the Rng's 5 words, the state frame's size and bytes, then now, each u64 8 bytes LE.
void fingerprint_without_time(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  std::string bytes;
  ref().fingerprint(n, append_bytes, &bytes);
  constexpr std::size_t kStateSizeAt = 8 + 8 + 5 * 8;
  if (bytes.size() >= kStateSizeAt + 8) {
    std::uint64_t state_size = 0;
    for (int i = 0; i < 8; ++i) state_size |= std::uint64_t{static_cast<std::uint8_t>(bytes[kStateSizeAt + static_cast<std::size_t>(i)])} << (8 * i);
    const std::size_t now_at = kStateSizeAt + 8 + state_size;
    if (now_at + 8 <= bytes.size()) std::memset(bytes.data() + now_at, 0, 8);
  }
  sink(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
#endif

#if defined(CHEAT_JUNK_WIPES_NODE0) || defined(CHEAT_JUNK_WIPES_SECOND)
// Bytes that are not a frame make the node lose its whole state: the reference node is
// replaced by a new one from the same init and the empty state (then ticked to where the old
// one was). Only node 0 (by address) / only the second node this process initialised.
void receive_junk_wipes(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  Shell* s = shell(n);
#if defined(CHEAT_JUNK_WIPES_NODE0)
  const bool victim = s->self == 0;
#else
  const bool victim = s->ordinal == 2;
#endif
  if (!(victim && junk(data, size))) return shell_receive(n, from, data, size);
  const gossip::Bytes empty = gossip::encode_state_frame(gossip::State(s->config.cluster_seed));
  s->inner.reset();
  gc_node* fresh = inner_init(*s, empty.data(), empty.size(), ignore_bytes, nullptr);
  if (fresh == nullptr) std::abort();  // the reference always starts from the empty state
  s->inner = own(fresh);
  if (s->ticked) ref().tick(fresh, s->last_tick);
}
#endif

#if defined(CHEAT_EXIT0_MID)
// The 200th receive of the process exits with status 0, as if all were well.
void receive_exit0(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  static std::uint64_t receives = 0;
  if (++receives == 200) _exit(0);
  ref().receive(n, from, data, size);
}
#endif

#if defined(CHEAT_DOUBLE_FORK)
// The first init leaves behind a grandchild in a session of its own, `gc-cheat-orphan 300`
// (sleep 300 under that name): it outlives this process and certify.
gc_node* init_double_fork(const gc_init* in, gc_bytes_sink error, void* ctx) {
  static bool once = false;
  if (!once) {
    once = true;
    spawn_orphan("/bin/sleep", {"gc-cheat-orphan", "300"});
  }
  return ref().init(in, error, ctx);
}
#endif

#if defined(CHEAT_WRITES_VERDICT) || defined(CHEAT_ORPHAN_FORGES_CERTIFICATE)
// Wrong: a node whose address is odd drops everything it receives (it never learns anything
// from its peers), so certification must fail it.
void receive_odd_deaf(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  Shell* s = shell(n);
#if defined(CHEAT_WRITES_VERDICT)
  static std::uint64_t receives = 0;
  if (++receives % 100 == 0) forge_verdict();
#endif
  if (s->self % 2 == 1) return;
  shell_receive(n, from, data, size);
}
#endif

#if defined(CHEAT_WRITES_VERDICT)
// Deceptive: forges its verdict ("holds", in the result file of certify's child, named by
// --child-result on the command line) and a certificate.json saying "certified" in --out: at
// the first init, every 100th receive, every destroy, and when the library is unloaded or the
// process exits (after certify's child wrote its real result: the last writer).
gc_node* init_forging(const gc_init* in, gc_bytes_sink error, void* ctx) {
  static bool once = false;
  if (!once) {
    once = true;
    forge_verdict();
  }
  return shell_init(in, error, ctx);
}
void destroy_forging(gc_node* n) {
  forge_verdict();
  shell_destroy(n);
}
struct ForgeAtUnload {
  ~ForgeAtUnload() { forge_verdict(); }
} forge_at_unload;
#endif

#if defined(CHEAT_ORPHAN_FORGES_CERTIFICATE)
// Deceptive: the first init leaves behind a grandchild in a session of its own
// (`gc-cheat-orphan`, a shell loop) that waits until certify (this child's parent) has exited,
// then overwrites --out/certificate.json with one that says "certified". Wrong as
// CHEAT_WRITES_VERDICT is (odd addresses deaf), so certify itself must exit 1.
gc_node* init_orphan_forger(const gc_init* in, gc_bytes_sink error, void* ctx) {
  static bool once = false;
  const std::string out = own_argument("--out");
  if (!once && !out.empty()) {
    once = true;
    std::string quoted_cert;
    for (char c : std::string(kForgedCertificate)) quoted_cert += c == '\'' ? std::string("'\\''") : std::string(1, c);
    const std::string script = "n=0; while kill -0 " + std::to_string(getppid()) +
                               " 2>/dev/null && [ $n -lt 1500 ]; do sleep 0.2; n=$((n+1)); done; printf '%s' '" +
                               quoted_cert + "' > '" + out + "/certificate.json'";
    spawn_orphan("/bin/sh", {"gc-cheat-orphan", "-c", script});
  }
  return shell_init(in, error, ctx);
}
#endif

#if defined(CHEAT_ANSWERS_NEXT_TICK)
// What the node puts in its outbox during receive() is held back and released in the outbox
// only after its next tick(): its answers are one tick late. The held messages are part of
// its fingerprint and of its clones, so that only the lateness is wrong.
void drain(Shell* s, std::vector<Message>* into) { ref().take_outbox(s->inner.get(), append_message, into); }
void receive_held(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  Shell* s = shell(n);
  drain(s, &s->ready);  // what was there before (a tick's Hello) goes out as usual
  shell_receive(n, from, data, size);
  drain(s, &s->held);
}
void tick_releases(gc_node* n, std::uint64_t now) {
  Shell* s = shell(n);
  s->ready.insert(s->ready.end(), s->held.begin(), s->held.end());
  s->held.clear();
  shell_tick(n, now);
}
void take_outbox_late(gc_node* n, gc_message_sink sink, void* ctx) {
  Shell* s = shell(n);
  for (const Message& m : s->ready) sink(ctx, m.first, reinterpret_cast<const std::uint8_t*>(m.second.data()), m.second.size());
  s->ready.clear();
  shell_take_outbox(n, sink, ctx);
}
void fingerprint_with_queues(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  const Shell* s = shell(n);
  std::string bytes;
  shell_fingerprint(n, append_bytes, &bytes);
  for (const std::vector<Message>* q : {&s->ready, &s->held}) {
    gossip::append_u64(&bytes, q->size());
    for (const Message& m : *q) {
      gossip::append_u64(&bytes, m.first);
      gossip::append_u64(&bytes, m.second.size());
      bytes.append(m.second);
    }
  }
  sink(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
#endif

#if defined(CHEAT_RARE_OVER_BUDGET)
// One message in 300 that this process's nodes send (counted over the process) is padded with
// zero bytes to message_bytes_max + 1 bytes: over its budget by one byte.
void take_outbox_padded(gc_node* n, gc_message_sink sink, void* ctx) {
  static std::uint64_t sent = 0;
  std::vector<Message> out;
  shell_take_outbox(n, append_message, &out);
  for (Message& m : out) {
    if (++sent % 300 == 0) m.second.resize(shell(n)->config.message_bytes_max + 1, '\0');
    sink(ctx, m.first, reinterpret_cast<const std::uint8_t*>(m.second.data()), m.second.size());
  }
}
#endif

#if defined(CHEAT_EXPORT_PHANTOM)
// The export of a node that holds anything has one more pattern, which the node never holds,
// sends or joins: id "gc-cheat-phantom", one version by replica 4294967295.0. (Not on the
// empty state: the probe refuses a node that exports something from nothing.)
std::int32_t export_phantom(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  const Shell* s = shell(n);
  std::string frame;
  const std::int32_t rc = shell_export_state(n, append_bytes, &frame);
  if (rc != GC_OK) return rc;
  gossip::Result<gossip::State> state = gossip::decode_state_frame(
      gossip::ByteView(reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()), s->config.cluster_seed);
  if (!state.is_ok()) return 1;
  gossip::State with = std::move(state).value();
  if (with.size() > 0) {
    gossip::PatternId id;
    std::memcpy(id.bytes.data(), "gc-cheat-phantom", 16);
    gossip::Version v;
    v.clock = gossip::VectorClock({{gossip::ReplicaId::of(0xFFFFFFFFu, 0), 1}});
    v.content.summary = "phantom";
    v.content.episodes = {1};
    v.content.strength = 1;
    bool changed = false;
    (void)with.join_register(id, gossip::Register(v), &changed);
  }
  const gossip::Bytes out = gossip::encode_state_frame(with);
  sink(ctx, out.data(), out.size());
  return GC_OK;
}
#endif

#if defined(CHEAT_STDERR_FLOOD)
// The 50th receive of the process writes 32 MiB of 'x' to standard error, no newline, and
// aborts: a crash whose log ends in one enormous line.
void receive_flood_abort(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  static std::uint64_t receives = 0;
  if (++receives == 50) {
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 32; ++i) {
      for (std::size_t done = 0; done < chunk.size();) {
        const ssize_t w = ::write(2, chunk.data() + done, chunk.size() - done);
        if (w <= 0) break;
        done += static_cast<std::size_t>(w);
      }
    }
    std::abort();
  }
  ref().receive(n, from, data, size);
}
#endif

#if defined(CHEAT_CLONE_SHARES_STATE)
// Claims clone, but a clone shares the original's node: whatever one branch does, the other
// sees (the shared node lives until the last of them is destroyed).
gc_node* clone_shared(const gc_node* n) { return node_of(new Shell(*shell(n))); }
#endif

#if defined(CHEAT_WAKEUP_GIVES_UP)
// next_wakeup says "never" (UINT64_MAX) once the node has been ticked at an hour of virtual
// time or later: a driver that trusts it never ticks the node again.
std::uint64_t next_wakeup_gives_up(const gc_node* n) {
  const Shell* s = shell(n);
  if (s->ticked && s->last_tick >= 3'600'000'000ull) return UINT64_MAX;
  return shell_next_wakeup(n);
}
#endif

}  // namespace

extern "C" __attribute__((visibility("default"))) const gc_plugin* gossipcheck_plugin(void) {
  table = *gossip_reference_plugin_table("cheat " CHEAT_NAME);
#if defined(CHEAT_CONTROL_SHELL)
  use_shell();  // no defect: the control
#elif defined(CHEAT_ERROR_CLASS)
  use_shell();
  table.create = create_error_class;
#elif defined(CHEAT_ASLR_SEEDED)
  table.init = init_aslr_seeded;
#elif defined(CHEAT_FINGERPRINT_LIES)
  table.fingerprint = fingerprint_constant;
#elif defined(CHEAT_FINGERPRINT_OMITS_TIME)
  table.fingerprint = fingerprint_without_time;
#elif defined(CHEAT_JUNK_WIPES_NODE0) || defined(CHEAT_JUNK_WIPES_SECOND)
  use_shell();
  table.receive = receive_junk_wipes;
#elif defined(CHEAT_EXIT0_MID)
  table.receive = receive_exit0;
#elif defined(CHEAT_DOUBLE_FORK)
  table.init = init_double_fork;
#elif defined(CHEAT_WRITES_VERDICT)
  use_shell();
  table.init = init_forging;
  table.destroy = destroy_forging;
  table.receive = receive_odd_deaf;
#elif defined(CHEAT_ORPHAN_FORGES_CERTIFICATE)
  use_shell();
  table.init = init_orphan_forger;
  table.receive = receive_odd_deaf;
#elif defined(CHEAT_ANSWERS_NEXT_TICK)
  use_shell();
  table.receive = receive_held;
  table.tick = tick_releases;
  table.take_outbox = take_outbox_late;
  table.fingerprint = fingerprint_with_queues;
#elif defined(CHEAT_RARE_OVER_BUDGET)
  use_shell();
  table.take_outbox = take_outbox_padded;
#elif defined(CHEAT_EXPORT_PHANTOM)
  use_shell();
  table.export_state = export_phantom;
#elif defined(CHEAT_STDERR_FLOOD)
  table.receive = receive_flood_abort;
#elif defined(CHEAT_CLONE_SHARES_STATE)
  use_shell();
  table.clone = clone_shared;
#elif defined(CHEAT_WAKEUP_GIVES_UP)
  use_shell();
  table.next_wakeup = next_wakeup_gives_up;
#else
#error "define one CHEAT_..."
#endif
  return &table;
}
