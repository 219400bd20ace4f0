// latency: how long things took, and who is to blame. Percentiles of selected spans' durations
// (nearest rank over sorted values, exact up to a million spans per selector, then a histogram
// of 3 significant digits), the owner of the critical path over the slowest traces, and three
// shapes that make traces slow: gaps (a span waiting with no child running), sequential client
// calls that could have run in parallel, and the fattest leaf.
#include <algorithm>
#include <cmath>
#include <optional>

#include "checks/check_util.h"
#include "checks/critical_path.h"
#include "checks/latency_spec.h"
#include "checks/make_check.h"
#include "checks/span_gaps.h"
#include "load/histogram.h"
#include "store/trace_shape.h"

namespace traceproof {

namespace {

using checks::AddEvidence;
using checks::FormatNs;

std::string OwnerText(const CriticalOwner& o) {
  return o.operation.empty() ? o.service : o.service + " (" + o.operation + ")";
}

// Selected spans' durations for one percentile assertion: exact values (nearest rank) up to
// kExactSpans, then a histogram of 3 significant digits, so a long run's memory stays flat; and
// the longest spans over the bound, for evidence.
constexpr std::size_t kExactSpans = 1 << 20;
constexpr std::size_t kOverKept = 256;

std::uint64_t NonNegative(std::int64_t ns) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0));
}

struct PercentileTally {
  std::vector<std::int64_t> exact;
  std::optional<Histogram> histogram;  // once more than kExactSpans were selected
  std::uint64_t count = 0;
  std::vector<std::pair<std::int64_t, TraceId>> over;  // the longest kOverKept at most

  void Record(std::int64_t ns, const TraceId& trace, std::int64_t max_ns) {
    ++count;
    if (histogram) {
      histogram->Record(NonNegative(ns));
    } else {
      exact.push_back(ns);
      if (exact.size() > kExactSpans) {
        histogram.emplace();
        for (std::int64_t v : exact) histogram->Record(NonNegative(v));
        exact = {};
      }
    }
    if (ns <= max_ns) return;
    over.emplace_back(ns, trace);
    if (over.size() >= 2 * kOverKept) Trim();
  }
  void Trim() {
    std::stable_sort(over.begin(), over.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (over.size() > kOverKept) over.resize(kOverKept);
  }
  std::int64_t Value(double percentile) {
    if (histogram) return static_cast<std::int64_t>(histogram->ValueAtPercentile(percentile));
    std::sort(exact.begin(), exact.end());
    return checks::PercentileOfSorted(exact, percentile);
  }
};

// One rooted trace as the critical-path judgement needs it: how long it took, and who owned
// that time.
struct RootedTrace {
  std::int64_t duration_ns = 0;
  TraceId id;
  CriticalOwnerTimes owners;
};

class LatencyCheck final : public Check {
 public:
  explicit LatencyCheck(LatencySpec spec) : spec_(std::move(spec)) {}

  std::unique_ptr<TraceTally> NewTally(const TallyContext&) const override {
    return std::make_unique<Tally>(*this);
  }

  CheckResult Judge(const TraceTally& base, const RunData&) const override {
    // Judging sorts what the tally kept: a copy, so a tally may be judged again.
    Tally tally = static_cast<const Tally&>(base);
    CheckResult r;
    r.kind = "latency";
    r.pos = spec_.pos;
    std::vector<std::string> labels, reasons;
    bool passed = true;
    for (std::size_t k = 0; k < spec_.percentiles.size(); ++k)
      passed =
          JudgePercentile(spec_.percentiles[k], tally.percentiles[k], labels, reasons, r) && passed;
    if (spec_.critical_path_top)
      passed = JudgeCriticalPath(tally.rooted, labels, reasons, r) && passed;
    if (NeedsShapes()) passed = JudgeShapes(tally.shapes, labels, reasons, r) && passed;
    r.label = Join(labels, ", ");
    r.reason = Join(reasons, "; ");
    r.passed = passed;
    return r;
  }

 private:
  // The worst of each slow shape over the run, who owns it, and the traces beyond the bounds.
  struct Shapes {
    std::int64_t worst_gap = 0, fattest_leaf = 0;
    std::size_t longest_chain = 0;
    std::string gap_owner, leaf_owner, chain_owner;
    std::vector<std::string> gap_ids, leaf_ids, chain_ids;
  };

  struct Tally final : TraceTally {
    explicit Tally(const LatencyCheck& c) : check(&c), percentiles(c.spec_.percentiles.size()) {}
    void Add(const Trace& trace) override { check->AddTrace(trace, *this); }
    const LatencyCheck* check;
    std::vector<PercentileTally> percentiles;  // one per spec_.percentiles entry
    std::vector<RootedTrace> rooted;           // with critical_path_top, in completion order
    Shapes shapes;
  };

