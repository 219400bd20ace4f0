#include "compare/slowest_traces.h"

#include "report/trace_from_json.h"

namespace traceproof {
namespace {

std::shared_ptr<const Trace> Read(const RunProfile& run, const std::string& route) {
  auto r = run.routes.find(route);
  if (r == run.routes.end()) return nullptr;
  const std::optional<nlohmann::json> record = ReadTraceRecord(run.dir, r->second.slowest_trace_id);
  if (!record) return nullptr;
  std::string error;
  auto trace = TraceFromJson(*record, error);
  return trace ? *trace : nullptr;
}

}  // namespace

std::vector<SlowestPair> ReadSlowestTraces(const RunProfile& base, const RunProfile& current,
                                           const RunComparison& comparison) {
  std::vector<SlowestPair> out;
  for (const RouteComparison& r : comparison.routes)
    out.push_back({r.route, Read(base, r.route), Read(current, r.route)});
  return out;
}

}  // namespace traceproof
