#include "checks/queue_messages.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace traceproof::checks {

namespace {

std::string QueueMessagesReason(const std::string& queue, const QueueMessages& m) {
  std::string redeliveries = fmt::format("{} redelivered deliveries", m.redelivered_deliveries);
  if (m.nacked_deliveries) redeliveries += fmt::format(", {} nacked", m.nacked_deliveries);
  if (m.deliveries != m.consumer_spans)
    redeliveries +=
        fmt::format("; {} deliveries in {} consumer spans", m.deliveries, m.consumer_spans);
  return fmt::format(
      "{}: {} messages published, {} processed once, {} processed more than once ({}), {} "
      "never processed (lost{}), {} publish failures known to the services{}",
      queue, m.published, m.processed_once, m.processed_more, redeliveries, m.lost,
      m.nacked_unprocessed
          ? fmt::format(", {} of them nacked and never delivered again", m.nacked_unprocessed)
          : std::string(),
      m.publish_failed,
      m.failed_unprocessed ? fmt::format(" ({} of them never processed)", m.failed_unprocessed)
                           : std::string());
}

}  // namespace

void QueueMessagesTally::Add(const TruthRequest& request, const std::vector<Delivery>& deliveries) {
  for (std::size_t i = 0; i < request.spans.size(); ++i) {
    const GroundTruthSpan& s = request.spans[i];
    if (s.queue.empty()) continue;
    if (s.kind == SpanKind::kConsumer) {
      ++queues_[s.queue].consumer_spans;
      any_consumer_ = true;
    } else if (s.kind == SpanKind::kProducer) {
      published_.push_back(Published{request.positions[i], s.queue, s.status == StatusCode::kError,
                                     s.span_id, s.trace_id});
    }
  }
  for (const Delivery& d : deliveries) {
    QueueMessages& q = queues_[d.consumer->queue];
    ++q.deliveries;
    q.redelivered_deliveries += d.redelivered ? 1 : 0;
    q.nacked_deliveries += d.nacked ? 1 : 0;
    if (!d.producer.IsValid()) continue;
    Processed& p = processed_[d.producer];
    ++p.deliveries;
    p.acked += d.nacked ? 0 : 1;
  }
}

ReconciledQueues QueueMessagesTally::Judge() const {
  std::map<std::string, QueueMessages> queues = queues_;
  std::vector<const Published*> published;
  for (const Published& p : published_) published.push_back(&p);
  // In recording order, so the lost messages are listed as a walk over the run lists them.
  std::sort(published.begin(), published.end(),
            [](const Published* a, const Published* b) { return a->position < b->position; });
  for (const Published* s : published) {
    QueueMessages& q = queues[s->queue];
    ++q.published;
    q.publish_failed += s->failed ? 1 : 0;
    const auto it = processed_.find(s->span_id);
    const Processed p = it == processed_.end() ? Processed{} : it->second;
    if (p.acked > 0 && p.deliveries == 1) {
      ++q.processed_once;
    } else if (p.acked > 0) {
      ++q.processed_more;
    } else if (s->failed) {
      ++q.failed_unprocessed;
    } else {
      ++q.lost;
      q.nacked_unprocessed += p.deliveries > 0 ? 1 : 0;
      AddEvidence(q.lost_evidence, s->trace_id);
    }
  }
  std::erase_if(queues, [](const auto& e) {
    return e.second.published == 0 || e.second.consumer_spans == 0;
  });
  ReconciledQueues out;
  for (const auto& [queue, m] : queues) {
    out.lost += m.lost;
    out.published += m.published;
    out.redelivered += m.processed_more;
  }
  out.queues = std::move(queues);
  return out;
}

nlohmann::json QueueMessagesJson(const ReconciledQueues& reconciled) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [queue, m] : reconciled.queues) {
    json.push_back({{"queue", queue},
                    {"published", m.published},
                    {"publish_failed", m.publish_failed},
                    {"processed_once", m.processed_once},
                    {"processed_more_than_once", m.processed_more},
                    {"never_processed_publish_failed", m.failed_unprocessed},
                    {"lost", m.lost},
                    {"lost_after_nack", m.nacked_unprocessed},
                    {"consumer_spans", m.consumer_spans},
                    {"deliveries", m.deliveries},
                    {"redelivered_deliveries", m.redelivered_deliveries},
                    {"nacked_deliveries", m.nacked_deliveries}});
  }
  return json;
}

std::vector<std::string> QueueMessagesReasons(const ReconciledQueues& reconciled) {
  std::vector<std::string> reasons;
  for (const auto& [queue, m] : reconciled.queues) reasons.push_back(QueueMessagesReason(queue, m));
  return reasons;
}

}  // namespace traceproof::checks
