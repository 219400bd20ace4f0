// JSON text appended straight to a std::string, byte for byte what nlohmann::json's
// dump(-1, ' ', false, error_handler_t::replace) writes for the same document: the run's JSONL
// records (traces.jsonl, ground_truth.jsonl) are written this way because building an
// nlohmann::json document first (a std::map and a string per key, per span) took a quarter of
// a checkout run's CPU under perf; readers still parse them with nlohmann. nlohmann has no
// streaming writer, hence this one. It does not sort keys: callers write them in byte order
// (as nlohmann's std::map holds them; readers rely on it, see report/report_traces.cc), and
// each caller's test compares its output with nlohmann's dump of the same document. Strings
// that need escaping or are not plain ASCII, and doubles, are handed to nlohmann itself, so
// the rare cases cannot differ. Not thread-safe (a buffer); no global state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace traceproof {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The next member's key; its value follows.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Uint(std::uint64_t value);
  void Int(std::int64_t value);
  void Bool(bool value) { Scalar(value ? "true" : "false"); }
  void Double(double value);
  void Null() { Scalar("null"); }

  // Key and value in one call, for the common members.
  void Member(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Member(std::string_view key, const char* value) { Member(key, std::string_view(value)); }
  void Member(std::string_view key, std::uint64_t value) {
    Key(key);
    Uint(value);
  }
  void Member(std::string_view key, const std::vector<std::string>& values) {
    Key(key);
    BeginArray();
    for (const std::string& v : values) String(v);
    EndArray();
  }
  void BoolMember(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

 private:
  void Open(char bracket);
  void Close(char bracket);
  void Separate();  // a comma before every element of an array or object but the first
  void Scalar(std::string_view text) {
    Separate();
    out_ += text;
  }

  std::string& out_;
  std::vector<bool> first_;  // per open array or object: nothing written in it yet
  bool after_key_ = false;   // a value follows its key without a comma
};

}  // namespace traceproof
