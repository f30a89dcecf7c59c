#include "certify/plugin.h"

#include <dlfcn.h>

#include <cstring>

#include "certify/external_node.h"
#include "gossipcheck/plugin.h"
#include "reference/codec.h"

namespace gossip::certify {
namespace {

void append_to_bytes(void* ctx, const std::uint8_t* data, std::size_t size) {
  auto* out = static_cast<Bytes*>(ctx);
  if (size > 0) out->insert(out->end(), data, data + size);
}

void append_to_string(void* ctx, const std::uint8_t* data, std::size_t size) {
  auto* out = static_cast<std::string*>(ctx);
  if (size > 0) out->append(reinterpret_cast<const char*>(data), size);
}

struct Outbox {
  std::vector<Outgoing>* out;
};

void append_message(void* ctx, std::uint32_t to, const std::uint8_t* data, std::size_t size) {
  Outgoing m;
  m.to = to;
  if (size > 0) m.bytes.assign(data, data + size);
  m.kind = static_cast<FrameKind>(0);  // opaque: the plug-in does not say
  static_cast<Outbox*>(ctx)->out->push_back(std::move(m));
}

Status status_of(std::int32_t code) {
  if (code == GC_OK) return Status::ok();
  switch (code) {
    case GC_INVALID: return Status::error(Status::Code::kInvalid, "refused by the plug-in (invalid)");
    case GC_OVER_LIMIT: return Status::error(Status::Code::kOverLimit, "refused by the plug-in (over limit)");
    case GC_NOT_FOUND: return Status::error(Status::Code::kNotFound, "refused by the plug-in (not found)");
    case GC_ALREADY_EXISTS: return Status::error(Status::Code::kAlreadyExists, "refused by the plug-in (already exists)");
    default:
      throw ImplementationError("the plug-in returned " + std::to_string(code) +
                                " from a local write: not a result of include/gossipcheck/plugin.h");
  }
}

struct ContentView {
  explicit ContentView(const Content& c) {
    view.summary = reinterpret_cast<const std::uint8_t*>(c.summary.data());
    view.summary_size = c.summary.size();
    view.episodes = c.episodes.data();
    view.episode_count = c.episodes.size();
    view.strength = c.strength;
    view.has_absorbed_into = c.absorbed_into ? 1 : 0;
    std::memset(view.absorbed_into, 0, sizeof view.absorbed_into);
    if (c.absorbed_into) std::memcpy(view.absorbed_into, c.absorbed_into->bytes.data(), 16);
  }
  gc_content view{};
};

class Library {
 public:
  Library(void* handle, const gc_plugin* table) : handle_(handle), table_(table) {}
  ~Library() { dlclose(handle_); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  const gc_plugin& table() const { return *table_; }

 private:
  void* handle_;
  const gc_plugin* table_;
};

class PluginNode final : public ExternalNode {
 public:
  PluginNode(std::shared_ptr<const Library> lib, gc_node* node, const NodeInit& init)
      : ExternalNode(init, (lib->table().capabilities & GC_CAP_WIRE) != 0), lib_(std::move(lib)), node_(node) {}
  ~PluginNode() override { t().destroy(node_); }
  PluginNode(const PluginNode&) = delete;
  PluginNode& operator=(const PluginNode&) = delete;

  Status create(const PatternId& id, const Content& c) override {
    touched();
    ContentView v(c);
    return status_of(t().create(node_, id.bytes.data(), &v.view));
  }
  Status refine(const PatternId& id, const Content& c) override {
    touched();
    ContentView v(c);
    return status_of(t().refine(node_, id.bytes.data(), &v.view));
  }
  Status absorb(const PatternId& a, const PatternId& into) override {
    touched();
    return status_of(t().absorb(node_, a.bytes.data(), into.bytes.data()));
  }
  void tick(Time now) override {
    touched();
    t().tick(node_, now);
  }
  void receive(NodeId from, ByteView bytes) override {
    touched();
    t().receive(node_, from, bytes.data(), bytes.size());
  }
  void take_messages(std::vector<Outgoing>* out) override {
    out->clear();
    Outbox box{out};
    t().take_outbox(node_, append_message, &box);
  }
  Time next_wakeup() const override { return t().next_wakeup(node_); }
  std::unique_ptr<NodeUnderTest> clone() const override {
    if (!(t().capabilities & GC_CAP_CLONE) || t().clone == nullptr) return nullptr;
    gc_node* copy = t().clone(node_);
    if (copy == nullptr) throw ImplementationError("the plug-in's clone() returned NULL");
    return std::make_unique<PluginNode>(lib_, copy, settings());
  }
  bool append_fingerprint(std::string* out) const override {
    if (!(t().capabilities & GC_CAP_FINGERPRINT) || t().fingerprint == nullptr) return false;
    t().fingerprint(node_, append_to_string, out);
    return true;
  }
  bool export_view(ViewFrame* out) const override {
    if (t().abi_version < 2) return false;
    Bytes frame;
    const std::int32_t rc = t().view(node_, append_to_bytes, &frame);
    if (rc != GC_OK) throw ImplementationError("the plug-in's view() returned " + std::to_string(rc));
    Result<ViewFrame> v = decode_view_frame(frame);
    if (!v.is_ok()) {
      throw ImplementationError("node n" + std::to_string(self()) + "'s view is not a view frame: " + v.status().message());
    }
    *out = std::move(v).value();
    return true;
  }

