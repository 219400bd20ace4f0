#include "checks/make_check.h"

namespace traceproof {

namespace {

struct Factory {
  std::unique_ptr<Check> operator()(const StructureSpec& s) const { return MakeStructureCheck(s); }
  std::unique_ptr<Check> operator()(const PropagationSpec& s) const {
    return MakePropagationCheck(s);
  }
  std::unique_ptr<Check> operator()(const SamplingSpec& s) const { return MakeSamplingCheck(s); }
  std::unique_ptr<Check> operator()(const LatencySpec& s) const { return MakeLatencyCheck(s); }
  std::unique_ptr<Check> operator()(const ThroughputSpec& s) const {
    return MakeThroughputCheck(s);
  }
  std::unique_ptr<Check> operator()(const HygieneSpec& s) const { return MakeHygieneCheck(s); }
  std::unique_ptr<Check> operator()(const SinksSpec& s) const { return MakeSinksCheck(s); }
};

}  // namespace

std::unique_ptr<Check> MakeCheck(const CheckSpec& spec) {
  return std::visit(Factory{}, spec.options);
}

}  // namespace traceproof
