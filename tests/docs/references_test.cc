// The repository is self-contained: a stranger who has only it must find every rule in it.
//
// (a) No file of the repository names the steering document that once defined the data model
//     outside it (docs/MODEL.md defines it now). The name is spelled in capitals there; it is
//     put together below so that this file does not contain it.
// (b) The specification documents (docs/MODEL.md, docs/PROTOCOL.md, docs/WIRE_FORMAT.md,
//     docs/CERTIFY.md) name no source file of the repository as the place a rule is defined:
//     no path under reference/, model/, faultnet/, properties/, certify/, cli/, gossipd/,
//     fuzz/, tests/ or bench/. They may name include/gossipcheck/plugin.h and examples/.
// (No std::regex: gcc 12 warns inside <regex> under the sanitizers, and CI builds -Werror.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gossip::docs {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string steering_document_name() {
  std::string name = "mission";
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name + ".md";
}

std::size_t line_of(const std::string& text, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// The files of the source tree, skipping .git, the top-level build/ (the presets' build trees)
// and any other build tree, fuzz/corpus (thousands of generated inputs) and Python's caches.
std::vector<fs::path> source_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path rel = fs::relative(it->path(), root);
    if (it->is_directory()) {
      const std::string name = it->path().filename().string();
      const bool build_tree = fs::exists(it->path() / "CMakeCache.txt");  // a build tree under another name
      if (name == ".git" || name == "__pycache__" || rel == fs::path("build") || rel == fs::path("fuzz/corpus") ||
          build_tree) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file()) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Docs, NoFileNamesTheSteeringDocument) {
  const fs::path root(GOSSIP_SOURCE_DIR);
  const std::string needle = steering_document_name();
  std::size_t files = 0;
  for (const fs::path& rel : source_files(root)) {
    ++files;
    const std::string text = read_file(root / rel);
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ADD_FAILURE() << rel.string() << ":" << line_of(text, at) << " names " << needle
                    << ", which is not in the repository: point to docs/MODEL.md (the data model and the "
                       "invariants) or the docs/ section that defines the rule";
    }
  }
  EXPECT_GT(files, 100u) << "the walk of " << root << " found too few files";
}

// A path under one of the source folders that names a file: `reference/node.h`,
// `tests/docs/docs_test.cc`, `reference/codec.{h,cc}`. A path may be broken across a line
// after a '/' (Markdown joins the lines); a folder alone (`model/`) is not a file.
struct SourcePath {
  std::size_t offset;
  std::string path;
};

bool path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-' || c == '{' ||
         c == '}' || c == ',';
}

bool names_a_file(const std::string& rest) {
  static const std::vector<std::string> kExtensions = {"h", "cc", "py", "sh", "json", "cmake", "txt"};
  for (std::size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.', dot + 1)) {
    if (dot + 1 < rest.size() && rest[dot + 1] == '{') return true;  // codec.{h,cc}
    std::size_t end = dot + 1;
    while (end < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[end])) || rest[end] == '_')) ++end;
    const std::string ext = rest.substr(dot + 1, end - dot - 1);
    if (std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end()) return true;
  }
  return false;
}

std::vector<SourcePath> source_paths(const std::string& text) {
  static const std::vector<std::string> kFolders = {"reference", "model", "faultnet", "properties", "certify",
                                                    "cli",       "gossipd", "fuzz",    "tests",      "bench"};
  std::vector<SourcePath> out;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (at > 0 && path_char(text[at - 1]) && text[at - 1] != ',' && text[at - 1] != '{') continue;  // not a path's start
    for (const std::string& folder : kFolders) {
      if (text.compare(at, folder.size() + 1, folder + "/") != 0) continue;
      std::size_t end = at + folder.size() + 1;
      std::string rest;
      for (;;) {
        while (end < text.size() && path_char(text[end])) rest.push_back(text[end++]);
        // A line break right after a '/': the path goes on on the next line.
        const bool after_slash = rest.empty() || rest.back() == '/';
        if (end < text.size() && text[end] == '\n' && after_slash) {
          ++end;
          while (end < text.size() && text[end] == ' ') ++end;
          continue;
        }
        break;
      }
      while (!rest.empty() && (rest.back() == '.' || rest.back() == ',')) rest.pop_back();
      if (names_a_file(rest)) out.push_back({at, folder + "/" + rest});
    }
  }
  return out;
}

TEST(Docs, SourcePathsAreRecognised) {
  auto paths = [](const std::string& text) {
    std::vector<std::string> out;
    for (const SourcePath& p : source_paths(text)) out.push_back(p.path);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(paths("see `reference/node.h`."), V{"reference/node.h"});
  EXPECT_EQ(paths("`reference/codec.{h,cc}` and tests/docs/docs_test.cc, then"), (V{"reference/codec.{h,cc}", "tests/docs/docs_test.cc"}));
  EXPECT_EQ(paths("wraps it: `certify/\n  reference_plugin.cc` does"), V{"certify/reference_plugin.cc"});
  EXPECT_EQ(paths("(bench/sync_bench.cc) and properties/mutants/catalogue.json."), (V{"bench/sync_bench.cc", "properties/mutants/catalogue.json"}));
  EXPECT_EQ(paths("the oracle of `model/`, the folder tests/docs/, model::expected_write"), V{});
  EXPECT_EQ(paths("build/dev/certify/gossip-node-process and examples/python/tests/x.py"), V{});
  EXPECT_EQ(paths("include/gossipcheck/plugin.h and examples/naive/naive_node.cc"), V{});
}

TEST(Docs, SpecificationNamesNoSourceFile) {
  for (const char* doc : {"MODEL.md", "PROTOCOL.md", "WIRE_FORMAT.md", "CERTIFY.md"}) {
    const fs::path path = fs::path(GOSSIP_SOURCE_DIR) / "docs" / doc;
    ASSERT_TRUE(fs::exists(path)) << path;
    const std::string text = read_file(path);
    for (const SourcePath& p : source_paths(text)) {
      ADD_FAILURE() << "docs/" << doc << ":" << line_of(text, p.offset) << " names the source file " << p.path
                    << ": a specification states its rules itself (name include/gossipcheck/plugin.h or "
                       "examples/ if a file must be named)";
    }
  }
}

}  // namespace
}  // namespace gossip::docs
