#include "properties/replay.h"

#include "properties/laws.h"

#include <charconv>
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

std::optional<Violation> replay(const History& h, std::ostream& out, const ReplayOptions& o, std::string* trace) {
  const ExecutorOptions eo = options_for(h, o.executor);
  Executor ex(h.config, eo);
  std::vector<std::string> labels;
  std::vector<Arrow> arrows;
  std::optional<Violation> v;
  std::string run;
  auto log_messages = [&](std::size_t step) {
    std::vector<faultnet::Delivery> log = ex.cluster().take_log();
    append_trace(&run, log);
    for (faultnet::Delivery& d : log) {
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
  run += ex.describe();
  if (v) run += to_text(*v);
  if (trace) *trace = std::move(run);
  if (!o.svg_file.empty()) write_svg(o.svg_file, h, labels, arrows, v);
  if (v) {
    out << "VIOLATION " << to_text(*v) << '\n';
  } else {
    out << "no violation: every invariant held\n";
  }
  return v;
}

std::string to_text(const CaseFile& c) {
  std::ostringstream out;
  out << kCaseHeader << '\n';
  out << "property " << c.property << '\n';
  out << "profile " << c.profile << '\n';
  out << "seed " << c.seed << '\n';
  out << "reproduce " << c.reproduce << '\n';
  std::istringstream lines(c.violation);
  for (std::string line; std::getline(lines, line);) out << "# " << line << '\n';
  return out.str();
}

Result<CaseFile> parse_case(std::string_view text) {
  CaseFile c;
  std::size_t line_no = 0;
  bool seen[4] = {};
  auto bad = [&](const std::string& what) {
    return Status::error(Status::Code::kInvalid, "line " + std::to_string(line_no) + ": " + what);
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string line(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kCaseHeader) return bad("not a gossipcheck case (first line must be '" + std::string(kCaseHeader) + "')");
      continue;
    }
    if (line.empty()) continue;
    if (line[0] == '#') {
      c.violation += line.substr(line.size() > 1 && line[1] == ' ' ? 2 : 1) + "\n";
      continue;
    }
    const std::size_t sp = line.find(' ');
    if (sp == std::string::npos) return bad("expected '<field> <value>'");
    const std::string field = line.substr(0, sp), value = line.substr(sp + 1);
    if (value.empty() || value.find(' ') != std::string::npos) return bad("expected one value after '" + field + "'");
    if (field == "property") {
      c.property = value;
      seen[0] = true;
    } else if (field == "profile") {
      c.profile = value;
      seen[1] = true;
    } else if (field == "seed") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), c.seed);
      if (ec != std::errc() || end != value.data() + value.size()) return bad("the seed is not a number");
      seen[2] = true;
    } else if (field == "reproduce") {
      if (value.size() % 2 != 0 || value.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return bad("reproduce must be lowercase hex");
      }
      c.reproduce = value;
      seen[3] = true;
    } else {
      return bad("unknown field '" + field + "'");
    }
  }
  if (!(seen[0] && seen[1] && seen[2] && seen[3])) {
    return Status::error(Status::Code::kInvalid, "a case needs property, profile, seed and reproduce");
  }
  return c;
}

int replay_file(const std::string& path, std::ostream& out, std::ostream& err, const ReplayFileOptions& options) {
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
    if (!options.quiet) out << to_text(c.value());
    if (broken.empty()) {
      out << "law " << c.value().law << " holds for this implementation on these states\n";
      return 0;
    }
    out << "law " << c.value().law << " BROKEN by this implementation: " << broken
        << (broken.back() == '\n' ? "" : "\n");
    return 1;
  }
  if (text.str().rfind(kCaseHeader, 0) == 0) {  // one case of a property that is not a history
    const Result<CaseFile> c = parse_case(text.str());
    if (!c.is_ok()) {
      err << "error: " << path << ": " << c.status().message() << "\n";
      return 2;
    }
    if (!options.run_case) {
      err << "error: " << path << ": this program cannot run property " << c.value().property << "\n";
      return 2;
    }
    if (options.executor.impl) {
      out << "implementation: " << options.executor.impl->name() << " " << options.executor.impl->version() << "\n";
    }
    return options.run_case(c.value(), out, err);
  }
  const Result<History> h = parse_history(text.str());
  if (!h.is_ok()) {
    err << "error: " << path << ": " << h.status().message() << "\n";
    return 2;
  }
  ReplayOptions o;
  o.verbose = !options.quiet;
  o.svg_file = options.svg_file;
  o.executor = options.executor;
  if (options.executor.impl) {
    out << "implementation: " << options.executor.impl->name() << " " << options.executor.impl->version() << "\n";
  }
  std::string trace;
  const std::optional<Violation> v = replay(h.value(), out, o, &trace);
  if (!options.svg_file.empty()) out << "sequence diagram: " << options.svg_file << "\n";
  // The run certify recorded, on this very implementation: this one must be the same run.
  const bool recorded = !h.value().trace.empty() && !h.value().implementation.empty() &&
                        h.value().implementation == options.implementation;
  if (recorded) {
    const std::string now = trace_digest(trace);
    if (now == h.value().trace) {
      out << "the same run as the one recorded (trace " << now << ")\n";
    } else {
      out << "NOT THE RUN RECORDED: this run's trace is " << now << ", the recorded run's " << h.value().trace
          << ": the implementation did not run the same way twice (it is not deterministic: docs/CERTIFY.md, "
             "\"Determinism\")\n";
      if (!v) return 3;
    }
  }
  return v ? 1 : 0;
}

}  // namespace gossip::properties
