// Comparison expressions in scenario files: "== 0", ">= 1", "< 5%", "<= 800ms". A value with
// '%' compares a share (0.05); a value with a time unit compares nanoseconds. Parsed at the
// edge (throws LoadError with the position), evaluated on hot paths without allocation.
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

// Accepts a string ("<= 5%") or a bare number (meaning ==). `what` names the option in error
// messages ("'broken_traces': bad comparison ...").
Comparison ParseComparison(const YAML::Node& node, const std::string& file,
                           const std::string& what = "comparison");

}  // namespace traceproof
