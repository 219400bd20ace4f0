#include "run/hop_accounting.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

std::uint64_t Dropped(const HopCounters& h, const std::string& prefix) {
  std::uint64_t n = 0;
  for (const auto& [why, count] : h.dropped)
    if (why.rfind(prefix, 0) == 0) n += count;
  return n;
}

TEST(HopAccounting, ServicesReceivedEverySpanTheyExportedOrDroppedByReason) {
  mock::MockServicesStats st;
  st.spans_exported = 90;
  st.spans_dropped_queue = 4;
  st.spans_dropped_outage = 5;
  st.spans_failed_export = 1;
  const HopCounters h = ServicesHop(st);
  EXPECT_EQ(h.name, "services");
  EXPECT_EQ(h.received, 100u);
  EXPECT_EQ(h.passed_on, 90u);
  EXPECT_EQ(Dropped(h, "queue full"), 4u);
  EXPECT_EQ(Dropped(h, "exporter outage"), 5u);
  EXPECT_EQ(Dropped(h, "export failed"), 1u);
}

TEST(HopAccounting, TheSenderOfSpanLoadReceivedWhatItTriedToSendAndDroppedFailedRequests) {
  LoadStats load;
  load.spans_sent = 1000;
  load.spans_acknowledged = 880;
  load.spans_failed = {{"connect", 100}, {"status 503", 20}};
  const HopCounters h = SenderHop(load);
  EXPECT_EQ(h.name, kSenderHopName);
  EXPECT_EQ(h.received, 1000u);
  EXPECT_EQ(h.passed_on, 880u);
  EXPECT_EQ(Dropped(h, "request failed: connect"), 100u);
  EXPECT_EQ(Dropped(h, "request failed: status 503"), 20u);
}

TEST(HopAccounting, ACollectorPassesOnWhatItSentPlusWhatItsShutdownFlushed) {
  CollectorReport r;
  r.counters.receiver_accepted_spans = 1000;
  r.counters.receiver_refused_spans = 10;
  r.counters.exporter_sent_spans = 950;
  r.counters.exporter_send_failed_spans = 20;
  r.spans_flushed_at_stop = 30;
  const HopCounters h = CollectorHop(r, nullptr, 980);
  EXPECT_EQ(h.received, 1010u);
  EXPECT_EQ(h.passed_on, 980u);
  EXPECT_EQ(Dropped(h, "refused by receiver"), 10u);
  EXPECT_EQ(Dropped(h, "exporter send failed"), 20u);
  EXPECT_EQ(h.dropped.size(), 2u) << "nothing unexplained without a tail sampler or a kill";
}

TEST(HopAccounting, ATailSamplersUnsentSpansAreSampledOutNamedWithItsTraceCounts) {
  CollectorReport r;
  r.counters.tail_sampling = true;
  r.counters.receiver_accepted_spans = 500;
  r.counters.exporter_sent_spans = 50;
  r.counters.tail_new_traces = 100;
  r.counters.tail_traces_sampled = 10;
  r.counters.tail_traces_not_sampled = 88;
  const HopCounters h = CollectorHop(r, nullptr, 50);
  ASSERT_EQ(h.dropped.size(), 1u);
  EXPECT_EQ(
      h.dropped[0].first,
      "sampled out by tail_sampling (88 traces not sampled, 10 sampled, 2 undecided at stop)");
  EXPECT_EQ(h.dropped[0].second, 450u);
}

TEST(HopAccounting, AKilledCollectorIsCompletedFromItsNeighboursAndTheRestWasInFlight) {
  CollectorReport r;
  r.kills = 1;
  r.counters.receiver_accepted_spans = 700;  // the last scrape before the kill
  r.counters.exporter_sent_spans = 600;
  HopCounters upstream;
  upstream.passed_on = 1000;                              // the services saw 1000 accepted
  const HopCounters h = CollectorHop(r, &upstream, 900);  // the sink received 900
  EXPECT_EQ(h.received, 1000u);
  EXPECT_EQ(h.passed_on, 900u);
  EXPECT_EQ(Dropped(h, "in flight when killed"), 100u);
}

TEST(HopAccounting, TheSinkCountsRefusalsByReasonAndEvictions) {
  IngestCounters ingest;
  ingest.spans_received = 100;
  ingest.spans_accepted = 95;
  ingest.spans_refused[static_cast<std::size_t>(RefusalReason::kInvalidTraceId)] = 5;
  TraceStoreCounters store;
  store.evicted_spans = 7;
  const HopCounters h = SinkHop(ingest, store);
  EXPECT_EQ(h.received, 100u);
  EXPECT_EQ(h.passed_on, 95u);
  ASSERT_EQ(h.dropped.size(), 2u);
  EXPECT_EQ(h.dropped[0].first, RefusalReasonName(RefusalReason::kInvalidTraceId));
  EXPECT_EQ(h.dropped[0].second, 5u);
  EXPECT_EQ(h.dropped[1], (std::pair<std::string, std::uint64_t>{"evicted (store full)", 7}));
}

}  // namespace
}  // namespace traceproof
