// sinks: did the Collector's routing by trace id put every trace whole on one sink, and did every
// sink of the tier get traces? Reads only RunData::sinks (trace ids per sink, recorded as spans
// arrived), never the traces: a trace seen on two sinks is split, named with its id and the
// sinks that hold parts of it. With one sink there is nothing to split and the check passes,
// saying so.
#include <algorithm>

#include "checks/check_util.h"
#include "checks/make_check.h"
#include "checks/sinks_spec.h"

namespace traceproof {

namespace {

class NoTally final : public TraceTally {
 public:
  void Add(const Trace&) override {}
};

class SinksCheck final : public Check {
 public:
  explicit SinksCheck(SinksSpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext&) const override {
    return std::make_unique<NoTally>();
  }

  CheckResult Judge(const TraceTally&, const RunData& data) const override {
    CheckResult r;
    r.kind = "sinks";
    r.pos = spec_.pos;
    r.label = "split_traces " + spec_.split_traces.text + ", idle_sinks " + spec_.idle_sinks.text;
    if (data.sinks.empty()) {
      r.passed = true;
      r.reason = "one sink: no trace can be split";
      return r;
    }
    std::vector<std::string> split_examples;
    const std::uint64_t split = CountSplit(data.sinks, r.evidence, split_examples);
    std::uint64_t traces = 0, idle = 0;
    std::vector<std::string> per_sink;
    nlohmann::json sinks = nlohmann::json::array();
    for (const SinkRouting& s : data.sinks) {
      traces += s.trace_ids.size();
      if (s.trace_ids.empty()) ++idle;
      per_sink.push_back(s.name + " " + std::to_string(s.trace_ids.size()));
      sinks.push_back({{"name", s.name},
                       {"endpoint", s.endpoint},
                       {"traces", s.trace_ids.size()},
                       {"spans_received", s.spans_received}});
    }
    const bool split_ok = spec_.split_traces.Holds(
        checks::Measured(spec_.split_traces, double(split), double(traces)));
    const bool idle_ok = spec_.idle_sinks.Holds(
        checks::Measured(spec_.idle_sinks, double(idle), double(data.sinks.size())));
    r.passed = split_ok && idle_ok;
    std::string reason = std::to_string(split) + " traces split over sinks";
    if (!split_examples.empty()) reason += " (" + Join(split_examples, ", ") + ")";
    if (!split_ok) reason += ", want " + spec_.split_traces.text;
    reason += "; traces per sink: " + Join(per_sink, ", ");
    if (!idle_ok)
      reason += "; " + std::to_string(idle) + " sinks got no trace, want " + spec_.idle_sinks.text;
    r.reason = reason;
    if (r.passed) r.evidence.clear();
    r.details["split_traces"] = split;
    r.details["idle_sinks"] = idle;
    r.details["sinks"] = sinks;
    return r;
  }

 private:
  // Traces whose id is in two or more sinks' sets, each counted once. The first few, in id
  // order (so a recorded run judged again names the same ones), are described with every sink
  // that holds a part.
  static std::uint64_t CountSplit(const std::vector<SinkRouting>& sinks,
                                  std::vector<std::string>& evidence,
                                  std::vector<std::string>& examples) {
    std::vector<std::pair<std::string, std::vector<std::string>>> split;  // hex id, holders
    for (std::size_t i = 0; i < sinks.size(); ++i) {
      for (const TraceId& id : sinks[i].trace_ids) {
        bool earlier = false;  // counted at the first sink that holds it
        for (std::size_t k = 0; k < i && !earlier; ++k) earlier = sinks[k].trace_ids.contains(id);
        if (earlier) continue;
        std::vector<std::string> holders{std::to_string(i)};
        for (std::size_t j = i + 1; j < sinks.size(); ++j)
          if (sinks[j].trace_ids.contains(id)) holders.push_back(std::to_string(j));
        if (holders.size() > 1) split.emplace_back(id.Hex(), std::move(holders));
      }
    }
    std::sort(split.begin(), split.end());
    for (const auto& [hex, holders] : split) {
      if (evidence.size() < checks::kMaxEvidence) evidence.push_back(hex);
      if (examples.size() < 3)
        examples.push_back("trace " + hex + " on sinks " + Join(holders, " and "));
    }
    return split.size();
  }

  SinksSpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeSinksCheck(const SinksSpec& spec) {
  return std::make_unique<SinksCheck>(spec);
}

}  // namespace traceproof