  bool NeedsShapes() const {
    return spec_.gaps_max || spec_.sequential_max || spec_.fattest_leaf_max;
  }

  // Durations are a span's own: an update's late spans count. The critical path and the shapes
  // are the whole trace's: an update (without the spans handed out before) is not walked.
  void AddTrace(const Trace& t, Tally& tally) const {
    for (std::size_t k = 0; k < spec_.percentiles.size(); ++k) {
      const PercentileAssertion& p = spec_.percentiles[k];
      for (std::size_t i = t.IsUpdate() ? t.new_from : 0; i < t.spans.size(); ++i) {
        const SpanView& s = t.spans[i];
        if (p.select.Matches(s)) tally.percentiles[k].Record(s.DurationNs(), t.id, p.max.count());
      }
    }
    if (t.IsUpdate()) return;
    if (spec_.critical_path_top) {
      const TraceShape shape = AnalyzeTrace(t);
      const std::size_t root = CriticalPathRoot(t, shape);
      if (root != TraceShape::kNone) {
        RootedTrace& rt = tally.rooted.emplace_back();
        rt.duration_ns = t.spans[root].DurationNs();
        rt.id = t.id;
        AddCriticalOwnerTimes(t, OwnerKey(), rt.owners);
      }
    }
    if (NeedsShapes()) MeasureShapes(t, tally.shapes);
  }

  CriticalOwnerKey OwnerKey() const {
    return spec_.critical_path_top->find(' ') != std::string::npos
               ? CriticalOwnerKey::kServiceOperation
               : CriticalOwnerKey::kService;
  }

  bool JudgePercentile(const PercentileAssertion& p, PercentileTally& d,
                       std::vector<std::string>& labels, std::vector<std::string>& reasons,
                       CheckResult& r) const {
    const std::int64_t value = d.count ? d.Value(p.percentile) : 0;
    const bool ok = d.count > 0 && value <= p.max.count();
    labels.push_back(p.name + " " + p.select.text() + " <= " + FormatNs(double(p.max.count())));
    reasons.push_back(d.count == 0
                          ? p.name + ": no span matches " + p.select.text()
                          : p.name + " of " + std::to_string(d.count) + " spans " +
                                p.select.text() + " is " + FormatNs(double(value)) +
                                (d.histogram ? " (3 significant digits)" : "") +
                                (ok ? "" : ", want <= " + FormatNs(double(p.max.count()))));
    r.details[p.name] = {{"select", p.select.text()},
                         {"spans", d.count},
                         {"value_ns", value},
                         {"max_ns", p.max.count()}};
    if (!ok) {
      d.Trim();
      std::vector<std::string> ids;
      for (const auto& [ns, id] : d.over) AddEvidence(ids, id);
      checks::MergeEvidence(r.evidence, ids);
    }
    return ok;
  }

