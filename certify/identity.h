// What a certificate says about where it was made and what it judged: SHA-256 (libsodium) of
// the implementation's files and of the certificate itself, the platform, the time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace gossip::certify {

std::string sha256_hex(std::string_view bytes);
// The SHA-256 of a file's bytes, or nothing when it cannot be read.
std::optional<std::string> sha256_of_file(const std::string& path);

// What identifies the implementation certified: a plug-in's path and the SHA-256 of its file;
// for a command, the command and the SHA-256 of every word of it that names a readable file
// (the first word looked up in PATH too), so that a certificate names the bytes it judged.
// "digest" is one SHA-256 over the files (and a command's words): equal digests, the same
// implementation, whatever path named a plug-in.
nlohmann::json implementation_identity(const std::string& impl, const std::string& impl_cmd);

// The machine the certification ran on: system, release, machine, processors, compiler.
nlohmann::json platform_json();
// Now, in UTC, as 2026-12-07T23:40:05Z.
std::string utc_now();

// The SHA-256 of a certificate: over its JSON without the "sha256" member, written compact
// with its keys in ascending order (nlohmann::json's dump()).
std::string certificate_digest(const nlohmann::json& certificate);

}  // namespace gossip::certify
