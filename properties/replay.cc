#include "properties/replay.h"

#include "properties/laws.h"

#include <fstream>
#include <ostream>
#include <sstream>
#include <vector>

namespace gossip::properties {

namespace {

struct Arrow {
  std::size_t step;
  faultnet::Delivery d;
};

std::string kind_name(FrameKind k) {
  if (static_cast<int>(k) == 0) return "message";  // an implementation's own format
  switch (k) {
    case FrameKind::kHello: return "Hello";
    case FrameKind::kReply: return "Reply";
    case FrameKind::kWalk: return "Walk";
    default: return "frame " + std::to_string(static_cast<int>(k));
  }
}

std::string fate_name(faultnet::Delivery::Fate f) {
  switch (f) {
    case faultnet::Delivery::Fate::kDelivered: return "delivered";
    case faultnet::Delivery::Fate::kDropped: return "dropped";
    case faultnet::Delivery::Fate::kCut: return "cut by the partition";
    case faultnet::Delivery::Fate::kHeld: return "held (receiver paused)";
  }
  return "?";
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// One lifeline per node; one row per step (its name at the left) or message; a message is an
// arrow from sender to receiver, dashed when dropped or cut; the violation in red at the end.
void write_svg(const std::string& file, const History& h, const std::vector<std::string>& labels,
               const std::vector<Arrow>& arrows, const std::optional<Violation>& v) {
  const int col = 140, left = 220, row = 22, top = 50;
  const int rows = static_cast<int>(labels.size() + arrows.size()) + 2;
  const int width = left + col * static_cast<int>(h.config.nodes) + 40;
  const int height = top + row * rows + 40;
  std::ofstream out(file);
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"monospace\" font-size=\"12\">\n";
  out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out << "<text x=\"10\" y=\"20\">" << escape(h.property) << ", " << h.config.nodes << " nodes, seed "
      << h.config.seed << "</text>\n";
  auto x_of = [&](NodeId n) { return left + col * static_cast<int>(n) + col / 2; };
  for (NodeId n = 0; n < h.config.nodes; ++n) {
    out << "<text x=\"" << x_of(n) - 8 << "\" y=\"" << top - 10 << "\">n" << n << "</text>\n";
    out << "<line x1=\"" << x_of(n) << "\" y1=\"" << top << "\" x2=\"" << x_of(n) << "\" y2=\""
        << height - 30 << "\" stroke=\"#999\"/>\n";
  }
  int y = top + row;
  std::size_t a = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out << "<text x=\"10\" y=\"" << y << "\">" << i + 1 << ". " << escape(labels[i]) << "</text>\n";
    y += row;
    for (; a < arrows.size() && arrows[a].step == i; ++a, y += row) {
      const auto& d = arrows[a].d;
      const bool lost = d.fate != faultnet::Delivery::Fate::kDelivered;
      out << "<line x1=\"" << x_of(d.message.from) << "\" y1=\"" << y - row / 2 << "\" x2=\""
          << x_of(d.message.to) << "\" y2=\"" << y << "\" stroke=\"" << (lost ? "#c60" : "#036")
          << "\"" << (lost ? " stroke-dasharray=\"4,3\"" : "") << " marker-end=\"url(#a)\"/>\n";
      out << "<text x=\"" << (x_of(d.message.from) + x_of(d.message.to)) / 2 - 30 << "\" y=\"" << y - 8
          << "\" fill=\"#333\">" << kind_name(d.message.kind) << " " << d.message.bytes.size() << "B";
      if (lost) out << ' ' << fate_name(d.fate).substr(0, 7);
      out << "</text>\n";
    }
  }
  if (v) {
    out << "<text x=\"10\" y=\"" << y + row << "\" fill=\"#c00\">" << escape(to_text(*v)) << "</text>\n";
  }
  out << "<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">"
         "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#036\"/></marker></defs>\n</svg>\n";
}

}  // namespace

std::optional<Violation> replay(const History& h, std::ostream& out, const ReplayOptions& o) {
  ExecutorOptions eo = o.executor;
  if (h.property == "interop" && eo.impl && !eo.partner) {
    eo.partner = reference_implementation();
    eo.check_in_sync_cost = true;
  }
  Executor ex(h.config, eo);
  std::vector<std::string> labels;
  std::vector<Arrow> arrows;
  std::optional<Violation> v;
  auto log_messages = [&](std::size_t step) {
    for (faultnet::Delivery& d : ex.cluster().take_log()) {
      if (o.verbose) {
        out << "    n" << d.message.from << " -> n" << d.message.to << " " << kind_name(d.message.kind)
            << " (" << d.message.bytes.size() << " bytes, message " << d.message.id << "): "
            << fate_name(d.fate) << '\n';
      }
      arrows.push_back(Arrow{step, std::move(d)});
    }
  };
  if (o.verbose) {
    out << "history of " << h.property << ": " << h.config.nodes << " nodes, seed " << h.config.seed
        << ", " << h.steps.size() << " steps\n";
  }
  for (std::size_t i = 0; i < h.steps.size() && !v; ++i) {
    labels.push_back(to_text(h.steps[i]));
    v = ex.apply(h.steps[i]);
    if (o.verbose) out << "step " << i + 1 << ": " << labels.back() << '\n';
    log_messages(i);
    if (o.verbose) out << ex.describe();
  }
  if (!v) {
    labels.push_back("(end: heal, run to quiescence, check against the model)");
    v = ex.finish();
    if (o.verbose) out << "end: healed and ran to quiescence\n";
    log_messages(labels.size() - 1);
    if (o.verbose) out << ex.describe();
  }
  if (!o.svg_file.empty()) write_svg(o.svg_file, h, labels, arrows, v);
  if (v) {
    out << "VIOLATION " << to_text(*v) << '\n';
  } else {
    out << "no violation: every invariant held\n";
  }
  return v;
}

int replay_file(const std::string& path, const std::string& svg_file, bool quiet, std::ostream& out,
                std::ostream& err, const ExecutorOptions& executor) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "error: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().rfind(kLawCaseHeader, 0) == 0) {  // a counterexample of gossipcheck prove
    const Result<LawCase> c = parse_law_case(text.str());
    if (!c.is_ok()) {
      err << "error: " << path << ": " << c.status().message() << "\n";
      return 2;
    }
    const std::string broken = check_law(c.value());
    if (!quiet) out << to_text(c.value());
    if (broken.empty()) {
      out << "law " << c.value().law << " holds for this implementation on these states\n";
      return 0;
    }
    out << "law " << c.value().law << " BROKEN by this implementation: " << broken
        << (broken.back() == '\n' ? "" : "\n");
    return 1;
  }
  const Result<History> h = parse_history(text.str());
  if (!h.is_ok()) {
    err << "error: " << path << ": " << h.status().message() << "\n";
    return 2;
  }
  ReplayOptions o;
  o.verbose = !quiet;
  o.svg_file = svg_file;
  o.executor = executor;
  if (executor.impl) {
    out << "implementation: " << executor.impl->name() << " " << executor.impl->version() << "\n";
  }
  const std::optional<Violation> v = replay(h.value(), out, o);
  if (!svg_file.empty()) out << "sequence diagram: " << svg_file << "\n";
  return v ? 1 : 0;
}

}  // namespace gossip::properties
