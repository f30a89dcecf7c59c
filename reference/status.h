// Status and Result<T>: how expected failures travel.
//
// A Status is either ok or carries a Code and a message meant for a person ("truncated at
// byte 17 while reading a clock entry"). Codes exist only where a caller can sensibly react
// to them differently (the codec's counters, the CLI's exit codes, the tests).
// Result<T> holds a T or a non-ok Status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "reference/assert.h"

namespace gossip {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kTruncated,         // input ended before the value did
    kUnknownTag,        // unknown magic, format version, frame kind or flag byte
    kOverLimit,         // a length or count beyond a limit of reference/limits.h
    kNonCanonical,      // a valid value, but not in its one canonical encoding
    kChecksumMismatch,  // the frame's checksum does not match its bytes
    kConflictingWrite,  // equal clocks with different content: corruption
    kInvalid,           // structurally malformed (bad UTF-8, dominated sibling, ...)
    kNotFound,          // a local operation named an unknown pattern
    kAlreadyExists,     // create() of a pattern that exists
  };

  Status() = default;
  static Status ok() { return Status(); }
  static Status error(Code code, std::string message) {
    GOSSIP_ASSERT(code != Code::kOk);
    return Status(code, std::move(message));
  }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "non-canonical: clock entries not strictly ascending at byte 12"
  std::string to_string() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view code_name(Status::Code code);

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    GOSSIP_ASSERT(!std::get<Status>(v_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: is_ok()
  const T& value() const& {
    GOSSIP_ASSERT(is_ok());
    return std::get<T>(v_);
  }
  T& value() & {
    GOSSIP_ASSERT(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    GOSSIP_ASSERT(is_ok());
    return std::get<T>(std::move(v_));
  }
  // An ok Status when is_ok().
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gossip
