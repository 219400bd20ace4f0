// Comparison expressions in scenario files: "== 0", ">= 1", "< 5%", "<= 800ms". A value with
// '%' compares a share (0.05); a value with a time unit compares nanoseconds. A key's name is a
// promise: under `max` (or `max_...`) a bare value is an upper bound (<=), under `min` (or
// `min_...`) a lower one (>=), and an operator that contradicts the key is a load error; under
// any other key a bare value means ==. Parsed at the edge (throws LoadError with the position),
// evaluated on hot paths without allocation; stateless, any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "config/source_pos.h"

namespace traceproof {

struct Comparison {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Op op = Op::kEq;
  double value = 0;  // a share for "%", nanoseconds for durations, else the number
  bool percent = false;
  bool duration = false;
  std::string text;  // as written, for messages

  bool Holds(double measured) const;
  // An upper bound on a count ("== 0", "< 5", "<= 5"): a part of the run that breaks it shows
  // the whole run breaks it too. Shares and lower bounds can differ between a part and the whole.
  bool UpperBoundOnCount() const {
    return !percent && !duration &&
           (op == Op::kLt || op == Op::kLe || (op == Op::kEq && value == 0));
  }
  // The operator as written: "==", "<=", ...
  std::string_view OpText() const;
};

// What a key promises about the value under it.
enum class BoundKind { kNone, kUpper, kLower };
// kUpper for "max" and "max_...", kLower for "min" and "min_...", else kNone.
BoundKind BoundOfKey(std::string_view key);

// Accepts a string ("<= 5%") or a bare number: == under most keys, <= under `max`, >= under
// `min` (BoundOfKey(what)). `what` is the option's key, named in error messages ("'max': ...").
Comparison ParseComparison(const YAML::Node& node, const std::string& file,
                           const std::string& what = "comparison");

}  // namespace traceproof