  bool JudgeCriticalPath(std::vector<RootedTrace>& rooted, std::vector<std::string>& labels,
                         std::vector<std::string>& reasons, CheckResult& r) const {
    const std::string& want = *spec_.critical_path_top;
    const bool by_operation = OwnerKey() == CriticalOwnerKey::kServiceOperation;
    labels.push_back("critical path top " + want);
    if (rooted.empty()) {
      reasons.push_back("no trace has a root span to walk the critical path from");
      return false;
    }
    std::stable_sort(rooted.begin(), rooted.end(),
                     [](const auto& a, const auto& b) { return a.duration_ns > b.duration_ns; });
    const std::size_t n = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::ceil(spec_.slow_traces * double(rooted.size()))), 1,
        rooted.size());
    CriticalOwnerTimes by_owner;
    double total_ns = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& [owner, ns] : rooted[i].owners) by_owner[owner] += ns;
      total_ns += double(rooted[i].duration_ns);
    }
    std::vector<CriticalOwner> owners = RankCriticalOwners(by_owner);
    if (owners.empty()) owners.emplace_back();
    const CriticalOwner& top = owners.front();
    const std::string top_key = by_operation ? top.service + " " + top.operation : top.service;
    const bool ok = top_key == want;
    char share[32];
    std::snprintf(share, sizeof share, "%.0f%%", top.share * 100);
    reasons.push_back("critical path owned by " + OwnerText(top) + ": " + share + " of " +
                      FormatNs(total_ns / double(n)) + " over " + std::to_string(n) +
                      " slowest traces" + (ok ? "" : ", want " + want));
    nlohmann::json top5 = nlohmann::json::array();
    for (std::size_t i = 0; i < owners.size() && i < 5; ++i) {
      top5.push_back({{"service", owners[i].service},
                      {"operation", owners[i].operation},
                      {"ns", owners[i].ns},
                      {"share", owners[i].share}});
    }
    r.details["critical_path"] = {
        {"slow_traces", n}, {"mean_duration_ns", total_ns / double(n)}, {"owners", top5}};
    if (!ok) {
      for (std::size_t i = 0; i < n && r.evidence.size() < checks::kMaxEvidence; ++i)
        AddEvidence(r.evidence, rooted[i].id);
    }
    return ok;
  }

  void MeasureShapes(const Trace& trace, Shapes& m) const {
    const TraceShape shape = AnalyzeTrace(trace);
    const auto& spans = trace.spans;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const auto& kids = shape.children[i];
      const std::string owner =
          std::string(spans[i].service_name) + " " + std::string(spans[i].name);
      if (kids.empty()) {
        const std::int64_t d = spans[i].DurationNs();
        if (spec_.fattest_leaf_max && d > spec_.fattest_leaf_max->count())
          AddEvidence(m.leaf_ids, trace.id);
        if (d > m.fattest_leaf) m.fattest_leaf = d, m.leaf_owner = owner;
        continue;
      }
      // Gaps: stretches of the parent with none of its children running (checks/span_gaps.h).
      const std::int64_t gap = LongestGapNs(SpanGaps(trace, shape, i));
      if (spec_.gaps_max && gap > spec_.gaps_max->count()) AddEvidence(m.gap_ids, trace.id);
      if (gap > m.worst_gap) m.worst_gap = gap, m.gap_owner = owner;
      // Sequential client calls: the longest run of CLIENT children each starting after the
      // previous one ended.
      std::size_t chain = 0;
      std::uint64_t chain_end = 0;
      for (std::size_t c : kids) {
        if (spans[c].kind != SpanKind::kClient) continue;
        chain = (chain > 0 && spans[c].start_unix_ns >= chain_end) ? chain + 1 : 1;
        chain_end = std::max(chain > 1 ? chain_end : 0, spans[c].end_unix_ns);
        if (spec_.sequential_max && !spec_.sequential_max->Holds(double(chain)))
          AddEvidence(m.chain_ids, trace.id);
        if (chain > m.longest_chain) m.longest_chain = chain, m.chain_owner = owner;
      }
    }
  }

  bool JudgeShapes(const Shapes& m, std::vector<std::string>& labels,
                   std::vector<std::string>& reasons, CheckResult& r) const {
    bool ok = true;
    if (spec_.gaps_max) {
      const bool g = m.worst_gap <= spec_.gaps_max->count();
      ok = ok && g;
      labels.push_back("gaps <= " + FormatNs(double(spec_.gaps_max->count())));
      reasons.push_back("longest gap " + FormatNs(double(m.worst_gap)) +
                        (m.gap_owner.empty() ? "" : " in " + m.gap_owner) +
                        (g ? "" : ", want <= " + FormatNs(double(spec_.gaps_max->count()))));
      r.details["worst_gap_ns"] = m.worst_gap;
      if (!g) checks::MergeEvidence(r.evidence, m.gap_ids);
    }
    if (spec_.sequential_max) {
      const bool s = spec_.sequential_max->Holds(double(m.longest_chain));
      ok = ok && s;
      labels.push_back("sequential client calls " + spec_.sequential_max->text);
      reasons.push_back(std::to_string(m.longest_chain) + " sequential client calls" +
                        (m.chain_owner.empty() ? "" : " under " + m.chain_owner) +
                        (s ? "" : ", want " + spec_.sequential_max->text));
      r.details["longest_sequential_calls"] = m.longest_chain;
      if (!s) checks::MergeEvidence(r.evidence, m.chain_ids);
    }
    if (spec_.fattest_leaf_max) {
      const bool f = m.fattest_leaf <= spec_.fattest_leaf_max->count();
      ok = ok && f;
      labels.push_back("fattest leaf <= " + FormatNs(double(spec_.fattest_leaf_max->count())));
      reasons.push_back(
          "fattest leaf " + FormatNs(double(m.fattest_leaf)) +
          (m.leaf_owner.empty() ? "" : " (" + m.leaf_owner + ")") +
          (f ? "" : ", want <= " + FormatNs(double(spec_.fattest_leaf_max->count()))));
      r.details["fattest_leaf_ns"] = m.fattest_leaf;
      if (!f) checks::MergeEvidence(r.evidence, m.leaf_ids);
    }
    return ok;
  }

  LatencySpec spec_;
};

}  // namespace

std::unique_ptr<Check> MakeLatencyCheck(const LatencySpec& spec) {
  return std::make_unique<LatencyCheck>(spec);
}

}  // namespace traceproof
