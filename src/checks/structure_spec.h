// The options of a `structure` check as plain data: which spans it selects, how many related
// spans (children, descendants or a parent) each must have, or how many there must be over the
// run, which attributes they must carry, and per-trace shape assertions. Parsed from a scenario's
// YAML at load time, when a mistake is a LoadError with file:line:col; evaluated by the check
// MakeCheck (make_check.h) builds from it when the run starts. A value: copy it, read it from
// any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/comparison.h"
#include "checks/selector.h"
#include "config/source_pos.h"

namespace traceproof {

enum class Relation { kNone, kChild, kDescendant, kParent };
// "child", "descendant", "parent"; "" for kNone.
std::string_view RelationName(Relation relation);

struct ExpectedAttribute {
  std::string key;
  std::optional<std::string> value;  // nullopt: present with any value
};

struct StructureSpec {
  Selector select;
  Relation relation = Relation::kNone;
  std::optional<Selector> related;  // with a relation: which related spans count
  // Per selected span with a relation, else over the run.
  Comparison count{.op = Comparison::Op::kGe, .value = 1, .text = ">= 1"};
  std::vector<ExpectedAttribute> attributes;
  bool no_orphans = false;
  bool single_root = false;
  SourcePos pos;  // of the options
};

// `options` is the value under `structure:`; throws LoadError naming `file`.
StructureSpec ParseStructureSpec(const YAML::Node& options, const std::string& file);

// With a relation, `count` is judged span by span; without, it counts spans over the run, so
// only an upper bound on that count is judged on a sample.
bool SoundOnSample(const StructureSpec& spec);

}  // namespace traceproof
