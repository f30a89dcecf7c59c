#include "certify/identity.h"

#include <sodium.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/bytes.h"

namespace gossip::certify {

using json = nlohmann::json;

std::string sha256_hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(std::span<const std::uint8_t>(out, sizeof out));
}

std::optional<std::string> sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n > 0) crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buffer.data()), static_cast<unsigned long long>(n));
  }
  if (in.bad()) return std::nullopt;
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  return to_hex(std::span<const std::uint8_t>(out, sizeof out));
}

namespace {

bool regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The words of a command as a shell would split the simple ones (quotes removed, no
// expansion): enough to find the files a command names.
std::vector<std::string> words_of(const std::string& command) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

std::string in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (name.find('/') != std::string::npos || path == nullptr) return name;
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (regular_file(candidate) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;
}

}  // namespace

json implementation_identity(const std::string& impl, const std::string& impl_cmd) {
  json id;
  json files = json::array();
  auto add = [&](const std::string& path) {
    if (!regular_file(path)) return;
    char resolved[PATH_MAX];
    const std::string full = ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
    const std::optional<std::string> digest = sha256_of_file(full);
    if (digest) files.push_back({{"path", full}, {"sha256", *digest}});
  };
  if (!impl_cmd.empty()) {
    const std::vector<std::string> words = words_of(impl_cmd);
    for (std::size_t i = 0; i < words.size(); ++i) add(i == 0 ? in_path(words[i]) : words[i]);
  } else if (impl != "reference") {
    add(impl);
  }
  id["files"] = files;
  // A plug-in is its file, wherever it is named from; a command is its files and its words.
  id["digest"] = sha256_hex(files.dump() + "\n" + (!impl_cmd.empty() ? impl_cmd : impl == "reference" ? impl : ""));
  return id;
}

json platform_json() {
  json p;
  struct utsname u {};
  if (::uname(&u) == 0) {
    p["system"] = u.sysname;
    p["release"] = u.release;
    p["machine"] = u.machine;
  }
  p["processors"] = std::thread::hardware_concurrency();
#if defined(__clang__)
  p["compiler"] = "clang " __clang_version__;
#elif defined(__GNUC__)
  p["compiler"] = "gcc " __VERSION__;
#endif
  return p;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm {};
  ::gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

std::string certificate_digest(const json& certificate) {
  json copy = certificate;
  copy.erase("sha256");
  return sha256_hex(copy.dump());
}

}  // namespace gossip::certify
