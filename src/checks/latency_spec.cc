#include "checks/latency_spec.h"

#include "checks/check_util.h"
#include "config/yaml_reader.h"

namespace traceproof {

namespace {

PercentileAssertion ReadPercentile(YamlReader& reader, const Field& f, double percentile) {
  const auto inner = checks::NestedFields(reader, f, {"select", "max"});
  const std::string where = "in '" + f.name + "' (e.g. {select: span[kind=SERVER], max: 800ms})";
  PercentileAssertion p;
  p.name = f.name;
  p.percentile = percentile;
  p.select = checks::ReadSelector(reader, checks::Require(reader, inner, f.value, "select", where));
  p.max = checks::ReadMaxDuration(reader, checks::Require(reader, inner, f.value, "max", where));
  return p;
}

}  // namespace

LatencySpec ParseLatencySpec(const YAML::Node& options, const std::string& file) {
  YamlReader reader(file);
  static const std::vector<std::pair<std::string, double>> kPercentiles = {
      {"p50", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"p999", 99.9}};
  const auto fields = checks::OptionFields(reader, options, "latency",
                                           {"p50", "p90", "p95", "p99", "p999", "critical_path_top",
                                            "slow_traces", "gaps", "sequential", "fattest_leaf"});
  LatencySpec spec;
  spec.pos = reader.Pos(options);
  auto nested_max = [&reader](const Field& f) -> const Field {
    const auto inner = checks::NestedFields(reader, f, {"max"});
    return checks::Require(reader, inner, f.value, "max", "in '" + f.name + "'");
  };
  for (const Field& f : fields) {
    for (const auto& [name, pct] : kPercentiles) {
      if (f.name == name) spec.percentiles.push_back(ReadPercentile(reader, f, pct));
    }
    if (f.name == "critical_path_top") {
      spec.critical_path_top = reader.String(f);
      if (spec.critical_path_top->empty() || spec.critical_path_top->front() == ' ') {
        reader.Fail(f,
                    "'critical_path_top' names a service, or a service and an operation "
                    "(\"stripe\", \"stripe POST /v1/charges\")");
      }
    } else if (f.name == "slow_traces") {
      spec.slow_traces = reader.Rate(f);
    } else if (f.name == "gaps") {
      spec.gaps_max = checks::ReadMaxDuration(reader, nested_max(f));
    } else if (f.name == "sequential") {
      // Under 'max' a bare 2 means "<= 2": three calls made in parallel pass it.
      spec.sequential_max = checks::ReadCountComparison(reader, nested_max(f));
      if (spec.sequential_max->percent) {
        reader.Fail(nested_max(f), "'max' counts calls: want e.g. \"<= 3\", not a percentage");
      }
    } else if (f.name == "fattest_leaf") {
      spec.fattest_leaf_max = checks::ReadMaxDuration(reader, nested_max(f));
    }
  }
  if (spec.percentiles.empty() && !spec.critical_path_top && !spec.gaps_max &&
      !spec.sequential_max && !spec.fattest_leaf_max) {
    reader.Fail(options,
                "the latency check asserts nothing: give p50/p90/p95/p99/p999, "
                "critical_path_top, gaps, sequential or fattest_leaf");
  }
  return spec;
}

bool SoundOnSample(const LatencySpec&) { return false; }

}  // namespace traceproof
