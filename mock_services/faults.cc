#include "mock_services/faults.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace traceproof::mock {

std::string_view FaultName(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::kLatency:
      return "latency";
    case Fault::Kind::kError:
      return "error";
    case Fault::Kind::kTimeout:
      return "timeout";
    case Fault::Kind::kReset:
      return "reset";
    case Fault::Kind::kDropTraceparent:
      return "drop_traceparent";
    case Fault::Kind::kStripQueueHeaders:
      return "strip_queue_headers";
    case Fault::Kind::kIgnoreQueueHeaders:
      return "ignore_queue_headers";
    case Fault::Kind::kDetachedSpan:
      return "detached_span";
    case Fault::Kind::kNackFirst:
      return "nack_first";
    case Fault::Kind::kHighCardinality:
      return "high_cardinality";
    case Fault::Kind::kClockSkew:
      return "clock_skew";
    case Fault::Kind::kExporterOutage:
      return "exporter_outage";
  }
  return "?";
}

ServiceFaults::ServiceFaults(const ServiceGraph& graph, std::string_view service, TimePoint start)
    : start_(start) {
  for (const Fault& f : graph.faults) {
    if (f.service != service) continue;
    faults_.push_back(&f);
    latencies_.push_back(std::make_unique<LatencySampler>(f.latency, graph.scale));
  }
  nack_counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(faults_.size());
}

ActiveFaults ServiceFaults::Select(std::string_view route, TimePoint now,
                                   std::mt19937_64& rng) const {
  ActiveFaults active;
  for (const Fault* f : faults_) {
    if (!f->route.empty() && f->route != route) continue;
    if (!InWindow(*f, now) || !Chance(rng, f->rate)) continue;
    active.faults.push_back(f);
  }
  return active;
}

Nanos ServiceFaults::SampleLatency(const Fault& fault, std::mt19937_64& rng) const {
  return latencies_[IndexOf(fault)]->Sample(rng);
}

bool ServiceFaults::NackFirst(const QueueMessage& message, TimePoint now,
                              std::mt19937_64& rng) const {
  if (message.redelivered || !message.settle) return false;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    const Fault& f = *faults_[i];
    if (f.kind != Fault::Kind::kNackFirst || !InWindow(f, now) || !Chance(rng, f.rate)) continue;
    if (f.nack_every == 0) return true;
    const std::uint64_t n = nack_counts_[i].fetch_add(1) + 1;
    if (n % f.nack_every == 0) return true;
  }
  return false;
}

Nanos ServiceFaults::ClockSkew() const {
  Nanos skew{0};
  for (const Fault* f : faults_)
    if (f->kind == Fault::Kind::kClockSkew) skew = f->skew;  // the last one, as YAML lists them
  return skew;
}

bool ServiceFaults::InWindow(const Fault& fault, TimePoint now) const {
  const auto since = now - start_;
  if (fault.from && since < *fault.from) return false;
  if (fault.until && since >= *fault.until) return false;
  return true;
}

std::size_t ServiceFaults::IndexOf(const Fault& fault) const {
  for (std::size_t i = 0; i < faults_.size(); ++i)
    if (faults_[i] == &fault) return i;
  return 0;  // not this service's fault: callers only pass faults Select returned
}

void ScheduleExporterOutages(const ServiceFaults& faults, Clock& clock,
                             boost::asio::any_io_executor executor,
                             std::function<void(bool paused)> set_paused) {
  for (const Fault* f : faults.all()) {
    if (f->kind != Fault::Kind::kExporterOutage) continue;
    auto window = [f, &clock, start = faults.start(),
                   set_paused]() -> boost::asio::awaitable<void> {
      co_await clock.Sleep(start + f->from.value_or(Nanos{0}) - clock.Now());
      set_paused(true);
      if (!f->until) co_return;
      co_await clock.Sleep(start + *f->until - clock.Now());
      set_paused(false);
    };
    boost::asio::co_spawn(executor, std::move(window), boost::asio::detached);
  }
}

}  // namespace traceproof::mock