 protected:
  Export export_state() const override {
    Export e;
    const std::int32_t rc = t().export_state(node_, append_to_bytes, &e.frame);
    if (rc != GC_OK) throw ImplementationError("the plug-in's export_state() returned " + std::to_string(rc));
    return e;
  }

 private:
  const gc_plugin& t() const { return lib_->table(); }
  std::shared_ptr<const Library> lib_;
  gc_node* node_;
};

class PluginImplementation final : public Implementation {
 public:
  explicit PluginImplementation(std::shared_ptr<const Library> lib) : lib_(std::move(lib)) {}
  std::string name() const override { return lib_->table().name; }
  std::string version() const override { return lib_->table().version; }
  Capabilities capabilities() const override {
    const std::uint32_t c = lib_->table().capabilities;
    Capabilities out;
    out.clone = (c & GC_CAP_CLONE) && lib_->table().clone != nullptr;
    out.fingerprint = (c & GC_CAP_FINGERPRINT) && lib_->table().fingerprint != nullptr;
    out.wire = (c & GC_CAP_WIRE) != 0;
    out.view = lib_->table().abi_version >= 2;
    return out;
  }
  std::unique_ptr<NodeUnderTest> make(const NodeInit& init) const override {
    gc_config config{};
    config.cluster_seed = init.config.cluster_seed;
    config.gossip_interval_us = init.config.gossip_interval;
    config.exchange_timeout_us = init.config.exchange_timeout;
    config.message_bytes_max = init.config.message_bytes_max;
    config.recent_rounds = init.config.recent_rounds;
    config.recent_max = static_cast<std::uint32_t>(init.config.recent_max);
    config.walk_width = init.config.walk_width;
    config.exchanges_max = static_cast<std::uint32_t>(init.config.exchanges_max);
    config.exchanges_per_peer_max = static_cast<std::uint32_t>(init.config.exchanges_per_peer_max);
    config.messages_per_exchange_max = init.config.messages_per_exchange_max;
    const Bytes state = encode_state_frame(init.state);
    gc_init in{};
    in.self = init.self;
    in.replica = init.replica.value;
    in.members = init.members->data();
    in.member_count = init.members->size();
    in.config = &config;
    in.seed = init.seed;
    in.state = state.data();
    in.state_size = state.size();
    std::string error;
    gc_node* node = lib_->table().init(&in, append_to_string, &error);
    if (node == nullptr) {
      throw ImplementationError("the plug-in's init() refused node n" + std::to_string(init.self) + ": " +
                                (error.empty() ? std::string("(no reason given)") : error));
    }
    return std::make_unique<PluginNode>(lib_, node, init);
  }

 private:
  std::shared_ptr<const Library> lib_;
};

}  // namespace

Result<std::shared_ptr<const Implementation>> load_plugin(const std::string& path) {
  auto fail = [&](const std::string& why) {
    return Status::error(Status::Code::kInvalid, "plug-in " + path + ": " + why);
  };
  // A path without a slash would be looked up in the library path: say what was meant.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = dlerror();
    return fail(std::string("cannot be loaded: ") + (e ? e : "dlopen failed"));
  }
  auto entry = reinterpret_cast<gossipcheck_plugin_fn>(dlsym(handle, GOSSIPCHECK_PLUGIN_SYMBOL));
  if (entry == nullptr) {
    dlclose(handle);
    return fail("exports no function " GOSSIPCHECK_PLUGIN_SYMBOL " (include/gossipcheck/plugin.h)");
  }
  const gc_plugin* table = entry();
  if (table == nullptr) {
    dlclose(handle);
    return fail(GOSSIPCHECK_PLUGIN_SYMBOL "() returned NULL");
  }
  if (table->abi_version < GOSSIPCHECK_ABI_VERSION_MIN || table->abi_version > GOSSIPCHECK_ABI_VERSION) {
    const std::uint32_t got = table->abi_version;
    dlclose(handle);
    return fail("built for ABI version " + std::to_string(got) + "; this gossipcheck speaks versions " +
                std::to_string(GOSSIPCHECK_ABI_VERSION_MIN) + " to " + std::to_string(GOSSIPCHECK_ABI_VERSION) +
                " (rebuild it against this include/gossipcheck/plugin.h)");
  }
  std::string missing;
  if (table->name == nullptr) missing += " name";
  if (table->version == nullptr) missing += " version";
  if (table->init == nullptr) missing += " init";
  if (table->destroy == nullptr) missing += " destroy";
  if (table->create == nullptr) missing += " create";
  if (table->refine == nullptr) missing += " refine";
  if (table->absorb == nullptr) missing += " absorb";
  if (table->tick == nullptr) missing += " tick";
  if (table->receive == nullptr) missing += " receive";
  if (table->take_outbox == nullptr) missing += " take_outbox";
  if (table->next_wakeup == nullptr) missing += " next_wakeup";
  if (table->export_state == nullptr) missing += " export_state";
  // A version-1 table ends before view: never read it there.
  if (table->abi_version >= 2 && table->view == nullptr) missing += " view (mandatory from ABI version 2)";
  if (!missing.empty()) {
    dlclose(handle);
    return fail("its gc_plugin table lacks:" + missing);
  }
  auto lib = std::make_shared<const Library>(handle, table);
  return std::shared_ptr<const Implementation>(std::make_shared<PluginImplementation>(std::move(lib)));
}

}  // namespace gossip::certify
